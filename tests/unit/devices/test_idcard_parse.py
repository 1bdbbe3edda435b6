import contextlib
import datetime as dt
from collections.abc import Callable
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.base import BadCard
from devices.idcard.card import CardType, ChecksumMismatch, GarbledCard, IdentityCard
from devices.idcard.ethnicity import ETHNICITIES
from devices.idcard.idnumber import check_digit
from devices.idcard.text_block import TEXT_BLOCK_SIZE, encode_text_block, parse_text_block
from tests.cards import foreign_2023_card, foreign_card, id_number, make_card, permit_card

CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
EXT_A = st.characters(min_codepoint=0x3400, max_codepoint=0x4DB5)


def test_round_trip_keeps_every_field() -> None:
    card = make_card(valid_to=None, name="欧阳䶮")
    assert parse_text_block(encode_text_block(card)) == card


def test_text_block_layout_matches_the_reader_format() -> None:
    block = encode_text_block(make_card())
    assert len(block) == TEXT_BLOCK_SIZE
    assert block[0:8].decode("utf-16-le") == "测试员甲"
    assert block[30:32].decode("utf-16-le") == "1"
    assert block[32:36].decode("utf-16-le") == "01"
    assert block[36:52].decode("utf-16-le") == "19900307"
    assert block[122:158].decode("utf-16-le") == id_number()
    assert block[248:250].decode("utf-16-le") == " "


def test_seventy_byte_address_fills_its_field() -> None:
    address = "山东省新泰市青云街道" + "测" * 25
    assert len(address.encode("utf-16-le")) == 70
    assert parse_text_block(encode_text_block(make_card(address=address))).address == address


def test_wrong_check_digit_is_refused() -> None:
    good = id_number()
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    block = encode_text_block(make_card(id_number=wrong))
    with pytest.raises(ChecksumMismatch):
        parse_text_block(block)


@pytest.mark.parametrize(
    ("build", "card_type"),
    [
        (make_card, CardType.RESIDENT),
        (permit_card, CardType.HK_MO_TW),
        (foreign_card, CardType.FOREIGN_PR),
        (foreign_2023_card, CardType.FOREIGN_PR_2023),
    ],
)
def test_every_card_type_parses_into_its_fields(
    build: Callable[[], IdentityCard], card_type: CardType
) -> None:
    card = build()
    parsed = parse_text_block(encode_text_block(card), b"\x01" * 1024)
    assert parsed == replace(card, photo=b"\x01" * 1024)
    assert parsed.card_type is card_type


def test_permit_layout_matches_the_reader_format() -> None:
    block = encode_text_block(permit_card())
    assert block[248:250].decode("utf-16-le") == "J"
    assert block[32:36].decode("utf-16-le") == "  "  # no ethnicity on a permit
    assert block[220:238].decode("utf-16-le") == "H12345678"
    assert block[238:242].decode("utf-16-le") == "01"
    assert block[122:126].decode("utf-16-le") == "81"


def test_foreign_card_layout_matches_the_reader_format() -> None:
    block = encode_text_block(foreign_card())
    assert block[248:250].decode("utf-16-le") == "I"
    assert block[0:20].decode("utf-16-le") == "SMITH JOHN"
    assert block[122:152].decode("utf-16-le") == "USA370075010215"
    assert block[152:158].decode("utf-16-le") == "USA"
    assert block[158:164].decode("utf-16-le") == "史密斯"
    assert block[220:236].decode("utf-16-le") == "19750102"


def test_foreign_2023_card_layout_and_long_english_name() -> None:
    card = foreign_2023_card()
    block = encode_text_block(card)
    assert block[248:250].decode("utf-16-le") == "Y"
    assert block[52:122].decode("utf-16-le") == card.english_name[:35]
    assert block[220:242].decode("utf-16-le").rstrip() == card.english_name[35:]
    assert block[242:248].decode("utf-16-le") == "USA"
    assert parse_text_block(block).english_name == card.english_name


def test_foreign_card_without_chinese_name_goes_by_its_english_name() -> None:
    block = bytearray(encode_text_block(foreign_card()))
    block[158:188] = " ".encode("utf-16-le") * 15
    card = parse_text_block(bytes(block))
    assert card.name == card.english_name == "SMITH JOHN"


@pytest.mark.parametrize("mark", ["J", "I", "Y"])
def test_a_resident_block_under_another_mark_is_garbled(mark: str) -> None:
    block = bytearray(encode_text_block(make_card()))
    block[248:250] = mark.encode("utf-16-le")
    with pytest.raises(GarbledCard):
        parse_text_block(bytes(block))


