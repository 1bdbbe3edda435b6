"""统一社会信用代码 (unified social credit code, GB 32100-2015): check it before asking anyone.

18 characters from a 31-character set (the digits and the capitals without I, O, Z, S, V):
1 登记管理部门代码, 1 机构类别代码, 6 登记管理机关行政区划码 (digits), 9 主体标识码 (the
GB 11714 organisation code) and 1 校验码 = (31 − Σ Ci·Wi mod 31) mod 31 with Wi = 3^(i−1)
mod 31 over the first 17. The code is public registration data (it is printed on every
营业执照), so it may be shown and recorded as it is.

Not checked here: the organisation code's own GB 11714 check character (the national rule
is the 18th character; every single-character typo in positions 9–17 already changes it,
and a stricter local rule could only refuse a code the registry has issued), nor which
registration authority and type codes exist (authorities have been added since 2015).
This module imports only the standard library: ``sandbox/`` checks codes with it too.
"""

from __future__ import annotations

from dataclasses import dataclass

LENGTH = 18
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""The characters a code may hold, in the order of their values 0–30."""
NOT_USED = "IOZSV"
"""Capitals the code never uses (they look like 1, 0, 2, 5 and U)."""
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
GROUPS = (2, 6, 9, 1)
"""How a code is shown: authority and type, division, organisation code, check character."""
_VALUE = {char: value for value, char in enumerate(ALPHABET)}


def check_character(first17: str) -> str:
    """The 18th character for the first 17 characters of a code."""
    if len(first17) != LENGTH - 1 or any(c not in _VALUE for c in first17):
        raise ValueError("check_character needs 17 characters of the code's alphabet")
    total = sum(_VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


@dataclass(frozen=True)
class UsccProblem:
    """Why a code was refused: ``kind`` for code (``length``, ``character``, ``division``,
    ``check``), ``message`` for the resident."""

    kind: str
    message: str


def normalized(text: str) -> str:
    """What the resident typed, as a code is written: capitals, no spaces."""
    return "".join(text.split()).upper()


def problem(code: str) -> UsccProblem | None:
    """None when ``code`` (normalized) is a valid code; otherwise the first thing wrong."""
    if len(code) != LENGTH:
        return UsccProblem(
            "length", f"统一社会信用代码应为 18 位，您输入了 {len(code)} 位，请核对营业执照"
        )
    for position, char in enumerate(code, start=1):
        if char in _VALUE:
            continue
        if char in NOT_USED:
            why = f"统一社会信用代码中没有字母 {char}（代码不使用 I、O、Z、S、V）"
        else:
            why = "统一社会信用代码只由数字和大写字母组成"
        return UsccProblem("character", f"第 {position} 位“{char}”有误：{why}，请核对营业执照")
    if not code[2:8].isdigit():
        return UsccProblem(
            "division", "第 3–8 位是登记机关的行政区划码，应为 6 位数字，请核对营业执照"
        )
    if check_character(code[:17]) != code[17]:
        return UsccProblem("check", "第 18 位校验码不符，请核对营业执照")
    return None


def is_valid(code: str) -> bool:
    return problem(code) is None


def grouped(code: str) -> str:
    """``code`` (or its beginning, as typed) in the groups of ``GROUPS``, space-separated."""
    parts = []
    start = 0
    for size in GROUPS:
        if start >= len(code):
            break
        parts.append(code[start : start + size])
        start += size
    if start < len(code):
        parts.append(code[start:])
    return " ".join(parts)
