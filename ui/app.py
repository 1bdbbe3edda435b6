"""Start the kiosk: paint the attract screen first, then bring up everything below the UI.

Order at start-up: Qt, the window and the card reader's driver object are built on the GUI
thread and the attract screen is painted. Only then is the core (``kiosk.runtime``: the
platform client with requests, the outbox and content cache with sqlite-utils, the printers)
built and started, on a thread of its own; reportlab loads on the first A4 print. The log
says "first frame painted" and "ready for a card" with the seconds since process start.

A card laid on the reader before the core is up is not lost: the reader reports a card
already lying on it as INSERTED when the terminal first watches it, and reads it then.

Under systemd (``NOTIFY_SOCKET``) the app says READY=1 once the core is up and every device
has had its first INTERNAL health check, WATCHDOG=1 from a timer on the GUI thread while
every supervised loop has gone round recently (so a wedged GUI thread or a wedged loop both
stop it and systemd restarts the kiosk), and STOPPING=1 when it quits (SIGTERM included).
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication

from devices.idcard.reader import IdCardReader
from devices.idcard.simulated import SimulatedReader
from devices.printers.base import PrintResult
from devices.printers.receipt import Receipt
from devices.registry import load_reader
from kiosk.config import Settings
from kiosk.contract import ObjectionReason
from kiosk.logs import kiosk_log_file
from kiosk.objections import ObjectionOutcome, RecordRef, RepairOutcome
from kiosk.sd_notify import Notifier
from kiosk.session import PrintKind
from kiosk.voice_pack import voice_dir
from ui.bridge import SessionBridge
from ui.technician import TechnicianDesk
from ui.voice import AplayVoice
from ui.window import KioskServices, KioskWindow

if TYPE_CHECKING:
    from kiosk.demo import DemoEnvironment
    from kiosk.runtime import Runtime
    from kiosk.terminal import Terminal

log = logging.getLogger(__name__)

CORE_START_DEADLINE_S = 10.0
"""The core starts this long after ``run()`` even if no frame has been painted by then."""
HEALTH_CHECK_WAIT_S = 30.0
"""READY=1 waits at most this long for the devices' first health check: a device wedged in
its check must not keep the kiosk from ever being ready (systemd would restart it for ever)."""
RELEASE_OBSERVE_MS = 1000
"""How often a release not committed yet is looked at (``Runtime.observe_release``)."""
CORE_STOP_WAIT_S = 10.0
"""Quitting waits at most this long for the core's start-up thread (stuck opening a device)."""
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


def log_file(settings: Settings, demo_env: DemoEnvironment | None) -> Path:
    """Where ``taihaoban-kiosk run`` logs (the technician screens show its tail)."""
    return (
        demo_env.log_file if demo_env is not None else kiosk_log_file(settings.terminal.state_dir)
    )


def _log_ready() -> None:
    log.info("ready for a card %.3f s after process start", process_age_s())


def _kiosk_window(
    settings: Settings,
    demo_env: DemoEnvironment | None,
    reader: IdCardReader,
    actions: KioskServices,
    bridge: SessionBridge,
    technician: TechnicianDesk,
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
        service_window=settings.terminal.service_window,
        technician=technician,
        credit=actions,
        consent_text=settings.consent.text,
        resident=settings.resident,
        voice=AplayVoice(voice_dir(settings)),
        face_attempts=settings.face_check.attempts,
    )
    bridge.changed.connect(window.apply)
    bridge.camera_frame.connect(window.show_camera_frame)
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
    runtime = build_runtime(
        settings,
        bridge.publish,
        bridge.publish_platform,
        reader=reader,
        on_face_preview=bridge.publish_face,
    )
    desk = TechnicianDesk(settings, runtime.terminal, lambda: runtime, log_file(settings, demo_env))
    window = _kiosk_window(settings, demo_env, reader, runtime.terminal, bridge, desk)
    return window, runtime


