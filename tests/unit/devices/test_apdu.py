"""The APDU dialogue of a reader profile, against scripted transports (no pcscd)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.base import DeviceError, Timeout
from devices.idcard.apdu import (
    IdentityData,
    IdentityRead,
    NoSecurityModule,
    Response,
    SecurityModuleFault,
    UnexpectedStatus,
    exchange,
    with_le,
)
from devices.idcard.card import CardMoved, GarbledCard, NotAnIdCard
from devices.idcard.profile import ReaderProfile, load_profile
from tests.clock import FakeClock

PROFILE = load_profile("generic-sam-ccid")
SELECT, READ_TEXT = PROFILE.select, PROFILE.read_text
TEXT = bytes(range(256))
PHOTO = bytes(reversed(range(256))) * 4
OK = b"\x90\x00"


class Card:
    """A scripted security module: per command, a queue of answers, then a default."""

    def __init__(self, **overrides: list[bytes]) -> None:
        self.sent: list[bytes] = []
        self.queues = {name: list(answers) for name, answers in overrides.items()}

    def default(self, command: bytes) -> bytes:
        if command.startswith(SELECT):
            return OK
        if command == READ_TEXT:
            return TEXT + OK
        if command in PROFILE.read_photo:
            index = PROFILE.read_photo.index(command)
            return PHOTO[index * 256 : (index + 1) * 256] + OK
        return b"\x6d\x00"

    def __call__(self, command: bytes) -> bytes:
        self.sent.append(command)
        name = {SELECT: "select", READ_TEXT: "read_text", PROFILE.get_uid: "uid"}.get(
            command, "photo"
        )
        queue = self.queues.get(name)
        if queue:
            return queue.pop(0)
        return self.default(command)


def run(
    card: Callable[[bytes], bytes], deadline: float = 10.0, clock: FakeClock | None = None
) -> IdentityData:
    clock = clock or FakeClock(start=0.0)
    return IdentityRead(PROFILE, card, deadline, clock, clock.sleep).run()


def test_the_default_profile_sends_exactly_the_documented_commands() -> None:
    card = Card()
    data = run(card)
    assert data.text == TEXT and data.photo == PHOTO
    assert [c.hex(" ").upper() for c in card.sent] == [
        "00 A4 04 00 07 F0 49 44 43 41 52 44",
        "80 B0 00 00 00",
        "80 B2 00 00 00",
        "80 B2 01 00 00",
        "80 B2 02 00 00",
        "80 B2 03 00 00",
    ]


def test_a_bank_card_is_not_an_id_card() -> None:
    with pytest.raises(NotAnIdCard):
        run(Card(select=[b"\x6a\x82"]))


def test_security_module_fault_is_reported_once_without_retries() -> None:
    card = Card(read_text=[b"\x6f\x00"] * 20)
    with pytest.raises(SecurityModuleFault) as caught:
        run(card)
    assert card.sent.count(READ_TEXT) == 1
    assert caught.value.technician_hint


def test_not_ready_is_retried_with_doubling_back_off_then_succeeds() -> None:
    clock = FakeClock(start=0.0)
    card = Card(read_text=[b"\x69\x85"] * 5)
    assert run(card, clock=clock).text == TEXT
    assert card.sent.count(READ_TEXT) == 6
    assert clock.sleeps == [0.02, 0.04, 0.08, 0.16, 0.25]


def test_not_ready_for_ever_is_bounded_by_the_profile() -> None:
    card = Card(read_text=[b"\x69\x85"] * 100)
    with pytest.raises(Timeout):
        run(card)
    assert card.sent.count(READ_TEXT) == PROFILE.not_ready_attempts


def test_not_ready_never_sleeps_past_the_deadline() -> None:
    clock = FakeClock(start=0.0)
    card = Card(read_text=[b"\x69\x85"] * 100)
    with pytest.raises(Timeout):
        run(card, deadline=0.1, clock=clock)
    assert clock.now < 0.1


def test_no_command_starts_after_the_deadline() -> None:
    clock = FakeClock(start=0.0)

    def slow(command: bytes) -> bytes:
        clock.now += 0.3
        return Card()(command)

    with pytest.raises(Timeout):
        run(slow, deadline=1.0, clock=clock)
    assert clock.now < 1.0 + 0.3


def test_a_reader_without_security_module_says_so() -> None:
    card = Card(select=[b"\x6d\x00"], uid=[bytes(8) + OK])
    with pytest.raises(NoSecurityModule, match="cannot read identity data"):
        run(card)
    assert card.sent[-1] == bytes.fromhex("FFCA000000")


def test_an_unknown_status_that_is_not_a_uid_reader_is_a_reader_fault() -> None:
    with pytest.raises(UnexpectedStatus, match="6D00"):
        run(Card(select=[b"\x6d\x00"], uid=[b"\x6d\x00"]))


def test_a_card_pulled_mid_read_is_a_moved_card() -> None:
    with pytest.raises(CardMoved):
        run(Card(photo=[b""]))


def test_a_short_text_block_is_garbled() -> None:
    with pytest.raises(GarbledCard):
        run(Card(read_text=[TEXT[:100] + OK]))


def test_more_data_is_fetched_with_get_response() -> None:
    answers = [TEXT[:100] + b"\x61\x9c", TEXT[100:] + OK]
    sent: list[bytes] = []

    def transmit(command: bytes) -> bytes:
        sent.append(command)
        return answers.pop(0)

    assert exchange(transmit, READ_TEXT) == Response(TEXT, 0x9000)
    assert sent[1] == bytes.fromhex("00C000009C")


def test_wrong_length_is_sent_again_with_the_right_le() -> None:
    answers = [b"\x6c\x10", bytes(16) + OK]
    sent: list[bytes] = []

    def transmit(command: bytes) -> bytes:
        sent.append(command)
        return answers.pop(0)

    assert exchange(transmit, bytes.fromhex("80B0000000")).data == bytes(16)
    assert sent[1] == bytes.fromhex("80B0000010")


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("80B00000", "80B0000010"),  # case 1
        ("80B0000000", "80B0000010"),  # case 2
        ("00A4040002AABB", "00A4040002AABB10"),  # case 3
        ("00A4040002AABB00", "00A4040002AABB10"),  # case 4
    ],
)
def test_le_goes_where_iso_7816_puts_it(command: str, expected: str) -> None:
    assert with_le(bytes.fromhex(command), 0x10).hex().upper() == expected


@given(st.binary(max_size=300))
def test_any_response_bytes_give_a_response_or_a_moved_card(raw: bytes) -> None:
    try:
        response = Response.parse(raw)
    except CardMoved:
        assert len(raw) < 2
        return
    assert response.data + response.sw.to_bytes(2, "big") == raw


@given(st.lists(st.binary(min_size=1, max_size=255), min_size=1, max_size=8))
def test_get_response_chains_reassemble_the_data(chunks: list[bytes]) -> None:
    answers = [c + (b"\x61\x00" if i < len(chunks) - 1 else OK) for i, c in enumerate(chunks)]

    def transmit(command: bytes) -> bytes:
        return answers.pop(0)

    assert exchange(transmit, READ_TEXT) == Response(b"".join(chunks), 0x9000)


ANSWER = st.one_of(
    st.sampled_from([OK, b"\x6a\x82", b"\x69\x85", b"\x6f\x00", b"\x6d\x00", b"", b"\x90"]),
    st.binary(max_size=300),
    st.binary(min_size=256, max_size=256).map(lambda b: b + OK),
    st.binary(max_size=200).map(lambda b: b + b"\x61\x10"),
    st.binary(max_size=4).map(lambda b: b + b"\x6c\x05"),
)


@given(st.lists(ANSWER, max_size=40))
def test_any_answers_give_identity_data_or_a_device_error(answers: list[bytes]) -> None:
    queue = list(answers)
    sent = 0

    def transmit(command: bytes) -> bytes:
        nonlocal sent
        sent += 1
        return queue.pop(0) if queue else b"\x90\x00"

    clock = FakeClock(start=0.0)
    try:
        data = IdentityRead(PROFILE, transmit, 10.0, clock, clock.sleep).run()
    except DeviceError:
        pass
    else:
        assert len(data.text) == 256 and len(data.photo) == 1024
    assert sent <= len(answers) + 1 + 5 * PROFILE.not_ready_attempts


def test_a_profile_is_data_a_new_reader_model_needs_no_code() -> None:
    other = ReaderProfile(
        **{
            **PROFILE.__dict__,
            "name": "other",
            "select": bytes.fromhex("00A4040005A000000001"),
            "status_words": {0x9000: PROFILE.status_words[0x9000]},
        }
    )
    card = Card()
    sent: list[bytes] = []

    def transmit(command: bytes) -> bytes:
        sent.append(command)
        return OK if command == other.select else card.default(command)

    clock = FakeClock(start=0.0)
    data = IdentityRead(other, transmit, 10.0, clock, clock.sleep).run()
    assert sent[0] == other.select and data.text == TEXT
