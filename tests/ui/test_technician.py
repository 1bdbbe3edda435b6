"""Technician mode through the window: the corner gesture, the PIN pad, the lockout across a
restart, leaving on idle, never during a resident's session, and what the outbox records.

A real core runs below the window (simulated devices, the sandbox platform process); the
window and technician mode run on a fake clock the tests move.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.config import Settings
from kiosk.demo import DemoEnvironment
from kiosk.technician import LOCKOUT_S, TAPS
from sandbox import population
from tests.clock import FakeClock
from tests.ui.technician_harness import (
    IDLE_S,
    PIN,
    Kiosk,
    corner_taps,
    current,
    enter,
    start_kiosk,
    type_pin,
    wait_for_actions,
)
from ui.strings import technician as text


def test_five_corner_taps_and_the_pin_open_technician_mode(qtbot: QtBot, kiosk: Kiosk) -> None:
    enter(qtbot, kiosk)
    screens = kiosk.window.technician
    assert screens is not None and screens.is_open
    qtbot.mouseClick(screens.panel.exit, Qt.MouseButton.LeftButton)
    assert current(kiosk) is kiosk.window.attract
    wait_for_actions(qtbot, kiosk, ["entered", "left"])
    (entered, _left) = (
        i.payload for i in kiosk.runtime.outbox.peek(1000) if i.kind == "technician_action"
    )
    assert entered["terminal_id"] == kiosk.runtime.settings.terminal.id


def test_slow_taps_or_four_taps_do_nothing(qtbot: QtBot, kiosk: Kiosk) -> None:
    corner_taps(qtbot, kiosk, apart_s=1.0)  # five taps over four seconds
    assert current(kiosk) is kiosk.window.attract
    kiosk.clock.now += 10
    corner_taps(qtbot, kiosk, taps=TAPS - 1)
    assert current(kiosk) is kiosk.window.attract


def test_the_gesture_does_nothing_while_a_resident_session_holds_personal_data(
    qtbot: QtBot, kiosk: Kiosk, demo: DemoEnvironment
) -> None:
    reader = kiosk.runtime.terminal.devices.reader
    reader.cards.update({c.key: c.card for c in demo.cards})  # type: ignore[attr-defined]
    reader.lay_card(population.richest_resident().key)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: current(kiosk) is kiosk.window.report, timeout=10_000)
    corner_taps(qtbot, kiosk)
    assert current(kiosk) is kiosk.window.report
    assert kiosk.actions() == []


def test_a_card_laid_in_technician_mode_starts_no_session(
    qtbot: QtBot, kiosk: Kiosk, demo: DemoEnvironment
) -> None:
    enter(qtbot, kiosk)
    reader = kiosk.runtime.terminal.devices.reader
    reader.cards.update({c.key: c.card for c in demo.cards})  # type: ignore[attr-defined]
    number = kiosk.window.view.number if kiosk.window.view else 0
    with qtbot.assertNotEmitted(kiosk.window.bridge.changed, wait=1000):
        reader.lay_card(population.richest_resident().key)  # type: ignore[attr-defined]
    screens = kiosk.window.technician
    assert screens is not None and current(kiosk) is screens.panel
    assert kiosk.window.view is not None and kiosk.window.view.number == number


def test_a_resident_card_laid_while_the_pin_is_typed_wins(
    qtbot: QtBot, kiosk: Kiosk, demo: DemoEnvironment
) -> None:
    corner_taps(qtbot, kiosk)
    reader = kiosk.runtime.terminal.devices.reader
    reader.cards.update({c.key: c.card for c in demo.cards})  # type: ignore[attr-defined]
    reader.lay_card(population.richest_resident().key)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: current(kiosk) is kiosk.window.report, timeout=10_000)
    screens = kiosk.window.technician
    assert screens is not None and not screens.is_open


def test_five_wrong_pins_lock_the_mode_across_a_restart(
    qtbot: QtBot, settings: Settings, wall: FakeClock
) -> None:
    first = start_kiosk(qtbot, settings, wall)
    screens = first.window.technician
    assert screens is not None
    try:
        corner_taps(qtbot, first)
        for tries_left in (4, 3, 2, 1):
            type_pin(qtbot, first, "000000")
            expected = text.PIN_WRONG.format(tries=tries_left)
            qtbot.waitUntil(lambda e=expected: screens.pad.message.text() == e)  # type: ignore[misc]
        type_pin(qtbot, first, "000000")
        locked = text.PIN_LOCKED.format(minutes=5)
        qtbot.waitUntil(lambda: screens.pad.message.text() == locked)
        assert not screens.pad.ok.isEnabled()
        wait_for_actions(qtbot, first, ["pin_wrong"] * 5 + ["locked_out"])
    finally:
        first.stop()

    wall.now += LOCKOUT_S - 60
    second = start_kiosk(qtbot, settings, wall)  # new objects, the same state directory
    screens = second.window.technician
    assert screens is not None
    try:
        corner_taps(qtbot, second)
        assert current(second) is screens.pad
        assert screens.pad.message.text() == text.PIN_LOCKED.format(minutes=1)
        assert not screens.pad.keys["1"].isEnabled()
        second.clock.now += 10  # the refusal goes by itself
        qtbot.waitUntil(lambda: current(second) is second.window.attract)
        wall.now += 60
        enter(qtbot, second)
    finally:
        second.stop()


def test_technician_mode_leaves_by_itself_when_idle(qtbot: QtBot, kiosk: Kiosk) -> None:
    enter(qtbot, kiosk)
    screens = kiosk.window.technician
    assert screens is not None
    kiosk.clock.now += IDLE_S - 30
    qtbot.mouseClick(screens.panel.exit.parentWidget(), Qt.MouseButton.LeftButton)  # a touch
    kiosk.clock.now += 60
    qtbot.wait(300)  # the window's timer ticks
    assert current(kiosk) is screens.panel
    assert text.IDLE_COUNTDOWN.format(seconds=60) == kiosk.window.countdown.text()
    kiosk.clock.now += 60
    qtbot.waitUntil(lambda: current(kiosk) is kiosk.window.attract)
    assert not screens.is_open
    wait_for_actions(qtbot, kiosk, ["entered", "left_idle"])


def test_a_pin_too_short_costs_no_try(qtbot: QtBot, kiosk: Kiosk) -> None:
    screens = kiosk.window.technician
    assert screens is not None
    corner_taps(qtbot, kiosk)
    type_pin(qtbot, kiosk, "123")
    assert screens.pad.message.text() == text.PIN_TOO_SHORT
    type_pin(qtbot, kiosk, PIN)
    qtbot.waitUntil(lambda: current(kiosk) is screens.panel)
    wait_for_actions(qtbot, kiosk, ["entered"])
