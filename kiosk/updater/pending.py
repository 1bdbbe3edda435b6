"""A release switched to but not committed yet: counted starts, commit, switch back.

The running kiosk calls ``PendingRelease.started()`` at each start and ``observe()`` while it
runs; ``taihaoban-kiosk update rollback`` (the rollback unit, run by systemd when the kiosk
keeps failing) calls ``roll_back`` from outside. Each step is recorded twice: in the state
file (for ``update status`` and the heartbeat) and through the outbox (for the platform).
"""

from __future__ import annotations

import datetime as dt
import logging
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from kiosk.config import Settings, UpdaterSettings
from kiosk.contract import UpdateState, UpdateStep, UpdateStepName
from kiosk.platform.outbox_items import enqueue
from kiosk.updater.releases import ReleaseTree
from kiosk.updater.state import StateFile, UpdaterState
from offline_cache.outbox import Outbox

log = logging.getLogger(__name__)

RESTART_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class StepLog:
    """Where update steps go: the state file's ``last`` and the outbox."""

    state_file: StateFile
    outbox: Outbox
    terminal_id: str
    running: str | None

    def record(
        self,
        step: UpdateStepName,
        version: str,
        detail: str = "",
        bytes_downloaded: int = 0,
        state: UpdateState | None = None,
    ) -> None:
        """Queue the step for the platform; ``state`` (if given) becomes the state file's
        ``last``. A step the outbox refuses is logged, never raised: the update goes on."""
        log.info("update %s %s %s", step, version, detail)
        if state is not None:
            with self.state_file.change() as current:
                current.last = state
        try:
            enqueue(
                self.outbox,
                UpdateStep(
                    step=step,
                    version=version,
                    at=dt.datetime.now(dt.UTC),
                    terminal_id=self.terminal_id,
                    running=self.running,
                    detail=detail[:2000],
                    bytes_downloaded=bytes_downloaded,
                ),
            )
        except Exception:
            log.exception("update step %s %s not queued", step, version)


def restart(settings: UpdaterSettings) -> None:
    """Run the restart command; a failure is logged (the kiosk unit restarts by itself when
    the kiosk exits anyway)."""
    try:
        subprocess.run(settings.restart_command, check=True, timeout=RESTART_TIMEOUT_S)
    except (OSError, subprocess.SubprocessError) as error:
        log.error("restart command %s failed: %s", settings.restart_command, error)


def roll_back(settings: UpdaterSettings, steps: StepLog, reason: str) -> str | None:
    """Switch ``current`` back to ``previous``, mark the pending release bad and record
    ``rolled_back``; returns the abandoned version (None: nothing pending, nothing done)."""
    tree = ReleaseTree(settings.install_root)
    with steps.state_file.change() as state:
        abandoned = state.pending
        if abandoned is None:
            return None
        back_to = tree.switch_back() if tree.linked_version(tree.current) == abandoned else None
        if abandoned not in state.bad:
            state.bad.append(abandoned)
        _clear_pending(state)
        detail = f"{reason}; back to {back_to or tree.linked_version(tree.current)}"
        state.last = UpdateState(state="rolled_back", version=abandoned, detail=detail)
    steps.record("rolled_back", abandoned, detail)
    return abandoned


def commit(steps: StepLog, version: str, detail: str) -> bool:
    """Commit ``version`` if it is still the pending release; True if it was."""
    with steps.state_file.change() as state:
        if state.pending != version:
            return False
        state.committed = version
        _clear_pending(state)
        state.last = UpdateState(state="committed", version=version, detail=detail)
    steps.record("committed", version, detail)
    return True


def _clear_pending(state: UpdaterState) -> None:
    state.pending = None
    state.start_attempts = 0
    state.deadline = None


class PendingRelease:
    """The running kiosk's side of a new release: ``started()`` once at start, then
    ``observe(healthy)`` now and then once it has said READY."""

    def __init__(
        self, settings: UpdaterSettings, state_dir: Path, steps: StepLog, running: str
    ) -> None:
        self._settings = settings
        self._state_file = StateFile(state_dir)
        self._steps = steps
        self._running = running
        self._healthy_since: float | None = None
        self.pending = self._state_file.read().pending == running
        """This kiosk runs a release not committed yet."""

    def started(self) -> bool:
        """Count a start of the pending release; False once it had its
        ``max_start_attempts``: it has then been switched back and the caller exits non-zero
        so systemd starts the release before (where the kiosk's user may not switch, the
        rollback unit does it once the kiosk unit gives up)."""
        with self._state_file.change() as state:
            self.pending = state.pending == self._running
            if not self.pending:
                return True
            state.start_attempts += 1
            attempts = state.start_attempts
        if attempts <= self._settings.max_start_attempts:
            log.info(
                "release %s pending: start %d of %d",
                self._running,
                attempts,
                self._settings.max_start_attempts,
            )
            return True
        reason = f"not healthy after {attempts - 1} starts"
        try:
            roll_back(self._settings, self._steps, reason)
        except PermissionError as error:
            # The kiosk's user may not write the release tree: the failed starts that
            # follow bring the kiosk unit to its start limit, and its rollback unit (root)
            # switches back.
            log.error("cannot switch back myself (%s): left to the rollback unit", error)
        self.pending = False
        return False

    def observe(self, healthy: bool, now: float | None = None) -> None:
        """Called while the kiosk runs (after READY): commits once it has been healthy
        (devices' INTERNAL health ok, every loop going round, the watchdog fed) for
        ``commit_after_s`` without a break."""
        if not self.pending:
            return
        now = time.monotonic() if now is None else now
        if not healthy:
            self._healthy_since = None
            return
        if self._healthy_since is None:
            self._healthy_since = now
        if now - self._healthy_since >= self._settings.commit_after_s:
            detail = f"healthy for {self._settings.commit_after_s:g} s"
            commit(self._steps, self._running, detail)
            self.pending = False


def heartbeat_state(state_dir: Path, running: str) -> UpdateState:
    """Where the updater stands for the heartbeat: ``pending_commit`` while the running
    release is not committed, else what the updater last did."""
    state = StateFile(state_dir).read()
    if state.pending == running:
        return UpdateState(state="pending_commit", version=running)
    return state.last


def count_start(settings: Settings, running: str) -> bool:
    """At the kiosk's start: count a start of a pending release; False when it has had its
    starts and was switched back (the kiosk then exits non-zero and systemd starts the
    release before)."""
    if settings.updater is None:
        return True
    outbox = Outbox(settings.terminal.state_dir / "outbox.sqlite3")
    try:
        steps = StepLog(
            StateFile(settings.terminal.state_dir), outbox, settings.terminal.id, running
        )
        return PendingRelease(
            settings.updater, settings.terminal.state_dir, steps, running
        ).started()
    finally:
        outbox.close()
