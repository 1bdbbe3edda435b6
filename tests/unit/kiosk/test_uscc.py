"""统一社会信用代码 (GB 32100-2015) against an independent implementation of the standard."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk import uscc

# --- the standard, written again another way -------------------------------------------------
# Values by position in the capitals without I, O, S, V, Z; weights as powers of 3; the check
# character found by trying each one until the whole weighted sum (its own weight 1 in the
# sense of GB 32100: "Σ + C18 ≡ 0 mod 31") comes out right.
_LETTERS = [c for c in string.ascii_uppercase if c not in "IOSVZ"]
_INDEPENDENT_VALUES = {
    **{str(d): d for d in range(10)},
    **{c: 10 + i for i, c in enumerate(_LETTERS)},
}


def _independent_check(first17: str) -> str:
    weighted = sum(_INDEPENDENT_VALUES[c] * pow(3, i, 31) for i, c in enumerate(first17))
    (char,) = [c for c, v in _INDEPENDENT_VALUES.items() if (weighted + v) % 31 == 0]
    return char


def _independent_valid(code: str) -> bool:
    return (
        len(code) == 18
        and all(c in _INDEPENDENT_VALUES for c in code)
        and code[2:8].isdigit()
        and _independent_check(code[:17]) == code[17]
    )


CODE_CHARS = "".join(_INDEPENDENT_VALUES)
first17s = st.builds(
    lambda head, division, body: head + division + body,
    st.text(CODE_CHARS, min_size=2, max_size=2),
    st.text("0123456789", min_size=6, max_size=6),
    st.text(CODE_CHARS, min_size=9, max_size=9),
)
valid_codes = first17s.map(lambda first17: first17 + _independent_check(first17))


def test_alphabet_is_the_standards() -> None:
    assert len(uscc.ALPHABET) == 31
    assert set(uscc.ALPHABET) == set(_INDEPENDENT_VALUES)
    assert not set(uscc.NOT_USED) & set(uscc.ALPHABET)
    assert tuple(3**i % 31 for i in range(17)) == uscc.WEIGHTS


@pytest.mark.parametrize(
    "code",
    ["91350100M000100Y43", "91110000600001760P", "91440300708461136T"],
)
def test_published_codes_are_valid(code: str) -> None:
    assert uscc.problem(code) is None


@given(st.text(CODE_CHARS, min_size=17, max_size=17))
def test_check_character_matches_the_independent_one(first17: str) -> None:
    assert uscc.check_character(first17) == _independent_check(first17)


@given(st.text(CODE_CHARS + "IOZSV", min_size=18, max_size=18) | valid_codes)
def test_validity_matches_the_independent_one(code: str) -> None:
    assert uscc.is_valid(code) is _independent_valid(code)


@given(valid_codes, st.integers(0, 17), st.sampled_from(CODE_CHARS))
def test_every_single_substitution_is_caught(code: str, position: int, char: str) -> None:
    typo = code[:position] + char + code[position + 1 :]
    assert uscc.is_valid(typo) is (typo == code)


@given(valid_codes, st.integers(0, 16))
def test_every_adjacent_transposition_is_caught(code: str, position: int) -> None:
    swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
    assert uscc.is_valid(swapped) is (swapped == code)


@pytest.mark.parametrize(
    ("typed", "kind", "message"),
    [
        (
            "91350100M000100Y4",
            "length",
            "统一社会信用代码应为 18 位，您输入了 17 位，请核对营业执照",
        ),
        (
            "91350100MO00100Y43",
            "character",
            "第 10 位“O”有误：统一社会信用代码中没有字母 O（代码不使用 I、O、Z、S、V），"
            "请核对营业执照",
        ),
        (
            "9135010-M000100Y43",
            "character",
            "第 8 位“-”有误：统一社会信用代码只由数字和大写字母组成，请核对营业执照",
        ),
        (
            "913501A0M000100Y43",
            "division",
            "第 3–8 位是登记机关的行政区划码，应为 6 位数字，请核对营业执照",
        ),
        ("91350100M000100Y44", "check", "第 18 位校验码不符，请核对营业执照"),
    ],
)
def test_each_typo_says_what_is_wrong(typed: str, kind: str, message: str) -> None:
    found = uscc.problem(typed)
    assert found is not None
    assert (found.kind, found.message) == (kind, message)


def test_typed_text_is_normalized() -> None:
    assert uscc.normalized(" 91350100m000100y43 ") == "91350100M000100Y43"
    assert uscc.is_valid(uscc.normalized("9135 0100 M000 100Y 43"))


def test_check_character_refuses_what_is_not_17_code_characters() -> None:
    with pytest.raises(ValueError):
        uscc.check_character("91350100M000100Y")
    with pytest.raises(ValueError):
        uscc.check_character("91350100M0001O0Y4")


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("", ""),
        ("9", "9"),
        ("913", "91 3"),
        ("91350100M", "91 350100 M"),
        ("91350100M000100Y43", "91 350100 M000100Y4 3"),
    ],
)
def test_grouped_as_typed(typed: str, shown: str) -> None:
    assert uscc.grouped(typed) == shown
