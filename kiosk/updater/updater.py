"""One poll of the updater (``taihaoban-kiosk update run``), the switch back from outside
(``update rollback``) and what ``update status`` prints.

How a poll decides, in order:
1. Leftovers of an interrupted run are removed. A release switched to and not committed by
   its deadline is switched back and marked bad; one still within it is left to prove
   itself (no new update meanwhile).
2. Outside the maintenance window (China time) nothing is fetched.
3. The signed channel names the release for this terminal (``ReleaseChannel.version_for``:
   its cohort by a stable hash of the terminal id). Nothing happens when that is the running
   release, none, a release marked bad here, or the channel is halted.
4. The manifest and the wheels not in the wheel cache are downloaded and verified; the
   release's virtualenv is built offline beside the running one.
5. Only when no resident's session is under way (``session_lock``): the state file names
   the release pending, ``current`` is switched, old releases are pruned and the kiosk
   restarted. Otherwise the built release waits for the next poll.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
from collections.abc import Callable
from typing import Any, Literal

import msgspec

from kiosk.config import Settings, UpdaterSettings
from kiosk.contract import UpdateState
from kiosk.report_model import CHINA_TIME
from kiosk.updater.pending import StepLog, restart, roll_back
from kiosk.updater.releases import InstallError, ReleaseTree
from kiosk.updater.repository import Repository, RepositoryUnreachable, UpdateRejected
from kiosk.updater.session_lock import no_session, session_lock_path
from kiosk.updater.state import StateFile
from offline_cache.outbox import Outbox

log = logging.getLogger(__name__)

START_GRACE_S = 180.0
"""Per start of a new release, on top of ``commit_after_s``: time to start and get ready."""
NOT_CONFIGURED = "no [updater] section in the configuration: this terminal never updates"


def _ignore(step: str) -> None:
    pass


def in_window(window: str, now: dt.datetime) -> bool:
    """Whether ``now`` falls in ``window`` ("HH:MM-HH:MM", China time, may span midnight;
    equal ends: all day)."""
    start, end = (dt.time.fromisoformat(part) for part in window.split("-"))
    local = now.astimezone(CHINA_TIME).time()
    if start == end:
        return True
    if start < end:
        return start <= local < end
    return local >= start or local < end


def commit_deadline(settings: UpdaterSettings, now: float) -> float:
    return now + settings.max_start_attempts * (settings.commit_after_s + START_GRACE_S)


class Poll:
    """One ``update run``: see the module docstring. ``on_step`` is called before each
    step that changes the disk (tests kill the process there)."""

    def __init__(
        self,
        settings: Settings,
        updater: UpdaterSettings,
        outbox: Outbox,
        on_step: Callable[[str], None] = _ignore,
    ) -> None:
        self._settings = settings
        self._updater = updater
        self._state_dir = settings.terminal.state_dir
        self._on_step = on_step
        self.tree = ReleaseTree(updater.install_root, on_step)
        self.state_file = StateFile(self._state_dir)
        self.steps = StepLog(
            self.state_file,
            outbox,
            settings.terminal.id,
            self.tree.linked_version(self.tree.current),
        )

    def run(self, now: dt.datetime | None = None) -> int:
        """Exit code: 0 (up to date, waiting, or updated), 1 (rejected or failed)."""
        now = now or dt.datetime.now(dt.UTC)
        self.tree.clean_leftovers()
        if self._settle_pending(now.timestamp()):
            return 0
        if not in_window(self._updater.maintenance_window, now):
            log.info("outside the maintenance window %s", self._updater.maintenance_window)
            return 0
        try:
            return self._check_and_install()
        except UpdateRejected as error:
            self._record_failure("rejected", str(error))
        except RepositoryUnreachable as error:
            self._record_failure("failed", f"repository unreachable: {error}")
        except InstallError as error:
            self._record_failure("failed", f"install: {error}")
        except OSError as error:  # a full disk, mostly: the next poll starts clean again
            self._record_failure("failed", f"{type(error).__name__}: {error}")
        return 1

    _about: str | None = None
    """The release the poll is busy with, once known."""
    bytes_received = 0
    """Bytes received from the repository (metadata and targets) by this poll."""

    def _settle_pending(self, now: float) -> bool:
        """Deal with a release switched to earlier; True while one still has to prove
        itself (no new update meanwhile)."""
        state = self.state_file.read()
        if state.pending is None:
            return False
        if self.steps.running != state.pending:  # killed between the state and the switch
            with self.state_file.change() as changed:
                changed.pending, changed.start_attempts, changed.deadline = None, 0, None
            return False
        if state.deadline is not None and now > state.deadline:
            roll_back(self._updater, self.steps, "not committed by its deadline")
            restart(self._updater)
            return True
        log.info("release %s still proving itself", state.pending)
        return True

    def _check_and_install(self) -> int:
        repository = Repository(self._updater, self._state_dir)
        try:
            return self._install_from(repository)
        finally:
            self.bytes_received = repository.fetcher.received

    def _install_from(self, repository: Repository) -> int:
        channel = repository.channel()
        wanted = channel.version_for(self._settings.terminal.id)
        state = self.state_file.read()
        with self.state_file.change() as changed:
            changed.last_check_at = time.time()
        running = self.steps.running
        if channel.halted or wanted is None or wanted == running:
            log.info("up to date (%s; channel %s)", running, channel.version)
            return 0
        self._about = wanted
        if wanted in state.bad:
            log.info("release %s is marked bad here: staying on %s", wanted, running)
            return 0
        self.steps.record(
            "checked",
            wanted,
            f"channel {channel.version} at {channel.rollout_percent}%",
            bytes_downloaded=repository.fetcher.received,
        )
        if not self.tree.has_release(wanted):
            self._record_state("downloading", wanted)
            release = repository.fetch_release(wanted, self.tree, self._on_step)
            self.steps.record(
                "downloaded",
                wanted,
                f"{len(release.wheels)} wheels",
                bytes_downloaded=release.downloaded,
            )
            self.tree.build(wanted, release.wheels, release.manifest_bytes, self._updater.python)
            self.steps.record("installed", wanted, f"releases/{wanted}")
        return self._switch(wanted)

    def _switch(self, version: str) -> int:
        with no_session(session_lock_path(self._state_dir)) as free:
            if not free:
                log.info("a resident's session is under way: %s switched at the next poll", version)
                self._record_state("idle", version, "built; waits for the end of a session")
                return 0
            with self.state_file.change() as state:
                if self.steps.running is None:  # a first install: nothing to go back to
                    state.committed = version
                    state.last = UpdateState(state="committed", version=version)
                else:
                    state.pending = version
                    state.start_attempts = 0
                    state.deadline = commit_deadline(self._updater, time.time())
                    state.last = UpdateState(
                        state="pending_commit", version=version, detail="switched; restarting"
                    )
            self.tree.switch(version)
            self.tree.prune(self._updater.keep_releases)
            self._on_step("restart")
            restart(self._updater)
        return 0

    def _record_state(self, state: str, version: str, detail: str = "") -> None:
        with self.state_file.change() as changed:
            changed.last = msgspec.convert(
                {"state": state, "version": version, "detail": detail}, UpdateState
            )

    def _record_failure(self, step: Literal["rejected", "failed"], detail: str) -> None:
        """About the release the poll was busy with (before the channel was read: the
        running one; "0.0.0" on a terminal with none yet)."""
        version = self._about or self.steps.running or "0.0.0"
        log.error("update %s: %s", step, detail)
        failed = UpdateState(state="failed", version=version, detail=detail[:2000])
        self.steps.record(step, version, detail, state=failed)


def poll(settings: Settings, on_step: Callable[[str], None] = _ignore, jitter: bool = True) -> int:
    """``update run``: one poll, after a random delay of up to ``poll_jitter_s`` (none with
    ``jitter=False``)."""
    updater = settings.updater
    if updater is None:
        print(NOT_CONFIGURED)
        return 0
    if jitter and updater.poll_jitter_s > 0:
        time.sleep(random.uniform(0, updater.poll_jitter_s))
    outbox = Outbox(settings.terminal.state_dir / "outbox.sqlite3")
    try:
        return Poll(settings, updater, outbox, on_step).run()
    finally:
        outbox.close()


def roll_back_from_outside(settings: Settings, reason: str) -> str | None:
    """``update rollback``: switch back from the pending release, mark it bad, restart."""
    updater = settings.updater
    if updater is None:
        return None
    outbox = Outbox(settings.terminal.state_dir / "outbox.sqlite3")
    try:
        tree = ReleaseTree(updater.install_root)
        steps = StepLog(
            StateFile(settings.terminal.state_dir),
            outbox,
            settings.terminal.id,
            tree.linked_version(tree.current),
        )
        abandoned = roll_back(updater, steps, reason)
    finally:
        outbox.close()
    if abandoned is not None:
        restart(updater)
    return abandoned


def status(settings: Settings, now: dt.datetime | None = None) -> dict[str, Any]:
    """What ``update status`` prints (as JSON)."""
    updater = settings.updater
    if updater is None:
        return {"configured": False, "detail": NOT_CONFIGURED}
    now = now or dt.datetime.now(dt.UTC)
    tree = ReleaseTree(updater.install_root)
    state = StateFile(settings.terminal.state_dir).read()
    return {
        "configured": True,
        "terminal_id": settings.terminal.id,
        "current": tree.linked_version(tree.current),
        "previous": tree.linked_version(tree.previous),
        "releases": tree.versions(),
        "repository_url": updater.repository_url,
        "maintenance_window": updater.maintenance_window,
        "in_window": in_window(updater.maintenance_window, now),
        "check_overdue": state.last_check_at is None
        or now.timestamp() - state.last_check_at > 2 * updater.poll_interval_s,
        **msgspec.to_builtins(state),
    }
