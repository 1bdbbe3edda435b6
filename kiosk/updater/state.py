"""The updater's state file: ``<state_dir>/updater/state.json``, replaced atomically.

Both the updater (a process of its own, run by a timer, as root) and the running kiosk (which
counts its start attempts and commits, as the kiosk's user) write it, each under an exclusive
``flock`` of a lock file next to it, reading and writing within the lock. The directory
belongs to the kiosk's user (the install makes it so); each write replaces the file.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import msgspec

from kiosk.contract import UpdateState

log = logging.getLogger(__name__)


class UpdaterState(msgspec.Struct, kw_only=True):
    committed: str | None = None
    """The release last committed (proved healthy); None before the first commit."""
    pending: str | None = None
    """The release switched to and not committed yet."""
    start_attempts: int = 0
    """Starts of the pending release so far."""
    deadline: float | None = None
    """Unix time by which the pending release must have committed, else it is rolled back."""
    bad: list[str] = msgspec.field(default_factory=list)
    """Releases that failed here: never installed again."""
    last: UpdateState = msgspec.field(default_factory=lambda: UpdateState(state="idle"))
    """The last thing the updater did, as the heartbeat reports it."""
    last_check_at: float | None = None
    """Unix time of the last completed check of the repository."""


def updater_dir(state_dir: Path) -> Path:
    return state_dir / "updater"


class StateFile:
    def __init__(self, state_dir: Path) -> None:
        self.path = updater_dir(state_dir) / "state.json"
        self._lock_path = self.path.with_suffix(".lock")

    def read(self) -> UpdaterState:
        """The state as last written (a fresh one when there is none, or when it cannot be
        read: a kiosk that cannot start over its updater's notes would be worse)."""
        try:
            return msgspec.json.decode(self.path.read_bytes(), type=UpdaterState)
        except FileNotFoundError:
            return UpdaterState()
        except (msgspec.DecodeError, msgspec.ValidationError) as error:
            log.error("%s unreadable (%s): starting from a fresh updater state", self.path, error)
            return UpdaterState()

    @contextlib.contextmanager
    def change(self) -> Iterator[UpdaterState]:
        """The state to change in the ``with`` block; written atomically when it ends
        without an exception. Other writers wait meanwhile."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Read-only is enough to flock, so the kiosk's user can lock a file root created.
        lock = os.open(self._lock_path, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            state = self.read()
            yield state
            temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}")
            with open(temporary, "wb") as out:
                out.write(msgspec.json.format(msgspec.json.encode(state)))
                out.flush()
                os.fsync(out.fileno())
                os.fchmod(out.fileno(), 0o644)
            os.replace(temporary, self.path)
        finally:
            os.close(lock)
