"""Identity cards for tests: synthetic people, valid check digits, never real data."""

from __future__ import annotations

import datetime as dt

from devices.idcard.card import IdentityCard
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
