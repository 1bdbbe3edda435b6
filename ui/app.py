"""Start the kiosk: runtime below, window on top, the Qt event loop in between."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication

from devices.idcard.simulated import SimulatedReader
from kiosk.config import Settings
from kiosk.demo import DemoCard
from kiosk.runtime import Runtime, build_runtime
from ui.bridge import SessionBridge
from ui.window import KioskWindow

log = logging.getLogger(__name__)


def application() -> QApplication:
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    return QApplication(sys.argv[:1])


def build_window(
    settings: Settings, demo_cards: list[DemoCard]
) -> tuple[KioskWindow, Runtime]:
    """The window wired to a runtime that is built but not started."""
    bridge = SessionBridge()
    runtime = build_runtime(settings, bridge.publish)
    reader = runtime.terminal.devices.reader
    demo = None
    if settings.demo and isinstance(reader, SimulatedReader):
        reader.cards.update({c.key: c.card for c in demo_cards})
        demo = reader
    window = KioskWindow(
        runtime.terminal,
        settings.terminal.hall_name,
        demo=demo,
        demo_cards=[(c.key, c.caption) for c in demo_cards] if demo else (),
    )
    bridge.changed.connect(window.apply)
    window.bridge = bridge  # keep the bridge alive as long as the window
    return window, runtime


def run(
    settings: Settings,
    demo_cards: list[DemoCard],
    full_screen: bool = True,
    script: Callable[[KioskWindow, Runtime], None] | None = None,
) -> int:
    app = application()
    window, runtime = build_window(settings, demo_cards)
    QShortcut(QKeySequence("Ctrl+Shift+Q"), window, activated=app.quit)
    runtime.start()
    if full_screen:
        window.show_kiosk()
    else:
        window.resize(1920, 1080)
        window.show()
    if script is not None:
        script(window, runtime)
    try:
        return app.exec()
    finally:
        runtime.stop()
        window.close()
