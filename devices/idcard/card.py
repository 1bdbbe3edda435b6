"""The identity card a reader returns, and the 256-byte text block it arrives in.

Readers with a security module return the card's text as a 256-byte UCS-2LE block with
space-padded fields at fixed byte offsets (see TESTBED.md), and the photo as 1024 bytes of
WLT-compressed data. ``parse_text_block`` turns any 256 bytes into an ``IdentityCard`` or a
``BadCard`` subclass that says what is wrong; it never raises anything else.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from devices.base import BadCard
from devices.idcard.ethnicity import ETHNICITIES
from devices.idcard.idnumber import (
    check_digit,
    has_id_shape,
    mask_id_number,
    mask_name,
)

TEXT_BLOCK_SIZE = 256
PHOTO_SIZE = 1024
LONG_TERM = "长期"


class CardType(enum.Enum):
    RESIDENT = "resident"
    HK_MO_TW = "hk_mo_tw"
    FOREIGN_PR = "foreign_pr"
    FOREIGN_PR_2023 = "foreign_pr_2023"


_TYPE_MARKS = {" ": CardType.RESIDENT, "J": CardType.HK_MO_TW, "I": CardType.FOREIGN_PR}
_TYPE_MARKS["Y"] = CardType.FOREIGN_PR_2023


class GarbledCard(BadCard):
    code = "bad_card_garbled"


class ChecksumMismatch(BadCard):
    code = "bad_card_checksum"


class UnsupportedCardType(BadCard):
    code = "bad_card_unsupported_type"


# (offset, size) in bytes of each resident-card field.
_FIELDS = {
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
    "card_type": (248, 2),
    "tail": (250, 6),
}
_SEXES = {"1": "男", "2": "女"}


@dataclass(frozen=True, repr=False)
class IdentityCard:
    name: str
    sex: str
    ethnicity: str
    birth_date: dt.date
    address: str
    id_number: str
    authority: str
    valid_from: dt.date
    valid_to: dt.date | None
    """None for a card valid for the long term (长期)."""
    card_type: CardType = CardType.RESIDENT
    photo: bytes = b""

    def __repr__(self) -> str:
        # Personal data must never reach a log line through an accidental repr.
        return (
            f"IdentityCard({self.card_type.value}, {mask_name(self.name)}, "
            f"{mask_id_number(self.id_number)})"
        )

    def is_expired(self, today: dt.date) -> bool:
        return self.valid_to is not None and self.valid_to < today


def _field(text: str, name: str) -> str:
    offset, size = _FIELDS[name]
    return text[offset // 2 : (offset + size) // 2].rstrip(" ")


def _date(value: str, what: str) -> dt.date:
    if len(value) != 8 or not value.isascii() or not value.isdigit():
        raise GarbledCard(f"{what} is not YYYYMMDD")
    try:
        return dt.date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        raise GarbledCard(f"{what} is not a calendar date") from None


def parse_text_block(block: bytes, photo: bytes = b"") -> IdentityCard:
    """Parse a resident card's text block; raise a ``BadCard`` for anything else.

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
    mark = _field(text, "card_type") or " "
    card_type = _TYPE_MARKS.get(mark)
    if card_type is None:
        raise GarbledCard("unknown card type mark")
    if card_type is not CardType.RESIDENT:
        raise UnsupportedCardType(f"card type {card_type.value} is not supported yet")

    name = _field(text, "name")
    if not name or " " in name.strip():
        raise GarbledCard("name is empty or has inner spaces")
    sex = _SEXES.get(_field(text, "sex"))
    if sex is None:
        raise GarbledCard("sex code is not 1 or 2")
    ethnicity = ETHNICITIES.get(_field(text, "ethnicity"))
    if ethnicity is None:
        raise GarbledCard("unknown ethnicity code")
    birth_date = _date(_field(text, "birth"), "birth date")
    address = _field(text, "address")
    if not address.strip():
        raise GarbledCard("address is empty")
    id_number = _field(text, "id_number")
    if not has_id_shape(id_number):
        raise GarbledCard("ID number is not 17 digits and a check character")
    if check_digit(id_number[:17]) != id_number[17]:
        raise ChecksumMismatch("ID number check digit does not match")
    if id_number[6:14] != birth_date.strftime("%Y%m%d"):
        raise GarbledCard("ID number and birth date disagree")
    authority = _field(text, "authority")
    if not authority.strip():
        raise GarbledCard("issuing authority is empty")
    valid_from = _date(_field(text, "valid_from"), "valid-from date")
    valid_to_text = _field(text, "valid_to")
    valid_to = None if valid_to_text == LONG_TERM else _date(valid_to_text, "valid-to date")
    if valid_to is not None and valid_to < valid_from:
        raise GarbledCard("card validity ends before it starts")
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
        card_type=card_type,
        photo=photo,
    )


def encode_text_block(card: IdentityCard) -> bytes:
    """The text block a reader would return for ``card`` (the inverse of the parser)."""
    sex_code = {v: k for k, v in _SEXES.items()}[card.sex]
    ethnicity_code = {v: k for k, v in ETHNICITIES.items()}[card.ethnicity]
    values = {
        "name": card.name,
        "sex": sex_code,
        "ethnicity": ethnicity_code,
        "birth": card.birth_date.strftime("%Y%m%d"),
        "address": card.address,
        "id_number": card.id_number,
        "authority": card.authority,
        "valid_from": card.valid_from.strftime("%Y%m%d"),
        "valid_to": LONG_TERM if card.valid_to is None else card.valid_to.strftime("%Y%m%d"),
    }
    block = bytearray(" ".encode("utf-16-le") * (TEXT_BLOCK_SIZE // 2))
    for name, value in values.items():
        offset, size = _FIELDS[name]
        raw = value.encode("utf-16-le")
        if len(raw) > size:
            raise ValueError(f"{name} does not fit its {size}-byte field")
        block[offset : offset + len(raw)] = raw
    return bytes(block)
