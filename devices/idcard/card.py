"""The identity card a reader returns, and the 256-byte text block it arrives in.

Readers with a security module return the card's text as a 256-byte UCS-2LE block with
space-padded fields at fixed byte offsets (see TESTBED.md), and the photo as 1024 bytes of
WLT-compressed data. ``parse_text_block`` turns any 256 bytes into an ``IdentityCard`` or a
``BadCard`` subclass that says what is wrong; it never raises anything else.

Four card types share the chip and the block; the mark at byte 248 tells them apart:
' ' the resident ID card; 'J' the HK/Macao/Taiwan residence permit (resident layout, no
ethnicity, plus pass number and issue count); 'I' the 2017 foreign permanent resident card
(its own layout, GA/T 1444 machine-readable data); 'Y' the 2023 foreign permanent resident
ID (resident-like layout as published by the National Immigration Administration: English
name in the address field, continued at 220, nationality code at 242).
"""

from __future__ import annotations

import datetime as dt
import enum
import re
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


class NotAnIdCard(BadCard):
    """The card on the reader is not an identity card (a bank or transit card, say)."""

    code = "bad_card_not_id_card"


class CardMoved(BadCard):
    """The card left the reader's field while it was being read."""

    code = "bad_card_moved"


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

# HK/Macao/Taiwan residence permit: the resident layout, with these in the reserved area.
_HK_MO_TW_FIELDS = {**_FIELDS, "pass_number": (220, 18), "issue_count": (238, 4)}
# 2017 foreign permanent resident card (mark 'I').
_FOREIGN_PR_FIELDS = {
    "english_name": (0, 120),
    "sex": (120, 2),
    "id_number": (122, 30),
    "nationality": (152, 6),
    "name": (158, 30),
    "valid_from": (188, 16),
    "valid_to": (204, 16),
    "birth": (220, 16),
    "version": (236, 4),
    "authority": (240, 8),
    "card_type": (248, 2),
}
# 2023 foreign permanent resident ID card (mark 'Y').
_FOREIGN_PR_2023_FIELDS = {
    "name": (0, 30),
    "sex": (30, 2),
    "issue_count": (32, 4),
    "birth": (36, 16),
    "english_name": (52, 70),
    "id_number": (122, 36),
    "authority": (158, 30),
    "valid_from": (188, 16),
    "valid_to": (204, 16),
    "english_name_more": (220, 22),
    "nationality": (242, 6),
    "card_type": (248, 2),
}
_PERMIT_PREFIXES = ("81", "82", "83")  # Hong Kong, Macao, Taiwan
_OLD_FOREIGN_NUMBER = re.compile(r"[A-Z]{3}[0-9]{12}")
_NATIONALITY = re.compile(r"[A-Z]{3}")
_ENGLISH_NAME = re.compile(r"[A-Z][A-Z ,.'-]*")
_PASS_NUMBER = re.compile(r"[A-Z0-9]{8,9}")


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
    english_name: str = ""
    """Foreign permanent resident cards: the name in capital Latin letters."""
    nationality: str = ""
    """Foreign permanent resident cards: GB/T 2659 three-letter code."""
    pass_number: str = ""
    """HK/Macao/Taiwan residence permit: the 来往内地通行证 number."""
    issue_count: int | None = None
    """How many times this permit/card was issued (J: 签发次数, Y: 换证次数)."""

    def __repr__(self) -> str:
        # Personal data must never reach a log line through an accidental repr.
        return (
            f"IdentityCard({self.card_type.value}, {mask_name(self.name)}, "
            f"{mask_id_number(self.id_number)})"
        )

    def is_expired(self, today: dt.date) -> bool:
        return self.valid_to is not None and self.valid_to < today


def _field(text: str, name: str, fields: dict[str, tuple[int, int]] = _FIELDS) -> str:
    offset, size = fields[name]
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
    if card_type is CardType.FOREIGN_PR:
        return _parse_foreign_pr(text, photo)
    if card_type is CardType.FOREIGN_PR_2023:
        return _parse_foreign_pr_2023(text, photo)
    if card_type is CardType.HK_MO_TW:
        return _parse_hk_mo_tw(text, photo)

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


