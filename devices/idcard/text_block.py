"""The 256-byte text block a reader returns, and the resident card layouts in it.

Readers with a security module return the card's text as a 256-byte UCS-2LE block with
space-padded fields at fixed byte offsets (see TESTBED.md), and the photo as 1024 bytes of
WLT-compressed data. ``parse_text_block`` turns any 256 bytes into an ``IdentityCard`` or a
``BadCard`` subclass that says what is wrong; it never raises anything else.

Four card types share the chip and the block; the mark at byte 248 tells them apart:
' ' the resident ID card; 'J' the HK/Macao/Taiwan residence permit (resident layout, no
ethnicity, plus pass number and issue count); 'I' and 'Y' the foreign permanent resident
cards (``devices.idcard.foreign``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from devices.idcard.card import (
    SEX_CODES,
    CardType,
    Fields,
    GarbledCard,
    IdentityCard,
    checked_id_number,
    chinese_name,
    date_values,
    parse_date,
    parse_issue_count,
    parse_sex,
    parse_validity,
    read_field,
)
from devices.idcard.ethnicity import ETHNICITIES
from devices.idcard.foreign import (
    FOREIGN_PR_2023_FIELDS,
    FOREIGN_PR_FIELDS,
    foreign_pr_2023_values,
    foreign_pr_values,
    parse_foreign_pr,
    parse_foreign_pr_2023,
)

TEXT_BLOCK_SIZE = 256
MARK_FIELD = (248, 2)

RESIDENT_FIELDS: Fields = {
    "name": (0, 30),
    "sex": (30, 2),
    "ethnicity": (32, 4),
    "birth": (36, 16),
    "address": (52, 70),
    "id_number": (122, 36),
    "authority": (158, 30),
    "valid_from": (188, 16),
    "valid_to": (204, 16),
    "reserved": (220, 28),
    "card_type": MARK_FIELD,
    "tail": (250, 6),
}
# The HK/Macao/Taiwan residence permit: the resident layout, with these in the reserved area.
HK_MO_TW_FIELDS: Fields = {**RESIDENT_FIELDS, "pass_number": (220, 18), "issue_count": (238, 4)}
_ETHNICITY_CODES = {ethnicity: code for code, ethnicity in ETHNICITIES.items()}
_PERMIT_PREFIXES = ("81", "82", "83")  # Hong Kong, Macao, Taiwan
_PASS_NUMBER = re.compile(r"[A-Z0-9]{8,9}")


def _address(text: str, fields: Fields) -> str:
    address = read_field(text, "address", fields)
    if not address.strip():
        raise GarbledCard("address is empty")
    return address


def _authority(text: str, fields: Fields) -> str:
    authority = read_field(text, "authority", fields)
    if not authority.strip():
        raise GarbledCard("issuing authority is empty")
    return authority


def _holds_birth_date(id_number: str, birth_date: dt.date) -> None:
    """Digits 7 to 14 of a resident's number are the birth date."""
    if id_number[6:14] != birth_date.strftime("%Y%m%d"):
        raise GarbledCard("ID number and birth date disagree")


def _parse_resident(text: str, photo: bytes) -> IdentityCard:
    fields = RESIDENT_FIELDS
    name = read_field(text, "name", fields)
    if not name or " " in name.strip():
        raise GarbledCard("name is empty or has inner spaces")
    sex = parse_sex(text, fields)
    ethnicity = ETHNICITIES.get(read_field(text, "ethnicity", fields))
    if ethnicity is None:
        raise GarbledCard("unknown ethnicity code")
    birth_date = parse_date(read_field(text, "birth", fields), "birth date")
    address = _address(text, fields)
    id_number = checked_id_number(read_field(text, "id_number", fields))
    _holds_birth_date(id_number, birth_date)
    authority = _authority(text, fields)
    valid_from, valid_to = parse_validity(text, fields)
    return IdentityCard(
        name=name,
        sex=sex,
        ethnicity=ethnicity,
        birth_date=birth_date,
        address=address,
        id_number=id_number,
        authority=authority,
        valid_from=valid_from,
        valid_to=valid_to,
        card_type=CardType.RESIDENT,
        photo=photo,
    )