class Core(QObject):
    """The runtime below the window, built and started on its own thread by ``start()``.

    It is also what the window's buttons act on. Until the runtime is up no session exists,
    so only the attract screen shows and none of those buttons can be pressed.
    """

    failed = Signal()
    """Building or starting the runtime raised; ``error`` holds the exception."""
    ready = Signal()
    """The runtime is started and every device's first health check is in (or overdue)."""

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
            self._thread.join(CORE_STOP_WAIT_S)
            if self._thread.is_alive():
                log.warning("thread core-start did not stop in time (left running)")
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
                on_face_preview=self._bridge.publish_face,
            )
            self.runtime = runtime
            runtime.start()
        except Exception as error:  # run() raises it once the event loop has stopped
            self.error = error
            self.failed.emit()
            return
        unchecked = runtime.terminal.wait_for_health_checks(HEALTH_CHECK_WAIT_S)
        if unchecked:
            log.warning("no health check from %s yet: ready anyway", ", ".join(unchecked))
        else:
            checked = runtime.terminal.device_health().items()
            log.info("devices checked: %s", ", ".join(f"{n} ok={h.ok}" for n, h in checked))
        self.ready.emit()
        self._complete_voice_pack()

    def _complete_voice_pack(self) -> None:
        """After the terminal is ready, on this thread: prompts the pack lacks are rendered,
        so an install or an update that adds prompts needs no step of its own."""
        from kiosk.voice_pack import VoicePackError, render_missing

        try:
            written = render_missing(voice_dir(self._settings))
        except (VoicePackError, OSError) as error:
            log.warning("voice pack incomplete, those prompts stay silent: %s", error)
            return
        if written:
            log.info("voice pack: %d prompts rendered", len(written))

    def stale_loops(self) -> list[str]:
        """The supervised loops that have not gone round recently (``core``: not built)."""
        return self.runtime.stale_loops() if self.runtime is not None else ["core"]

    def observe_release(self) -> None:
        if self.runtime is not None:
            self.runtime.observe_release()

    def print_report(self, kinds: frozenset[PrintKind]) -> None:
        if self.runtime is not None:
            self.runtime.terminal.print_report(kinds)

    def end_session(self) -> None:
        if self.runtime is not None:
            self.runtime.terminal.end_session()

    def touch(self) -> None:
        if self.runtime is not None:
            self.runtime.terminal.touch()

    def choose_enterprise(self, chosen: bool) -> None:
        if self.runtime is not None:
            self.runtime.terminal.choose_enterprise(chosen)

    def enter_enterprise_code(self, uscc: str) -> None:
        if self.runtime is not None:
            self.runtime.terminal.enter_enterprise_code(uscc)

    def give_consent(self) -> None:
        if self.runtime is not None:
            self.runtime.terminal.give_consent()

    def refuse_consent(self) -> None:
        if self.runtime is not None:
            self.runtime.terminal.refuse_consent()

    def call_staff(self, screen: str) -> None:
        if self.runtime is not None:
            self.runtime.terminal.call_staff(screen)

    def set_elder(self, on: bool) -> None:
        if self.runtime is not None:
            self.runtime.terminal.set_elder(on)

    def consent_to_face_check(self) -> None:
        if self.runtime is not None:
            self.runtime.terminal.consent_to_face_check()

    def refuse_face_check(self) -> None:
        if self.runtime is not None:
            self.runtime.terminal.refuse_face_check()

    def claim_for_technician(self) -> bool:
        return self.runtime is not None and self.runtime.terminal.claim_for_technician()

    # --- objections and repair guidance (only while a report is shown: the runtime is up) ---
    @property
    def terminal_id(self) -> str:
        return self._settings.terminal.id

    def _terminal(self) -> Terminal:
        if self.runtime is None:
            raise RuntimeError("the core is not up")
        return self.runtime.terminal

    def objection_reasons(self) -> Future[tuple[ObjectionReason, ...]]:
        return self._terminal().objection_reasons()

    def file_objection(
        self, record: RecordRef, reason: ObjectionReason, phone: str
    ) -> Future[ObjectionOutcome]:
        return self._terminal().file_objection(record, reason, phone)

    def repair_guidance(self, record: RecordRef) -> Future[RepairOutcome]:
        return self._terminal().repair_guidance(record)

    def print_sheet(self, receipt: Receipt, pdf: Callable[[], bytes]) -> Future[PrintResult]:
        return self._terminal().print_sheet(receipt, pdf)

    def release_from_technician(self) -> None:
        if self.runtime is not None:
            self.runtime.terminal.release_from_technician()


class SystemdWatchdog(QObject):
    """READY=1 when ``announce_ready`` is called, then WATCHDOG=1 every
    ``watchdog_interval_s`` from a timer on the GUI thread, only while ``stale_loops``
    names none."""

    def __init__(self, notifier: Notifier, stale_loops: Callable[[], list[str]]) -> None:
        super().__init__()
        self._notifier = notifier
        self._stale_loops = stale_loops
        self._stale: list[str] = []
        self.timer = QTimer(self)
        if notifier.watchdog_interval_s is not None:
            self.timer.setInterval(round(notifier.watchdog_interval_s * 1000))
        self.timer.timeout.connect(self.feed)

    @Slot()
    def announce_ready(self) -> None:
        self._notifier.notify("READY=1")
        if self._notifier.watchdog_interval_s is not None:
            self.feed()
            self.timer.start()

    @Slot()
    def feed(self) -> None:
        stale = self._stale_loops()
        if stale != self._stale:
            if stale:
                log.error("watchdog not fed: the %s loop has not gone round", ", ".join(stale))
            else:
                log.warning("watchdog fed again: every loop goes round")
            self._stale = stale
        if not stale:
            self._notifier.notify("WATCHDOG=1")


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
    desk = TechnicianDesk(settings, core, lambda: core.runtime, log_file(settings, demo_env))
    window = _kiosk_window(settings, demo_env, reader, core, bridge, desk)
    QShortcut(QKeySequence("Ctrl+Shift+Q"), window, app.quit)
    core.failed.connect(app.quit)
    notifier = Notifier()
    watchdog = SystemdWatchdog(notifier, core.stale_loops)
    core.ready.connect(watchdog.announce_ready)
    release_timer = QTimer(window)
    release_timer.setInterval(RELEASE_OBSERVE_MS)
    release_timer.timeout.connect(core.observe_release)
    core.ready.connect(release_timer.start)
    # Python runs the handler at the next Python call: the window's clock timer, within 250 ms.
    previous_sigterm = signal.signal(signal.SIGTERM, lambda _signum, _frame: app.quit())

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
        signal.signal(signal.SIGTERM, previous_sigterm)
        watchdog.timer.stop()
        release_timer.stop()
        notifier.notify("STOPPING=1")
        desk.stop()
        core.stop()
        window.close()
    if core.error is not None:
        raise core.error
    return code
