"""What the checks look at, however the technician came in (touch screen or SSH)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from devices.printers.kept_jobs import KeptJobStore
from kiosk.config import PlatformSettings, UpdaterSettings
from kiosk.diagnostics.device_access import DeviceAccess
from kiosk.diagnostics.service import ServiceSwitch
from offline_cache.outbox import Outbox

KEPT_JOBS_DIR = "kept-print-jobs"
OUTBOX_FILE = "outbox.sqlite3"
CONTENT_FILE = "public-content.sqlite3"


@dataclass(frozen=True)
class Diagnostics:
    """Arguments:
    terminal_id: printed on test prints, sent with technician actions.
    devices: the way to each device (``LocalDevices`` in the CLI, the terminal's
        threads in the UI).
    state_dir: the kiosk's state directory; None when the CLI runs without a config
        (the outbox, kept jobs, service switch and cached content are then skipped).
    platform, secret: the platform settings and the terminal secret; None: the
        platform checks are skipped.
    outbox: the outbox technician actions are recorded in (None: not recorded).
    log_file: the kiosk's log (``kiosk.logs.log_file``); None: no log lines.
    send_outbox: "send now" after a retry or a requeue (the UI: the running drainer's
        ``nudge``; the CLI: one drain pass in its own process).
    updater: the updater's settings; None: this terminal does not update itself.
    """

    terminal_id: str
    devices: DeviceAccess
    state_dir: Path | None = None
    platform: PlatformSettings | None = None
    secret: bytes | None = None
    outbox: Outbox | None = None
    log_file: Path | None = None
    send_outbox: Callable[[], None] | None = None
    updater: UpdaterSettings | None = None

    @property
    def service(self) -> ServiceSwitch | None:
        return None if self.state_dir is None else ServiceSwitch(self.state_dir)

    @property
    def kept_jobs(self) -> KeptJobStore | None:
        if self.state_dir is None or self.secret is None:
            return None
        return KeptJobStore(self.state_dir / KEPT_JOBS_DIR, self.secret)
