"""The enterprise report through the core without Qt: the choice on the attract screen, the
card, the code, the sandbox process's answer, the outbox's query record and the A4 print."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from pypdf import PdfReader

from kiosk import terminal, uscc
from kiosk.demo import DemoEnvironment
from kiosk.session import FailureReason, PrintKind, SessionView, State
from kiosk.terminal import session_timeouts
from sandbox import population
from tests import kiosk_harness
from tests.kiosk_harness import RunningKiosk

FAST = replace(kiosk_harness.FAST, fetching_timeout_s=5)
FIRM = population.represented_by("r07")[0]


@pytest.fixture
def kiosk(demo: DemoEnvironment) -> Iterator[RunningKiosk]:
    running = RunningKiosk(demo.with_session(FAST), demo.cards)
    yield running
    running.runtime.stop()


def ask_for_the_enterprise_report(kiosk: RunningKiosk, card_key: str) -> SessionView:
    kiosk.runtime.terminal.choose_enterprise(True)
    chosen = kiosk.views_until(lambda v: v.state is State.IDLE and v.enterprise)[-1]
    assert chosen.report is None
    kiosk.reader.lay_card(card_key)
    return kiosk.wait_for(State.ENTERPRISE_CODE)


def test_the_legal_representative_gets_and_prints_the_enterprise_report(
    kiosk: RunningKiosk, demo: DemoEnvironment
) -> None:
    asking = ask_for_the_enterprise_report(kiosk, "r07")
    assert asking.enterprise and asking.report is None
    kiosk.runtime.terminal.enter_enterprise_code(FIRM.uscc)
    shown = kiosk.wait_for(State.SHOWING)
    assert shown.report is not None and shown.report.is_enterprise
    assert shown.report.subject.uscc == FIRM.uscc
    (query,) = kiosk.events("query_record")
    assert (query["outcome"], query["uscc"]) == ("shown", FIRM.uscc)
    kiosk.runtime.terminal.print_report(frozenset({PrintKind.A4}))
    kiosk.wait_for(State.DONE)
    (pdf,) = demo.printed_dir.glob("*.pdf")
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "企业公共信用信息报告" in text and "个人公共信用信息报告" not in text
    assert FIRM.uscc in text and FIRM.name in text
    kiosk.wait_until_drained()
    assert demo.sandbox is not None
    assert demo.sandbox.state()["events_by_kind"].get("query_record") == 1


@pytest.mark.parametrize(
    ("card_key", "code", "reason"),
    [
        ("r01", FIRM.uscc, FailureReason.NOT_LEGAL_REPRESENTATIVE),
        (
            "r07",
            (other := FIRM.uscc[:16] + "0") + uscc.check_character(other),
            FailureReason.ENTERPRISE_NOT_FOUND,
        ),
    ],
)
def test_refusals_end_the_session_with_their_reason(
    kiosk: RunningKiosk, card_key: str, code: str, reason: FailureReason
) -> None:
    assert population.find_enterprise(code) is None or code == FIRM.uscc
    ask_for_the_enterprise_report(kiosk, card_key)
    kiosk.runtime.terminal.enter_enterprise_code(code)
    failed = kiosk.wait_for(State.FAILED)
    assert failed.failure is not None and failed.failure.reason is reason
    assert failed.report is None and failed.holder_name == ""
    (query,) = kiosk.events("query_record")
    assert query["outcome"] == f"failed_{failed.failure.code.lower()}"
    assert query["uscc"] == code


def test_an_invalid_code_never_leaves_the_terminal(
    kiosk: RunningKiosk, demo: DemoEnvironment
) -> None:
    ask_for_the_enterprise_report(kiosk, "r07")
    kiosk.runtime.terminal.enter_enterprise_code(FIRM.uscc[:17] + "I")
    kiosk.runtime.terminal.touch()  # a view after the code was handled
    asking = kiosk.views_until(lambda v: v.state is State.ENTERPRISE_CODE)[-1]
    assert asking.state is State.ENTERPRISE_CODE
    assert demo.sandbox is not None and demo.sandbox.state()["reports"] == 0


def test_back_on_the_keyboard_ends_the_session(kiosk: RunningKiosk) -> None:
    ask_for_the_enterprise_report(kiosk, "r07")
    kiosk.runtime.terminal.end_session()
    idle = kiosk.wait_for(State.IDLE)
    assert not idle.enterprise and idle.holder_name == ""
    assert kiosk.events("query_record") == []


def test_the_choice_can_be_taken_back_and_is_used_once(kiosk: RunningKiosk) -> None:
    terminal = kiosk.runtime.terminal
    terminal.choose_enterprise(True)
    kiosk.views_until(lambda v: v.enterprise)
    terminal.choose_enterprise(False)
    kiosk.views_until(lambda v: v.state is State.IDLE and not v.enterprise)
    kiosk.reader.lay_card("r07")
    shown = kiosk.wait_for(State.SHOWING)
    assert shown.report is not None and not shown.report.is_enterprise
    kiosk.reader.remove_card()
    kiosk.wait_for(State.IDLE)
    # used once: the next card after an enterprise session is a person's again
    ask_for_the_enterprise_report(kiosk, "r07")
    kiosk.reader.remove_card()
    kiosk.wait_for(State.IDLE)
    kiosk.reader.lay_card("r07")
    again = kiosk.wait_for(State.SHOWING)
    assert again.report is not None and not again.report.is_enterprise


def test_the_choice_lapses_when_no_card_follows(
    kiosk: RunningKiosk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(terminal, "ENTERPRISE_CHOICE_S", 0.3)
    kiosk.runtime.terminal.choose_enterprise(True)
    kiosk.views_until(lambda v: v.enterprise)
    lapsed = kiosk.views_until(lambda v: not v.enterprise, timeout=5)[-1]
    assert lapsed.state is State.IDLE


def test_the_session_timeout_settings_name_the_code_state() -> None:
    settings = replace(FAST, enterprise_code_timeout_s=7.0)
    assert session_timeouts(settings)[State.ENTERPRISE_CODE] == 7.0
