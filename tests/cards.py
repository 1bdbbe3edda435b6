"""Identity cards for tests: synthetic people, valid check digits, never real data."""

from __future__ import annotations

import datetime as dt

from devices.idcard.card import CardType, IdentityCard
from devices.idcard.idnumber import check_digit


def id_number(
    region: str = "370982", birth: dt.date = dt.date(1990, 3, 7), seq: str = "123"
) -> str:
    first17 = region + birth.strftime("%Y%m%d") + seq
    return first17 + check_digit(first17)


def make_card(**overrides: object) -> IdentityCard:
    birth = overrides.pop("birth_date", dt.date(1990, 3, 7))
    assert isinstance(birth, dt.date)
    fields: dict[str, object] = {
        "name": "测试员甲",
        "sex": "男",
        "ethnicity": "汉",
        "birth_date": birth,
        "address": "山东省新泰市青云街道测试路1号",
        "id_number": id_number(birth=birth),
        "authority": "新泰市公安局",
        "valid_from": dt.date(2020, 1, 1),
        "valid_to": dt.date(2040, 1, 1),
    }
    fields.update(overrides)
    return IdentityCard(**fields)  # type: ignore[arg-type]


def checked(first17: str) -> str:
    return first17 + check_digit(first17)


def permit_card(**overrides: object) -> IdentityCard:
    """A Hong Kong resident's residence permit (mark 'J')."""
    birth = dt.date(1988, 5, 20)
    fields: dict[str, object] = {
        "name": "测试港",
        "sex": "女",
        "ethnicity": "",
        "birth_date": birth,
        "address": "广东省深圳市福田区测试路2号",
        "id_number": checked("810000" + birth.strftime("%Y%m%d") + "032"),
        "authority": "深圳市公安局福田分局",
        "valid_from": dt.date(2021, 9, 1),
        "valid_to": dt.date(2031, 9, 1),
        "card_type": CardType.HK_MO_TW,
        "pass_number": "H12345678",
        "issue_count": 1,
    }
    fields.update(overrides)
    return IdentityCard(**fields)  # type: ignore[arg-type]


def foreign_card(**overrides: object) -> IdentityCard:
    """A 2017 foreign permanent resident card (mark 'I')."""
    fields: dict[str, object] = {
        "name": "史密斯",
        "sex": "男",
        "ethnicity": "",
        "birth_date": dt.date(1975, 1, 2),
        "address": "",
        "id_number": "USA370075010215",
        "authority": "3700",
        "valid_from": dt.date(2019, 6, 16),
        "valid_to": dt.date(2029, 6, 15),
        "card_type": CardType.FOREIGN_PR,
        "english_name": "SMITH JOHN",
        "nationality": "USA",
    }
    fields.update(overrides)
    return IdentityCard(**fields)  # type: ignore[arg-type]


def foreign_2023_card(**overrides: object) -> IdentityCard:
    """A 2023 foreign permanent resident ID card (mark 'Y'), English name over 35 letters."""
    fields: dict[str, object] = {
        "name": "史密斯",
        "sex": "男",
        "ethnicity": "",
        "birth_date": dt.date(1975, 1, 2),
        "address": "",
        "id_number": checked("93708401975010210"),
        "authority": "国家移民管理局",
        "valid_from": dt.date(2024, 1, 1),
        "valid_to": dt.date(2034, 1, 1),
        "card_type": CardType.FOREIGN_PR_2023,
        "english_name": "SMITH JOHN MICHAEL ALEXANDER WILLIAM THE THIRD",
        "nationality": "USA",
        "issue_count": 0,
    }
    fields.update(overrides)
    return IdentityCard(**fields)  # type: ignore[arg-type]