def _sex(text: str, fields: dict[str, tuple[int, int]]) -> str:
    sex = _SEXES.get(_field(text, "sex", fields))
    if sex is None:
        raise GarbledCard("sex code is not 1 or 2")
    return sex


def _validity(text: str, fields: dict[str, tuple[int, int]]) -> tuple[dt.date, dt.date | None]:
    valid_from = _date(_field(text, "valid_from", fields), "valid-from date")
    valid_to_text = _field(text, "valid_to", fields)
    valid_to = None if valid_to_text == LONG_TERM else _date(valid_to_text, "valid-to date")
    if valid_to is not None and valid_to < valid_from:
        raise GarbledCard("card validity ends before it starts")
    return valid_from, valid_to


def _checked_number(number: str) -> str:
    """An 18-character number with a GB 11643 (ISO 7064 MOD 11-2) check digit."""
    if not has_id_shape(number):
        raise GarbledCard("ID number is not 17 digits and a check character")
    if check_digit(number[:17]) != number[17]:
        raise ChecksumMismatch("ID number check digit does not match")
    return number


def _issue_count(value: str) -> int:
    if not value.isascii() or not value.isdigit():
        raise GarbledCard("issue count is not a number")
    return int(value)


def _chinese_name(value: str) -> str:
    if " " in value or (value and not all(ord(ch) > 0x7F for ch in value)):
        raise GarbledCard("Chinese name has spaces or Latin letters")
    return value


def _parse_hk_mo_tw(text: str, photo: bytes) -> IdentityCard:
    fields = _HK_MO_TW_FIELDS
    name = _chinese_name(_field(text, "name", fields))
    if not name:
        raise GarbledCard("name is empty")
    sex = _sex(text, fields)
    if _field(text, "ethnicity", fields):
        raise GarbledCard("a residence permit has no ethnicity")
    birth_date = _date(_field(text, "birth", fields), "birth date")
    address = _field(text, "address", fields)
    if not address.strip():
        raise GarbledCard("address is empty")
    id_number = _checked_number(_field(text, "id_number", fields))
    if not id_number.startswith(_PERMIT_PREFIXES):
        raise GarbledCard("residence permit number does not start with 81, 82 or 83")
    if id_number[6:14] != birth_date.strftime("%Y%m%d"):
        raise GarbledCard("ID number and birth date disagree")
    authority = _field(text, "authority", fields)
    if not authority.strip():
        raise GarbledCard("issuing authority is empty")
    valid_from, valid_to = _validity(text, fields)
    pass_number = _field(text, "pass_number", fields)
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
        issue_count=_issue_count(_field(text, "issue_count", fields)),
    )


def _english_name(value: str) -> str:
    if _ENGLISH_NAME.fullmatch(value) is None:
        raise GarbledCard("English name is empty or not capital Latin letters")
    return value


def _nationality(value: str) -> str:
    if _NATIONALITY.fullmatch(value) is None:
        raise GarbledCard("nationality is not a three-letter code")
    return value


def _parse_foreign_pr(text: str, photo: bytes) -> IdentityCard:
    fields = _FOREIGN_PR_FIELDS
    english_name = _english_name(_field(text, "english_name", fields))
    sex = _sex(text, fields)
    id_number = _field(text, "id_number", fields)
    if _OLD_FOREIGN_NUMBER.fullmatch(id_number) is None:
        raise GarbledCard("permanent residence number is not 3 letters and 12 digits")
    nationality = _nationality(_field(text, "nationality", fields))
    if id_number[:3] != nationality:
        raise GarbledCard("permanent residence number and nationality disagree")
    name = _chinese_name(_field(text, "name", fields))
    valid_from, valid_to = _validity(text, fields)
    birth_date = _date(_field(text, "birth", fields), "birth date")
    authority = _field(text, "authority", fields)
    if not authority.isascii() or not authority.isdigit():
        raise GarbledCard("accepting authority code is not digits")
    version = _field(text, "version", fields)
    if not version.isascii() or not version.isdigit():
        raise GarbledCard("card version is not digits")
    return IdentityCard(
        name=name or english_name,
        sex=sex,
        ethnicity="",
        birth_date=birth_date,
        address="",
        id_number=id_number,
        authority=authority,
        valid_from=valid_from,
        valid_to=valid_to,
        card_type=CardType.FOREIGN_PR,
        photo=photo,
        english_name=english_name,
        nationality=nationality,
    )


