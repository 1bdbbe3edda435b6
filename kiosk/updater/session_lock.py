"""How the updater knows no resident's session is under way: the running kiosk holds a
shared ``flock`` on ``<state_dir>/session.lock`` from a card being laid until the attract
screen returns; the updater takes it exclusively (without waiting) around the switch and the
restart. While the updater holds it, the kiosk reads no new card (it restarts in a moment).

An ``flock`` goes with its process: a kiosk that dies mid-session holds nothing. Both sides
open the file read-only (enough to lock it), so whichever user created it, the other can.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path


def session_lock_path(state_dir: Path) -> Path:
    return state_dir / "session.lock"


class SessionLock:
    """The kiosk's side: ``hold()`` when a session begins, ``release()`` when it ends."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._fd: int | None = None

    def hold(self) -> bool:
        """Hold the lock (again: no-op); False while the updater is switching releases."""
        if self._fd is not None:
            return True
        self._path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self._path, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor releases the lock
            self._fd = None


@contextlib.contextmanager
def no_session(path: Path) -> Iterator[bool]:
    """The updater's side: yields True, holding the lock, when no session is under way;
    False (holding nothing) while one is."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)
