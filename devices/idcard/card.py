"""The identity card a reader returns, the ways a card can be bad, and the checks every
text-block layout applies to its fields (``text_block`` parses the block, ``foreign`` holds
the foreign permanent resident layouts)."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from devices.base import BadCard
from devices.idcard.idnumber import check_digit, has_id_shape, mask_id_number, mask_name

LONG_TERM = "长期"
SEXES = {"1": "男", "2": "女"}
SEX_CODES = {sex: code for code, sex in SEXES.items()}

Fields = dict[str, tuple[int, int]]
"""A layout: each field's (offset, size) in bytes of the UCS-2LE text block."""


class CardType(enum.Enum):
    RESIDENT = "resident"
    HK_MO_TW = "hk_mo_tw"
    FOREIGN_PR = "foreign_pr"
    FOREIGN_PR_2023 = "foreign_pr_2023"


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


# --- field checks shared by the layouts; messages name the field, never its value ---


def read_field(text: str, name: str, fields: Fields) -> str:
    offset, size = fields[name]
    return text[offset // 2 : (offset + size) // 2].rstrip(" ")


def parse_date(value: str, what: str) -> dt.date:
    if len(value) != 8 or not value.isascii() or not value.isdigit():
        raise GarbledCard(f"{what} is not YYYYMMDD")
    try:
        return dt.date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        raise GarbledCard(f"{what} is not a calendar date") from None


def parse_sex(text: str, fields: Fields) -> str:
    sex = SEXES.get(read_field(text, "sex", fields))
    if sex is None:
        raise GarbledCard("sex code is not 1 or 2")
    return sex


def parse_validity(text: str, fields: Fields) -> tuple[dt.date, dt.date | None]:
    valid_from = parse_date(read_field(text, "valid_from", fields), "valid-from date")
    valid_to_text = read_field(text, "valid_to", fields)
    valid_to = None if valid_to_text == LONG_TERM else parse_date(valid_to_text, "valid-to date")
    if valid_to is not None and valid_to < valid_from:
        raise GarbledCard("card validity ends before it starts")
    return valid_from, valid_to


def checked_id_number(number: str) -> str:
    """An 18-character number with a GB 11643 (ISO 7064 MOD 11-2) check digit."""
    if not has_id_shape(number):
        raise GarbledCard("ID number is not 17 digits and a check character")
    if check_digit(number[:17]) != number[17]:
        raise ChecksumMismatch("ID number check digit does not match")
    return number


def parse_issue_count(value: str) -> int:
    if not value.isascii() or not value.isdigit():
        raise GarbledCard("issue count is not a number")
    return int(value)


def chinese_name(value: str) -> str:
    if " " in value or (value and not all(ord(ch) > 0x7F for ch in value)):
        raise GarbledCard("Chinese name has spaces or Latin letters")
    return value


def date_values(card: IdentityCard) -> dict[str, str]:
    """The birth and validity fields as every layout writes them."""
    return {
        "birth": card.birth_date.strftime("%Y%m%d"),
        "valid_from": card.valid_from.strftime("%Y%m%d"),
        "valid_to": LONG_TERM if card.valid_to is None else card.valid_to.strftime("%Y%m%d"),
    }