@pytest.mark.parametrize(
    ("card", "error"),
    [
        (
            permit_card(
                id_number=id_number(region="810000", birth=dt.date(1988, 5, 20))[:17] + "Q"
            ),
            GarbledCard,
        ),
        (
            permit_card(id_number=id_number(region="370982", birth=dt.date(1988, 5, 20))),
            GarbledCard,
        ),
        (permit_card(pass_number="H1"), GarbledCard),
        (foreign_card(nationality="CAN"), GarbledCard),
        (foreign_card(id_number="USA37007501021"), GarbledCard),
        (foreign_card(english_name="smith john"), GarbledCard),
        (foreign_2023_card(id_number="937084019750102101"), ChecksumMismatch),
        (foreign_2023_card(id_number=id_number()), GarbledCard),
        (foreign_2023_card(nationality="U1"), GarbledCard),
    ],
)
def test_bad_fields_on_other_card_types_are_refused(card: IdentityCard, error: type) -> None:
    with pytest.raises(error):
        parse_text_block(encode_text_block(card))


def test_permit_with_wrong_check_digit_is_refused() -> None:
    good = permit_card().id_number
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(ChecksumMismatch):
        parse_text_block(encode_text_block(permit_card(id_number=wrong)))


@given(st.sampled_from(["J", "I", "Y"]), st.binary(min_size=256, max_size=256))
def test_any_bytes_under_any_mark_give_a_card_or_bad_card(mark: str, noise: bytes) -> None:
    block = bytearray(noise)
    block[248:250] = mark.encode("utf-16-le")
    try:
        card = parse_text_block(bytes(block))
    except BadCard:
        return
    assert isinstance(card, IdentityCard)


@given(
    build=st.sampled_from([permit_card, foreign_card, foreign_2023_card]),
    index=st.integers(0, TEXT_BLOCK_SIZE - 1),
    value=st.integers(0, 255),
)
def test_corrupting_other_card_types_never_escapes_as_another_error(
    build: Callable[[], IdentityCard], index: int, value: int
) -> None:
    block = bytearray(encode_text_block(build()))
    block[index] = value
    with contextlib.suppress(BadCard):
        parse_text_block(bytes(block))


@pytest.mark.parametrize(
    ("offset", "value"),
    [
        (30, "3"),  # sex code
        (32, "77"),  # ethnicity code
        (36, "19901332"),  # birth date
        (188, "2020AB01"),  # valid from
    ],
)
def test_garbled_fields_are_refused(offset: int, value: str) -> None:
    block = bytearray(encode_text_block(make_card()))
    raw = value.encode("utf-16-le")
    block[offset : offset + len(raw)] = raw
    with pytest.raises(GarbledCard):
        parse_text_block(bytes(block))


def test_short_block_and_odd_bytes_are_garbled() -> None:
    with pytest.raises(GarbledCard):
        parse_text_block(b"\x00" * 255)
    with pytest.raises(GarbledCard):
        parse_text_block(b"\x00\xd8" * 128)  # lone surrogates


def test_error_messages_hold_no_personal_data() -> None:
    card = make_card()
    block = bytearray(encode_text_block(card))
    block[36:52] = "19900308".encode("utf-16-le")  # birth date disagrees with the number
    with pytest.raises(BadCard) as caught:
        parse_text_block(bytes(block))
    assert card.name not in str(caught.value)
    assert card.id_number not in str(caught.value)


def test_repr_masks_personal_data() -> None:
    card = make_card()
    assert card.name not in repr(card)
    assert card.id_number not in repr(card)


@given(st.binary(min_size=0, max_size=300))
def test_any_bytes_give_a_card_or_bad_card(block: bytes) -> None:
    try:
        card = parse_text_block(block)
    except BadCard:
        return
    assert isinstance(card, IdentityCard)


@given(
    name=st.text(st.one_of(CJK, EXT_A), min_size=2, max_size=15),
    birth=st.dates(dt.date(1900, 1, 1), dt.date(2025, 12, 31)),
    seq=st.integers(0, 999),
    ethnicity=st.sampled_from(sorted(ETHNICITIES.values())),
    long_term=st.booleans(),
    address=st.text(CJK, min_size=1, max_size=35),
)
def test_every_valid_card_round_trips(
    name: str, birth: dt.date, seq: int, ethnicity: str, long_term: bool, address: str
) -> None:
    first17 = "370982" + birth.strftime("%Y%m%d") + f"{seq:03d}"
    card = make_card(
        name=name,
        birth_date=birth,
        id_number=first17 + check_digit(first17),
        ethnicity=ethnicity,
        address=address,
        valid_from=dt.date(2000, 1, 1),
        valid_to=None if long_term else dt.date(2045, 6, 30),
    )
    assert parse_text_block(encode_text_block(card)) == card


@given(st.integers(0, TEXT_BLOCK_SIZE - 1), st.integers(0, 255))
def test_single_byte_corruption_never_escapes_as_another_error(index: int, value: int) -> None:
    block = bytearray(encode_text_block(make_card()))
    block[index] = value
    with contextlib.suppress(BadCard):
        parse_text_block(bytes(block))
