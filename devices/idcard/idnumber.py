"""Resident ID number (GB 11643) check digit: ISO 7064 MOD 11-2."""

from __future__ import annotations

import re

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_SHAPE = re.compile(r"[0-9]{17}[0-9X]")


def check_digit(first17: str) -> str:
    """The 18th character for the first 17 digits of an ID number."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("check_digit needs exactly 17 ASCII digits")
    return _CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def has_id_shape(number: str) -> bool:
    """17 digits then a digit or X: the shape, not the check digit."""
    return _SHAPE.fullmatch(number) is not None


def is_valid_id_number(number: str) -> bool:
    return has_id_shape(number) and check_digit(number[:17]) == number[17]


def mask_id_number(number: str) -> str:
    """First 4 and last 4 characters visible: ``3709**********123X``."""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_name(name: str) -> str:
    """One character visible per end: 张* for two characters, 张*三 for three, 欧**锋 for four."""
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]
