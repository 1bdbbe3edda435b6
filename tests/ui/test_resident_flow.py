"""The resident's way through the window over a started core (simulated reader and printers,
the sandbox platform): 查询授权, the card lifted and laid back, 还需要更多时间吗？, 退出,
呼叫工作人员, failures with window and code, and an outage."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from kiosk import failures
from kiosk.config import SessionSettings, Settings
from kiosk.demo import DemoEnvironment
from kiosk.session import Failure, FailureReason, State
from sandbox import population
from tests.clock import FakeClock
from tests.ui.technician_harness import Kiosk, start_kiosk
from ui.strings import attract as attract_text
from ui.strings import flow

WAIT_MS = 15_000
RESIDENT = population.DEMO_KEYS[0]
SLOW = SessionSettings(card_grace_s=60.0, still_there_s=60.0)
"""Nothing runs out by itself during a test unless the test shortens it."""


def texts(widget: QWidget) -> list[str]:
    QApplication.processEvents()
    shown = [label.text() for label in widget.findChildren(QLabel) if label.isVisibleTo(widget)]
    return shown + [b.text() for b in widget.findChildren(QAbstractButton) if b.isVisibleTo(widget)]


@pytest.fixture
def start(
    qtbot: QtBot, settings: Settings, wall: FakeClock, demo: DemoEnvironment
) -> Iterator[Callable[[SessionSettings], Kiosk]]:
    """A kiosk whose resident answers the consent screen themselves."""
    started: list[Kiosk] = []

    def start_with(session: SessionSettings) -> Kiosk:
        terminal = replace(settings.terminal, service_window="3号窗口")
        kiosk = start_kiosk(
            qtbot, replace(settings, session=session, terminal=terminal), wall, consents=False
        )
        reader = kiosk.runtime.terminal.devices.reader
        reader.cards.update({c.key: c.card for c in demo.cards})  # type: ignore[attr-defined]
        started.append(kiosk)
        return kiosk

    yield start_with
    for kiosk in started:
        kiosk.stop()


def shown(qtbot: QtBot, kiosk: Kiosk, screen: QWidget) -> None:
    qtbot.waitUntil(lambda: kiosk.window.stack.currentWidget() is screen, timeout=WAIT_MS)


def lay(kiosk: Kiosk, key: str = RESIDENT) -> None:
    kiosk.runtime.terminal.devices.reader.lay_card(key)  # type: ignore[attr-defined]


def lift(kiosk: Kiosk) -> None:
    kiosk.runtime.terminal.devices.reader.remove_card()  # type: ignore[attr-defined]


def queued(kiosk: Kiosk, kind: str) -> list[dict[str, object]]:
    return [i.payload for i in kiosk.runtime.outbox.peek(1000) if i.kind == kind]


def to_report(qtbot: QtBot, kiosk: Kiosk) -> None:
    lay(kiosk)
    shown(qtbot, kiosk, kiosk.window.consent)
    kiosk.window.consent.agree.click()
    shown(qtbot, kiosk, kiosk.window.report)


def test_consent_given_shows_the_report_and_is_recorded(
    qtbot: QtBot, start: Callable[[SessionSettings], Kiosk]
) -> None:
    kiosk = start(SLOW)
    lay(kiosk)
    shown(qtbot, kiosk, kiosk.window.consent)
    assert "查询授权" in texts(kiosk.window.consent)
    assert queued(kiosk, "consent") == [] and queued(kiosk, "query_record") == []
    kiosk.window.consent.agree.click()
    shown(qtbot, kiosk, kiosk.window.report)
    (consent,) = queued(kiosk, "consent")
    assert consent["text_version"] == kiosk.runtime.settings.consent.version


def test_consent_refused_ends_and_asks_for_the_card(
    qtbot: QtBot, start: Callable[[SessionSettings], Kiosk]
) -> None:
    kiosk = start(SLOW)
    lay(kiosk)
    shown(qtbot, kiosk, kiosk.window.consent)
    kiosk.window.consent.refuse.click()
    shown(qtbot, kiosk, kiosk.window.attract)
    qtbot.waitUntil(lambda: flow.TAKE_CARD in texts(kiosk.window.attract), timeout=WAIT_MS)
    assert attract_text.PROMPT not in texts(kiosk.window.attract)
    assert queued(kiosk, "consent") == [] and queued(kiosk, "query_record") == []
    lift(kiosk)
    qtbot.waitUntil(lambda: attract_text.PROMPT in texts(kiosk.window.attract), timeout=WAIT_MS)


def test_the_card_laid_back_within_the_grace_period_returns_to_the_print_choice(
    qtbot: QtBot, start: Callable[[SessionSettings], Kiosk]
) -> None:
    kiosk = start(SLOW)
    to_report(qtbot, kiosk)
    kiosk.window.report.print.click()
    lift(kiosk)
    shown(qtbot, kiosk, kiosk.window.card_away)
    assert any(t.endswith("秒内放回身份证") for t in texts(kiosk.window.card_away))
    lay(kiosk)
    shown(qtbot, kiosk, kiosk.window.print_choice)


def test_the_card_not_laid_back_in_time_wipes(
    qtbot: QtBot, start: Callable[[SessionSettings], Kiosk]
) -> None:
    kiosk = start(replace(SLOW, card_grace_s=0.5))
    to_report(qtbot, kiosk)
    lift(kiosk)
    shown(qtbot, kiosk, kiosk.window.attract)
    assert attract_text.PROMPT in texts(kiosk.window.attract)
    assert kiosk.window.report.report is None


def test_another_card_laid_back_wipes_and_asks_for_it_to_be_taken(
    qtbot: QtBot, start: Callable[[SessionSettings], Kiosk]
) -> None:
    kiosk = start(SLOW)
    to_report(qtbot, kiosk)
    lift(kiosk)
    shown(qtbot, kiosk, kiosk.window.card_away)
    lay(kiosk, population.DEMO_KEYS[1])
    shown(qtbot, kiosk, kiosk.window.attract)
    assert flow.TAKE_CARD in texts(kiosk.window.attract)


def test_the_idle_prompt_answered_keeps_the_report(
    qtbot: QtBot, start: Callable[[SessionSettings], Kiosk]
) -> None:
    kiosk = start(replace(SLOW, showing_idle_timeout_s=0.5))
    to_report(qtbot, kiosk)
    shown(qtbot, kiosk, kiosk.window.still_there)
    assert "还需要更多时间吗？" in texts(kiosk.window.still_there)
    kiosk.window.still_there_need.click()
    shown(qtbot, kiosk, kiosk.window.report)
    assert kiosk.window.report.report is not None


def test_the_idle_prompt_ignored_wipes(
    qtbot: QtBot, start: Callable[[SessionSettings], Kiosk]
) -> None:
    kiosk = start(replace(SLOW, showing_idle_timeout_s=0.5, still_there_s=0.5))
    to_report(qtbot, kiosk)
    shown(qtbot, kiosk, kiosk.window.still_there)
    shown(qtbot, kiosk, kiosk.window.attract)
    assert kiosk.window.report.report is None
    assert flow.TAKE_CARD in texts(kiosk.window.attract)  # the card still lies there


def test_exit_cancelled_then_confirmed(
    qtbot: QtBot, start: Callable[[SessionSettings], Kiosk]
) -> None:
    kiosk = start(SLOW)
    to_report(qtbot, kiosk)
    kiosk.window.report.exit.click()
    shown(qtbot, kiosk, kiosk.window.exit_prompt)
    kiosk.window.exit_cancel.click()
    shown(qtbot, kiosk, kiosk.window.report)
    kiosk.window.report.exit.click()
    kiosk.window.exit_confirm.click()
    shown(qtbot, kiosk, kiosk.window.attract)
    assert flow.TAKE_CARD in texts(kiosk.window.attract)


def test_call_staff_queues_an_alert_and_says_help_is_coming(
    qtbot: QtBot, start: Callable[[SessionSettings], Kiosk]
) -> None:
    kiosk = start(SLOW)
    to_report(qtbot, kiosk)
    with qtbot.waitSignal(kiosk.window.staff_called, timeout=WAIT_MS):
        kiosk.window.call_staff.click()
    qtbot.waitUntil(lambda: bool(queued(kiosk, "staff_alert")), timeout=WAIT_MS)
    (alert,) = queued(kiosk, "staff_alert")
    assert (alert["state"], alert["screen"]) == ("showing", "report")
    assert "已通知工作人员，请稍候（3号窗口）" in texts(kiosk.window)


def test_a_failure_screen_names_the_window_and_the_code(
    qtbot: QtBot, start: Callable[[SessionSettings], Kiosk]
) -> None:
    kiosk = start(SLOW)
    lay(kiosk, "r04")  # an expired card
    shown(qtbot, kiosk, kiosk.window.failure)
    code = failures.describe(Failure(FailureReason.CARD_EXPIRED, State.READING)).code
    shown_texts = texts(kiosk.window.failure)
    assert f"需要帮助请到3号窗口，并告诉工作人员错误代码 {code}" in shown_texts
    assert flow.TAKE_CARD in shown_texts


def test_an_outage_replaces_the_card_prompt(
    qtbot: QtBot, start: Callable[[SessionSettings], Kiosk], demo: DemoEnvironment
) -> None:
    kiosk = start(SLOW)
    demo.set_outage(True)
    try:
        kiosk.runtime.watch.report_unavailable()
        outage = "信用报告暂时无法查询，请稍后再试或到3号窗口"
        qtbot.waitUntil(lambda: outage in texts(kiosk.window.attract), timeout=WAIT_MS)
        assert attract_text.PROMPT not in texts(kiosk.window.attract)
    finally:
        demo.set_outage(False)
