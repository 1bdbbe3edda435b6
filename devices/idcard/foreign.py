"""The two foreign permanent resident card layouts of the text block.

'I', the 2017 foreign permanent resident card: its own layout (GA/T 1444 machine-readable
data), a 15-character number (nationality and 12 digits) without a check digit. 'Y', the
2023 foreign permanent resident ID: a resident-like layout as published by the National
Immigration Administration, the English name in the address field continued at 220, the
nationality code at 242, and an 18-digit number starting with 9 with a check digit.
"""

from __future__ import annotations

import re

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

FOREIGN_PR_FIELDS: Fields = {
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
FOREIGN_PR_2023_FIELDS: Fields = {
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
_OLD_FOREIGN_NUMBER = re.compile(r"[A-Z]{3}[0-9]{12}")
_NATIONALITY = re.compile(r"[A-Z]{3}")
_ENGLISH_NAME = re.compile(r"[A-Z][A-Z ,.'-]*")
_ENGLISH_NAME_FIRST_PART = FOREIGN_PR_2023_FIELDS["english_name"][1] // 2


def _english_name(value: str) -> str:
    if _ENGLISH_NAME.fullmatch(value) is None:
        raise GarbledCard("English name is empty or not capital Latin letters")
    return value


def _nationality(value: str) -> str:
    if _NATIONALITY.fullmatch(value) is None:
        raise GarbledCard("nationality is not a three-letter code")
    return value


def parse_foreign_pr(text: str, photo: bytes) -> IdentityCard:
    fields = FOREIGN_PR_FIELDS
    english_name = _english_name(read_field(text, "english_name", fields))
    sex = parse_sex(text, fields)
    id_number = read_field(text, "id_number", fields)
    if _OLD_FOREIGN_NUMBER.fullmatch(id_number) is None:
        raise GarbledCard("permanent residence number is not 3 letters and 12 digits")
    nationality = _nationality(read_field(text, "nationality", fields))
    if id_number[:3] != nationality:
        raise GarbledCard("permanent residence number and nationality disagree")
    name = chinese_name(read_field(text, "name", fields))
    valid_from, valid_to = parse_validity(text, fields)
    birth_date = parse_date(read_field(text, "birth", fields), "birth date")
    authority = read_field(text, "authority", fields)
    if not authority.isascii() or not authority.isdigit():
        raise GarbledCard("accepting authority code is not digits")
    version = read_field(text, "version", fields)
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


def parse_foreign_pr_2023(text: str, photo: bytes) -> IdentityCard:
    fields = FOREIGN_PR_2023_FIELDS
    name = chinese_name(read_field(text, "name", fields))
    sex = parse_sex(text, fields)
    issue_count = parse_issue_count(read_field(text, "issue_count", fields))
    birth_date = parse_date(read_field(text, "birth", fields), "birth date")
    offset, size = fields["english_name"]
    first = text[offset // 2 : (offset + size) // 2]  # unstripped: it may continue at 220
    more = read_field(text, "english_name_more", fields)
    english_name = _english_name((first + more).rstrip(" "))
    id_number = checked_id_number(read_field(text, "id_number", fields))
    if not id_number.startswith("9"):
        raise GarbledCard("permanent residence ID number does not start with 9")
    authority = read_field(text, "authority", fields)
    valid_from, valid_to = parse_validity(text, fields)
    nationality = _nationality(read_field(text, "nationality", fields))
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


def _chinese_name_field(card: IdentityCard) -> str:
    """A card without a Chinese name goes by its English name: the field stays empty."""
    return "" if card.name == card.english_name else card.name


def foreign_pr_values(card: IdentityCard) -> dict[str, str]:
    """The fields of a 2017 card's text block (the inverse of ``parse_foreign_pr``)."""
    return {
        "english_name": card.english_name,
        "sex": SEX_CODES[card.sex],
        "id_number": card.id_number,
        "nationality": card.nationality,
        "name": _chinese_name_field(card),
        "authority": card.authority,
        "version": "20",
        **date_values(card),
    }


def foreign_pr_2023_values(card: IdentityCard) -> dict[str, str]:
    """The fields of a 2023 card's text block (the inverse of ``parse_foreign_pr_2023``)."""
    return {
        "name": _chinese_name_field(card),
        "sex": SEX_CODES[card.sex],
        "issue_count": f"{card.issue_count or 0:02d}",
        "english_name": card.english_name[:_ENGLISH_NAME_FIRST_PART],
        "english_name_more": card.english_name[_ENGLISH_NAME_FIRST_PART:],
        "id_number": card.id_number,
        "authority": card.authority,
        "nationality": card.nationality,
        **date_values(card),
    }
