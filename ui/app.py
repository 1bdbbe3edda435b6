"""Start the kiosk: runtime below, window on top, the Qt event loop in between."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication

from devices.idcard.simulated import SimulatedReader
from kiosk.config import Settings
from kiosk.runtime import Runtime, build_runtime
from ui.bridge import SessionBridge
from ui.window import KioskWindow

if TYPE_CHECKING:
    from kiosk.demo import DemoEnvironment

log = logging.getLogger(__name__)


def application() -> QApplication:
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    return QApplication(sys.argv[:1])


def build_window(
    settings: Settings, demo_env: DemoEnvironment | None = None
) -> tuple[KioskWindow, Runtime]:
    """The window wired to a runtime that is built but not started."""
    bridge = SessionBridge()
    runtime = build_runtime(settings, bridge.publish, bridge.publish_platform)
    reader = runtime.terminal.devices.reader
    demo = None
    demo_cards = demo_env.cards if demo_env is not None else []
    if settings.demo and demo_env is not None and isinstance(reader, SimulatedReader):
        reader.cards.update({c.key: c.card for c in demo_cards})
        demo = reader
    window = KioskWindow(
        runtime.terminal,
        settings.terminal.hall_name,
        demo=demo,
        demo_cards=[(c.key, c.caption) for c in demo_cards] if demo else (),
        demo_outage=demo_env.set_outage if demo and demo_env else None,
    )
    bridge.changed.connect(window.apply)
    bridge.platform_changed.connect(window.apply_platform)
    window.bridge = bridge  # keep the bridge alive as long as the window
    return window, runtime


_first_paint_logged = False


def _log_first_paint() -> None:
    global _first_paint_logged
    if not _first_paint_logged:
        _first_paint_logged = True
        log.info("first frame painted %.3f s after process start", process_age_s())


def process_age_s() -> float:
    """Seconds since this process started (from /proc, so it counts interpreter start-up)."""
    with open("/proc/self/stat", encoding="ascii") as stat:
        start_ticks = int(stat.read().rsplit(")", 1)[1].split()[19])
    with open("/proc/uptime", encoding="ascii") as uptime:
        uptime_s = float(uptime.read().split()[0])
    return uptime_s - start_ticks / os.sysconf("SC_CLK_TCK")


def run(
    settings: Settings,
    demo_env: DemoEnvironment | None,
    full_screen: bool = True,
    script: Callable[[KioskWindow, Runtime], None] | None = None,
) -> int:
    app = application()
    window, runtime = build_window(settings, demo_env)
    QShortcut(QKeySequence("Ctrl+Shift+Q"), window, app.quit)
    window.painted.connect(_log_first_paint)
    if script is not None:
        script(window, runtime)  # before start: the script must see the first view
    runtime.start()
    if full_screen:
        window.show_kiosk()
    else:
        window.resize(1920, 1080)
        window.show()
    try:
        return app.exec()
    finally:
        runtime.stop()
        window.close()
