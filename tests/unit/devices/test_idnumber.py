import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.idcard.idnumber import (
    check_digit,
    is_valid_id_number,
    mask_id_number,
    mask_name,
)


def test_known_check_digits() -> None:
    # GB 11643 worked example.
    assert check_digit("11010519491231002") == "X"
    assert is_valid_id_number("11010519491231002X")
    assert not is_valid_id_number("110105194912310021")


@given(st.text("0123456789", min_size=17, max_size=17))
def test_exactly_one_check_character_is_valid(first17: str) -> None:
    valid = [c for c in "0123456789X" if is_valid_id_number(first17 + c)]
    assert valid == [check_digit(first17)]


def test_rejects_wrong_shapes() -> None:
    assert not is_valid_id_number("11010519491231002x")
    assert not is_valid_id_number("1101051949123100")
    with pytest.raises(ValueError):
        check_digit("１１010519491231002")  # full-width digits


@pytest.mark.parametrize(
    ("name", "masked"),
    [("张三", "张*"), ("张小三", "张*三"), ("欧阳小明", "欧**明"), ("李", "*")],
)
def test_mask_name(name: str, masked: str) -> None:
    assert mask_name(name) == masked


def test_mask_id_number_keeps_four_and_four() -> None:
    assert mask_id_number("37098219900307123X") == "3709**********123X"
