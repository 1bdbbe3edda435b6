"""Everything below the UI, assembled from settings and started or stopped as one.

Importing this module loads requests and sqlite-utils (platform client, outbox, content
cache): the UI imports it only after its first frame is painted, off the GUI thread.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version

from devices.idcard.reader import IdCardReader
from devices.printers.kept_jobs import KeptJobStore
from devices.registry import (
    load_camera,
    load_document_printer,
    load_reader,
    load_receipt_printer,
)
from kiosk.config import Settings
from kiosk.contract import UpdateState
from kiosk.diagnostics.service import ServiceSwitch
from kiosk.face_check import FacePreview
from kiosk.platform.client import PlatformClient
from kiosk.platform.outbox_drain import Heartbeat, OutboxDrainer
from kiosk.platform.secret_file import SecretFile
from kiosk.platform.watch import PlatformStatus, PlatformWatch
from kiosk.session import SessionView
from kiosk.terminal import Devices, Terminal
from kiosk.updater.pending import PendingRelease, StepLog, heartbeat_state
from kiosk.updater.session_lock import SessionLock, session_lock_path
from kiosk.updater.state import StateFile
from offline_cache.content_cache import ContentCache
from offline_cache.outbox import Outbox

log = logging.getLogger(__name__)
__version__ = version("taihaoban-kiosk")


@dataclass
class Runtime:
    settings: Settings
    terminal: Terminal
    platform: PlatformClient
    outbox: Outbox
    drainer: OutboxDrainer
    watch: PlatformWatch
    content: ContentCache
    release: PendingRelease | None = None
    """The running release as the updater sees it (None: no ``[updater]`` section); its
    ``pending`` says whether it still has to prove itself."""

    def start(self) -> None:
        self.watch.start()
        self.terminal.start()
        self.drainer.start()
        log.info("terminal %s started", self.settings.terminal.id)

    def stale_loops(self) -> list[str]:
        """The supervised loops that have not gone round recently: while any is, the
        systemd watchdog is not fed."""
        return self.terminal.stale_loops(time.monotonic())

    def observe_release(self) -> None:
        """Called now and then once READY was sent: a pending release commits once it has
        been healthy (every device's INTERNAL check ok, every loop going round, so the
        watchdog is fed) for ``commit_after_s``."""
        if self.release is None or not self.release.pending:
            return
        health = self.terminal.device_health()
        checked = set(self.terminal.devices.names()) <= set(health)
        healthy = checked and not self.stale_loops() and all(h.ok for h in health.values())
        self.release.observe(healthy)

    def stop(self) -> None:
        """Every thread gets a bounded time to stop; one stuck in a call is logged by name
        and left behind (they are daemons)."""
        self.terminal.stop()
        self.drainer.stop()
        self.watch.stop()
        self.outbox.close()
        self.content.close()
        self.platform.close()
        log.info("terminal %s stopped", self.settings.terminal.id)


def _ignore_status(status: PlatformStatus) -> None:
    pass


def build_runtime(
    settings: Settings,
    on_change: Callable[[SessionView], None],
    on_platform_change: Callable[[PlatformStatus], None] = _ignore_status,
    *,
    reader: IdCardReader | None = None,
    on_ready: Callable[[], None] = lambda: None,
    on_face_preview: Callable[[FacePreview], None] = lambda preview: None,
) -> Runtime:
    """``reader``: one already loaded from ``settings`` (the UI loads it before its first frame,
    for the demo control); ``on_ready``, ``on_face_preview``: see ``Terminal``. The camera
    is loaded only when the face check is enabled."""
    secret_file = SecretFile(settings.terminal.secret_file)
    # The platform client follows a rotated secret file; the kept print jobs' key and the
    # residents' pseudonyms keep the secret the kiosk started with, until it restarts.
    secret = secret_file.current()
    if reader is None:
        reader = load_reader(settings.card_reader.driver, settings.card_reader.options)
    devices = Devices(
        reader=reader,
        receipt_printer=load_receipt_printer(
            settings.receipt_printer.driver, settings.receipt_printer.options
        ),
        document_printer=load_document_printer(
            settings.document_printer.driver,
            settings.document_printer.options,
            KeptJobStore(settings.terminal.state_dir / "kept-print-jobs", secret),
        ),
        camera=load_camera(settings.camera.driver, settings.camera.options)
        if settings.face_check.enabled
        else None,
    )
    platform = PlatformClient(
        settings.platform.base_url,
        settings.terminal.id,
        secret_file,
        connect_timeout=settings.platform.connect_timeout_s,
        read_timeout=settings.platform.read_timeout_s,
        retries=settings.platform.retries,
        ca_file=settings.platform.ca_file,
    )
    outbox = Outbox(settings.terminal.state_dir / "outbox.sqlite3")

    state_dir = settings.terminal.state_dir
    release = None
    if settings.updater is not None:
        steps = StepLog(StateFile(state_dir), outbox, settings.terminal.id, __version__)
        release = PendingRelease(settings.updater, state_dir, steps, __version__)

    def update_state() -> UpdateState | None:
        return None if settings.updater is None else heartbeat_state(state_dir, __version__)

    def loop_failed(loop: str, error: Exception) -> None:
        terminal.record_loop_fault(loop, error)  # built below; no loop runs before start()

    drainer = OutboxDrainer(
        outbox,
        platform,
        heartbeat=Heartbeat(
            version=__version__,
            devices=devices.states,
            health=lambda: terminal.device_health(),
            update=update_state,
            last_session_at=lambda: terminal.last_session_at,
        ),
        on_fault=loop_failed,
        request_s=platform.longest_request_s,
    )
    content = ContentCache(settings.terminal.state_dir / "public-content.sqlite3")

    def platform_changed(status: PlatformStatus) -> None:
        if status.available:
            drainer.nudge()  # back from an outage: send the backlog now, not after back-off
        on_platform_change(status)

    watch = PlatformWatch(
        platform,
        content,
        platform_changed,
        probe_interval_s=settings.platform.probe_interval_s,
        content_refresh_s=settings.platform.content_refresh_s,
        on_fault=loop_failed,
        request_s=platform.longest_request_s,
    )
    terminal = Terminal(
        terminal_id=settings.terminal.id,
        secret=secret,
        devices=devices,
        platform=platform,
        watch=watch,
        outbox=outbox,
        timeouts=settings.session,
        on_change=on_change,
        on_ready=on_ready,
        supervised=(watch.loop, drainer.loop),
        health_interval_s=settings.terminal.health_check_interval_s,
        service_switch=ServiceSwitch(settings.terminal.state_dir),
        session_lock=SessionLock(session_lock_path(state_dir)),
        consent_version=settings.consent.version,
        face_check=settings.face_check,
        on_face_preview=on_face_preview,
    )
    return Runtime(settings, terminal, platform, outbox, drainer, watch, content, release)
