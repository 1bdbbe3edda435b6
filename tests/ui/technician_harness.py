"""A window over a started core (simulated devices, the sandbox platform process), as
``ui.app`` wires them, with technician mode on a fake clock the tests move."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from kiosk.config import Settings
from kiosk.runtime import Runtime, build_runtime
from kiosk.session import State
from kiosk.technician import TAPS
from tests.clock import FakeClock
from tests.kiosk_harness import consent_when_asked
from ui.bridge import SessionBridge
from ui.technician import TechnicianDesk
from ui.window import KioskWindow

PIN = "135790"
IDLE_S = 120.0


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
        # Signals the stopped threads queued are delivered now, while every receiver (desk,
        # bridge, window) still lives: delivered after they are collected, one crashed Qt.
        QApplication.sendPostedEvents()
        QApplication.processEvents()
        self.window.close()

    def actions(self) -> list[str]:
        """The technician actions queued in the outbox (its drain is stopped)."""
        items = self.runtime.outbox.peek(1000)
        return [i.payload["action"] for i in items if i.kind == "technician_action"]


def start_kiosk(qtbot: QtBot, settings: Settings, wall: FakeClock, consents: bool = True) -> Kiosk:
    """Technician mode shows the tail of ``<state_dir>/kiosk.log``. ``consents``: the
    resident agrees on the 查询授权 screen at once (False: the test answers it)."""
    clock = FakeClock()
    bridge = SessionBridge()
    runtime = build_runtime(settings, bridge.publish, bridge.publish_platform)
    terminal = runtime.terminal
    log_file = settings.terminal.state_dir / "kiosk.log"
    desk = TechnicianDesk(settings, terminal, lambda: runtime, log_file, clock, wall)
    window = KioskWindow(
        terminal,
        "新泰市政务服务中心",
        clock=clock,
        service_window=settings.terminal.service_window,
        technician=desk,
        consent_text=settings.consent.text,
    )
    bridge.changed.connect(window.apply)
    bridge.platform_changed.connect(window.apply_platform)
    if consents:
        bridge.changed.connect(lambda view: consent_when_asked(view, window.consent.agree.click))
    window.bridge = bridge
    qtbot.addWidget(window)
    window.resize(1920, 1080)
    window.show()
    runtime.start()
    runtime.drainer.stop()  # what was queued stays in the outbox for the test to read
    terminal.wait_for_health_checks(5.0)
    qtbot.waitUntil(lambda: window.view is not None and window.view.state is State.IDLE)
    return Kiosk(window, runtime, desk, clock, wall)


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
