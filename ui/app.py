"""Start the kiosk: paint the attract screen first, then bring up everything below the UI.

Order at start-up: Qt, the window and the card reader's driver object are built on the GUI
thread and the attract screen is painted. Only then is the core (``kiosk.runtime``: the
platform client with requests, the outbox and content cache with sqlite-utils, the printers)
built and started, on a thread of its own; reportlab loads on the first A4 print. The log
says "first frame painted" and "ready for a card" with the seconds since process start.

A card laid on the reader before the core is up is not lost: the reader reports a card
already lying on it as INSERTED when the terminal first watches it, and reads it then.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication

from devices.idcard.reader import IdCardReader
from devices.idcard.simulated import SimulatedReader
from devices.registry import load_reader
from kiosk.config import Settings
from kiosk.session import PrintKind
from ui.bridge import SessionBridge
from ui.window import KioskWindow, TerminalActions

if TYPE_CHECKING:
    from kiosk.demo import DemoEnvironment
    from kiosk.runtime import Runtime

log = logging.getLogger(__name__)

CORE_START_DEADLINE_S = 10.0
"""The core starts this long after ``run()`` even if no frame has been painted by then."""
Script = Callable[[KioskWindow, IdCardReader], None]
"""Called before the window is shown and the core started (it sees the first view)."""


def application() -> QApplication:
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    return QApplication(sys.argv[:1])


def process_age_s() -> float:
    """Seconds since this process started (from /proc, so it counts interpreter start-up)."""
    with open("/proc/self/stat", encoding="ascii") as stat:
        start_ticks = int(stat.read().rsplit(")", 1)[1].split()[19])
    with open("/proc/uptime", encoding="ascii") as uptime:
        uptime_s = float(uptime.read().split()[0])
    return uptime_s - start_ticks / os.sysconf("SC_CLK_TCK")


def _log_ready() -> None:
    log.info("ready for a card %.3f s after process start", process_age_s())


def _kiosk_window(
    settings: Settings,
    demo_env: DemoEnvironment | None,
    reader: IdCardReader,
    actions: TerminalActions,
    bridge: SessionBridge,
) -> KioskWindow:
    demo = None
    demo_cards = demo_env.cards if demo_env is not None else []
    if settings.demo and demo_env is not None and isinstance(reader, SimulatedReader):
        reader.cards.update({c.key: c.card for c in demo_cards})
        demo = reader
    window = KioskWindow(
        actions,
        settings.terminal.hall_name,
        demo=demo,
        demo_cards=[(c.key, c.caption) for c in demo_cards] if demo else (),
        demo_outage=demo_env.set_outage if demo and demo_env else None,
    )
    bridge.changed.connect(window.apply)
    bridge.platform_changed.connect(window.apply_platform)
    window.bridge = bridge  # keep the bridge alive as long as the window
    return window


def build_window(
    settings: Settings, demo_env: DemoEnvironment | None = None
) -> tuple[KioskWindow, Runtime]:
    """The window wired to a runtime that is built but not started, both at once (benches)."""
    from kiosk.runtime import build_runtime  # start-up: see Core

    bridge = SessionBridge()
    reader = load_reader(settings.card_reader.driver, settings.card_reader.options)
    runtime = build_runtime(settings, bridge.publish, bridge.publish_platform, reader=reader)
    return _kiosk_window(settings, demo_env, reader, runtime.terminal, bridge), runtime


class Core(QObject):
    """The runtime below the window, built and started on its own thread by ``start()``.

    It is also what the window's buttons act on. Until the runtime is up no session exists,
    so only the attract screen shows and none of those buttons can be pressed.
    """

    failed = Signal()
    """Building or starting the runtime raised; ``error`` holds the exception."""

    def __init__(self, settings: Settings, reader: IdCardReader, bridge: SessionBridge) -> None:
        super().__init__()
        self._settings = settings
        self._reader = reader
        self._bridge = bridge
        self.runtime: Runtime | None = None
        self.error: Exception | None = None
        self._thread = threading.Thread(target=self._build_and_start, name="core-start")

    def start(self) -> bool:
        """Build and start the runtime on a thread of its own; False if that has begun already."""
        if self._thread.ident is not None:
            return False
        self._thread.start()
        return True

    def stop(self) -> None:
        if self._thread.ident is not None:
            self._thread.join()
        if self.runtime is not None:
            self.runtime.stop()

    def _build_and_start(self) -> None:
        try:
            # start-up: requests and sqlite-utils load here, after the first frame
            from kiosk.runtime import build_runtime

            runtime = build_runtime(
                self._settings,
                self._bridge.publish,
                self._bridge.publish_platform,
                reader=self._reader,
                on_ready=_log_ready,
            )
            self.runtime = runtime
            runtime.start()
        except Exception as error:  # run() raises it once the event loop has stopped
            self.error = error
            self.failed.emit()

    def print_report(self, kinds: frozenset[PrintKind]) -> None:
        if self.runtime is not None:
            self.runtime.terminal.print_report(kinds)

    def end_session(self) -> None:
        if self.runtime is not None:
            self.runtime.terminal.end_session()

    def touch(self) -> None:
        if self.runtime is not None:
            self.runtime.terminal.touch()


def _after_first_frame(window: KioskWindow, then: Callable[[], None]) -> None:
    """Call ``then`` once, at the event loop's next turn after the window's first paint, when
    every widget of the frame has been painted and the frame handed to the screen."""

    def painted() -> None:
        window.painted.disconnect(painted)
        QTimer.singleShot(0, then)

    window.painted.connect(painted)


def run(
    settings: Settings,
    demo_env: DemoEnvironment | None,
    full_screen: bool = True,
    script: Script | None = None,
) -> int:
    app = application()
    bridge = SessionBridge()
    reader = load_reader(settings.card_reader.driver, settings.card_reader.options)
    core = Core(settings, reader, bridge)
    window = _kiosk_window(settings, demo_env, reader, core, bridge)
    QShortcut(QKeySequence("Ctrl+Shift+Q"), window, app.quit)
    core.failed.connect(app.quit)

    def first_frame() -> None:
        log.info("first frame painted %.3f s after process start", process_age_s())
        core.start()

    def no_frame_in_time() -> None:
        if core.start():  # a window never painted must not leave the terminal deaf
            log.warning("no frame painted within %g s: core started anyway", CORE_START_DEADLINE_S)

    _after_first_frame(window, first_frame)
    QTimer.singleShot(round(CORE_START_DEADLINE_S * 1000), no_frame_in_time)
    if script is not None:
        script(window, reader)
    if full_screen:
        window.show_kiosk()
    else:
        window.resize(1920, 1080)
        window.show()
    try:
        code = app.exec()
    finally:
        core.stop()
        window.close()
    if core.error is not None:
        raise core.error
    return code