def _parse_foreign_pr_2023(text: str, photo: bytes) -> IdentityCard:
    fields = _FOREIGN_PR_2023_FIELDS
    name = _chinese_name(_field(text, "name", fields))
    sex = _sex(text, fields)
    issue_count = _issue_count(_field(text, "issue_count", fields))
    birth_date = _date(_field(text, "birth", fields), "birth date")
    offset, size = fields["english_name"]
    first = text[offset // 2 : (offset + size) // 2]  # unstripped: it may continue at 220
    english_name = _english_name((first + _field(text, "english_name_more", fields)).rstrip(" "))
    id_number = _checked_number(_field(text, "id_number", fields))
    if not id_number.startswith("9"):
        raise GarbledCard("permanent residence ID number does not start with 9")
    authority = _field(text, "authority", fields)
    valid_from, valid_to = _validity(text, fields)
    nationality = _nationality(_field(text, "nationality", fields))
    return IdentityCard(
        name=name or english_name,
        sex=sex,
        ethnicity="",
        birth_date=birth_date,
        address="",
        id_number=id_number,
        authority=authority,
        valid_from=valid_from,
        valid_to=valid_to,
        card_type=CardType.FOREIGN_PR_2023,
        photo=photo,
        english_name=english_name,
        nationality=nationality,
        issue_count=issue_count,
    )


def encode_text_block(card: IdentityCard) -> bytes:
    """The text block a reader would return for ``card`` (the inverse of the parser)."""
    sex_code = {v: k for k, v in _SEXES.items()}[card.sex]
    dates = {
        "birth": card.birth_date.strftime("%Y%m%d"),
        "valid_from": card.valid_from.strftime("%Y%m%d"),
        "valid_to": LONG_TERM if card.valid_to is None else card.valid_to.strftime("%Y%m%d"),
    }
    chinese_name = "" if card.name == card.english_name else card.name
    fields = _FIELDS
    values: dict[str, str]
    if card.card_type is CardType.FOREIGN_PR:
        fields = _FOREIGN_PR_FIELDS
        values = {
            "english_name": card.english_name,
            "sex": sex_code,
            "id_number": card.id_number,
            "nationality": card.nationality,
            "name": chinese_name,
            "authority": card.authority,
            "version": "20",
            **dates,
        }
    elif card.card_type is CardType.FOREIGN_PR_2023:
        fields = _FOREIGN_PR_2023_FIELDS
        values = {
            "name": chinese_name,
            "sex": sex_code,
            "issue_count": f"{card.issue_count or 0:02d}",
            "english_name": card.english_name[:35],
            "english_name_more": card.english_name[35:],
            "id_number": card.id_number,
            "authority": card.authority,
            "nationality": card.nationality,
            **dates,
        }
    else:
        values = {
            "name": card.name,
            "sex": sex_code,
            "address": card.address,
            "id_number": card.id_number,
            "authority": card.authority,
            **dates,
        }
        if card.card_type is CardType.HK_MO_TW:
            fields = _HK_MO_TW_FIELDS
            values["pass_number"] = card.pass_number
            values["issue_count"] = f"{card.issue_count or 0:02d}"
        else:
            values["ethnicity"] = {v: k for k, v in ETHNICITIES.items()}[card.ethnicity]
    mark = {v: k for k, v in _TYPE_MARKS.items()}[card.card_type]
    values["card_type"] = mark
    block = bytearray(" ".encode("utf-16-le") * (TEXT_BLOCK_SIZE // 2))
    for name, value in values.items():
        offset, size = fields[name]
        raw = value.encode("utf-16-le")
        if len(raw) > size:
            raise ValueError(f"{name} does not fit its {size}-byte field")
        block[offset : offset + len(raw)] = raw
    return bytes(block)