def _parse_hk_mo_tw(text: str, photo: bytes) -> IdentityCard:
    fields = HK_MO_TW_FIELDS
    name = chinese_name(read_field(text, "name", fields))
    if not name:
        raise GarbledCard("name is empty")
    sex = parse_sex(text, fields)
    if read_field(text, "ethnicity", fields):
        raise GarbledCard("a residence permit has no ethnicity")
    birth_date = parse_date(read_field(text, "birth", fields), "birth date")
    address = _address(text, fields)
    id_number = checked_id_number(read_field(text, "id_number", fields))
    if not id_number.startswith(_PERMIT_PREFIXES):
        raise GarbledCard("residence permit number does not start with 81, 82 or 83")
    _holds_birth_date(id_number, birth_date)
    authority = _authority(text, fields)
    valid_from, valid_to = parse_validity(text, fields)
    pass_number = read_field(text, "pass_number", fields)
    if _PASS_NUMBER.fullmatch(pass_number) is None:
        raise GarbledCard("pass number is not 8 or 9 letters and digits")
    return IdentityCard(
        name=name,
        sex=sex,
        ethnicity="",
        birth_date=birth_date,
        address=address,
        id_number=id_number,
        authority=authority,
        valid_from=valid_from,
        valid_to=valid_to,
        card_type=CardType.HK_MO_TW,
        photo=photo,
        pass_number=pass_number,
        issue_count=parse_issue_count(read_field(text, "issue_count", fields)),
    )


def _resident_values(card: IdentityCard) -> dict[str, str]:
    return {
        "name": card.name,
        "sex": SEX_CODES[card.sex],
        "ethnicity": _ETHNICITY_CODES[card.ethnicity],
        "address": card.address,
        "id_number": card.id_number,
        "authority": card.authority,
        **date_values(card),
    }


def _hk_mo_tw_values(card: IdentityCard) -> dict[str, str]:
    return {
        "name": card.name,
        "sex": SEX_CODES[card.sex],
        "address": card.address,
        "id_number": card.id_number,
        "authority": card.authority,
        "pass_number": card.pass_number,
        "issue_count": f"{card.issue_count or 0:02d}",
        **date_values(card),
    }


@dataclass(frozen=True)
class Layout:
    """One card type's place in the block: its mark, its fields, and both directions."""

    mark: str
    fields: Fields
    parse: Callable[[str, bytes], IdentityCard]
    values: Callable[[IdentityCard], dict[str, str]]


LAYOUTS = {
    CardType.RESIDENT: Layout(" ", RESIDENT_FIELDS, _parse_resident, _resident_values),
    CardType.HK_MO_TW: Layout("J", HK_MO_TW_FIELDS, _parse_hk_mo_tw, _hk_mo_tw_values),
    CardType.FOREIGN_PR: Layout("I", FOREIGN_PR_FIELDS, parse_foreign_pr, foreign_pr_values),
    CardType.FOREIGN_PR_2023: Layout(
        "Y", FOREIGN_PR_2023_FIELDS, parse_foreign_pr_2023, foreign_pr_2023_values
    ),
}
_BY_MARK = {layout.mark: layout for layout in LAYOUTS.values()}


def parse_text_block(block: bytes, photo: bytes = b"") -> IdentityCard:
    """Parse a card's text block; raise a ``BadCard`` for anything else.

    Messages name the field at fault, never its value.
    """
    if len(block) != TEXT_BLOCK_SIZE:
        raise GarbledCard(f"text block has {len(block)} bytes, expected {TEXT_BLOCK_SIZE}")
    try:
        text = block.decode("utf-16-le")
    except UnicodeDecodeError:
        raise GarbledCard("text block is not UCS-2") from None
    if any(ord(ch) < 0x20 for ch in text):
        raise GarbledCard("text block holds control characters")
    layout = _BY_MARK.get(read_field(text, "card_type", RESIDENT_FIELDS) or " ")
    if layout is None:
        raise GarbledCard("unknown card type mark")
    return layout.parse(text, photo)


def encode_text_block(card: IdentityCard) -> bytes:
    """The text block a reader would return for ``card`` (the inverse of the parser)."""
    layout = LAYOUTS[card.card_type]
    values = {**layout.values(card), "card_type": layout.mark}
    block = bytearray(" ".encode("utf-16-le") * (TEXT_BLOCK_SIZE // 2))
    for name, value in values.items():
        offset, size = layout.fields[name]
        raw = value.encode("utf-16-le")
        if len(raw) > size:
            raise ValueError(f"{name} does not fit its {size}-byte field")
        block[offset : offset + len(raw)] = raw
    return bytes(block)
