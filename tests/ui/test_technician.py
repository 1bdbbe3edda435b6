"""Technician mode through the window: the corner gesture, the PIN pad, the lockout across a
restart, leaving on idle, never during a resident's session, and what the outbox records.

A real core runs below the window (simulated devices, the sandbox platform process); the
window and technician mode run on a fake clock the tests move.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from kiosk.config import Settings, TechnicianSettings
from kiosk.demo import DemoEnvironment
from kiosk.runtime import Runtime, build_runtime
from kiosk.session import State
from kiosk.technician import LOCKOUT_S, TAPS, hash_pin
from sandbox import population
from tests.clock import FakeClock
from ui.bridge import SessionBridge
from ui.strings import technician as text
from ui.technician import TechnicianDesk
from ui.window import KioskWindow

PIN = "135790"
IDLE_S = 120.0


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoEnvironment]:
    root = tmp_path_factory.mktemp("technician")
    with DemoEnvironment(
        root=root, reader_options={"read_delay_s": 0.0}, printer_options={"job_delay_s": 0.0}
    ) as environment:
        yield environment


@dataclass
class Kiosk:
    """The window over a started core, as ``ui.app`` wires them, with a fake clock."""

    window: KioskWindow
    runtime: Runtime
    desk: TechnicianDesk
    clock: FakeClock
    wall: FakeClock

    def stop(self) -> None:
        self.desk.stop()
        self.runtime.stop()
        self.window.close()

    def actions(self) -> list[str]:
        """The technician actions queued in the outbox (its drain is stopped)."""
        items = self.runtime.outbox.peek(1000)
        return [i.payload["action"] for i in items if i.kind == "technician_action"]


def start_kiosk(qtbot: QtBot, settings: Settings, wall: FakeClock) -> Kiosk:
    clock = FakeClock()
    bridge = SessionBridge()
    runtime = build_runtime(settings, bridge.publish, bridge.publish_platform)
    terminal = runtime.terminal
    desk = TechnicianDesk(settings, terminal, lambda: runtime, clock=clock, wall_clock=wall)
    window = KioskWindow(terminal, "新泰市政务服务中心", clock=clock, technician=desk)
    bridge.changed.connect(window.apply)
    window.bridge = bridge
    qtbot.addWidget(window)
    window.resize(1920, 1080)
    window.show()
    runtime.start()
    runtime.drainer.stop()  # what was queued stays in the outbox for the test to read
    terminal.wait_for_health_checks(5.0)
    qtbot.waitUntil(lambda: window.view is not None and window.view.state is State.IDLE)
    return Kiosk(window, runtime, desk, clock, wall)


@pytest.fixture
def settings(demo: DemoEnvironment, tmp_path: Path) -> Settings:
    assert demo.settings is not None
    pin_hash = hash_pin(PIN, n=2**4, r=1, p=1)  # cheap parameters: stored with the hash
    return replace(
        demo.settings,
        terminal=replace(demo.settings.terminal, state_dir=tmp_path / "state"),
        technician=TechnicianSettings(pin_hash=pin_hash, idle_timeout_s=IDLE_S),
    )


@pytest.fixture
def wall() -> FakeClock:
    return FakeClock(start=1_900_000_000.0)


@pytest.fixture
def kiosk(qtbot: QtBot, settings: Settings, wall: FakeClock) -> Iterator[Kiosk]:
    k = start_kiosk(qtbot, settings, wall)
    yield k
    k.stop()


def corner_taps(qtbot: QtBot, kiosk: Kiosk, taps: int = TAPS, apart_s: float = 0.5) -> None:
    """Taps on the brand in the header's top-left corner (a label: the window sees them)."""
    window = kiosk.window
    brand = window.childAt(QPoint(60, 48))
    assert brand is not None and brand is not window
    for _ in range(taps):
        qtbot.mouseClick(
            brand, Qt.MouseButton.LeftButton, pos=brand.mapFrom(window, QPoint(60, 48))
        )
        kiosk.clock.now += apart_s


def type_pin(qtbot: QtBot, kiosk: Kiosk, pin: str) -> None:
    pad = kiosk.window.technician.pad if kiosk.window.technician else None
    assert pad is not None
    for digit in pin:
        qtbot.mouseClick(pad.keys[digit], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(pad.ok, Qt.MouseButton.LeftButton)


def current(kiosk: Kiosk) -> QWidget:
    return kiosk.window.stack.currentWidget()


def enter(qtbot: QtBot, kiosk: Kiosk) -> None:
    screens = kiosk.window.technician
    assert screens is not None
    corner_taps(qtbot, kiosk)
    assert current(kiosk) is screens.pad
    type_pin(qtbot, kiosk, PIN)
    qtbot.waitUntil(lambda: current(kiosk) is screens.panel)


def wait_for_actions(qtbot: QtBot, kiosk: Kiosk, expected: list[str]) -> None:
    qtbot.waitUntil(lambda: kiosk.actions() == expected)


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
