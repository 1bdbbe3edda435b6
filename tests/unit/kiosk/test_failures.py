from pathlib import Path

import pytest

from kiosk import failures
from kiosk.session import Failure, FailureReason, State

DOC = Path(__file__).parents[3] / "docs" / "failure-codes.md"


def test_every_failure_reason_has_an_entry() -> None:
    assert set(failures.REASONS) == set(FailureReason)


def test_codes_are_unique_four_digit_numbers() -> None:
    codes = [entry.code for _, entry in failures.all_entries()]
    assert len(codes) == len(set(codes))
    assert all(1000 <= code <= 9999 for code in codes)


def test_every_text_is_chinese_and_names_no_internal_code() -> None:
    for what, entry in failures.all_entries():
        for text in (entry.title, entry.explanation, entry.todo):
            assert any("\u4e00" <= ch <= "\u9fa5" for ch in text), what
            assert not any("a" <= ch.lower() <= "z" for ch in text), what
            assert "校验位" not in text, what


@pytest.mark.parametrize(
    ("failure", "code"),
    [
        (Failure(FailureReason.PRINTER_FAULT, State.PRINTING, "paper_out"), 3101),
        (Failure(FailureReason.PRINTER_FAULT, State.PRINTING, "something_new"), 3100),
        (Failure(FailureReason.TIMEOUT, State.FETCHING), 4103),
        (Failure(FailureReason.TIMEOUT, State.SHOWING), 4100),
        (Failure(FailureReason.CARD_CHECKSUM, State.READING, "checksum"), 1102),
    ],
)
def test_the_most_specific_entry_is_shown(failure: Failure, code: int) -> None:
    assert failures.describe(failure).code == code


def test_the_clerks_line_names_the_window_and_the_code() -> None:
    entry = failures.REASONS[FailureReason.PLATFORM_UNAVAILABLE]
    assert (
        failures.go_to_window(entry, "3号窗口")
        == "需要帮助请到3号窗口，并告诉工作人员错误代码 2101"
    )
    assert "服务窗口" in failures.go_to_window(entry, "")


def test_the_clerks_document_matches_the_catalogue() -> None:
    assert DOC.read_text(encoding="utf-8") == failures.clerks_table(), (
        "regenerate: python -m kiosk.failures > docs/failure-codes.md"
    )
