"""The terminal secret as the platform client uses it: re-read when its file changes, so an
operator rotates it without reinstalling or restarting the kiosk (docs/secret-rotation.md).

The file is looked at (``stat``, no read) before each request; a new inode, size or mtime
means it is read again. A refused signature also makes the client read it again
(``reload``), in case the file was replaced within the same mtime tick. A file that cannot
be read or is unsafe when it changes leaves the secret already held in use (logged once):
the kiosk keeps working while the operator fixes the file.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from kiosk.config import ConfigError, read_secret

log = logging.getLogger(__name__)


def _stamp(path: Path) -> tuple[int, int, int, int] | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns)


class SecretFile:
    """Raises ConfigError at construction when the file is missing, unsafe or not hex."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._stamp = _stamp(path)
        self._secret = read_secret(path)
        self._refused_stamp: tuple[int, int, int, int] | None = None

    def current(self) -> bytes:
        """The secret, read again first if the file has changed since it was last read."""
        stamp = _stamp(self.path)
        with self._lock:
            if stamp is not None and stamp != self._stamp and stamp != self._refused_stamp:
                self._read(stamp)
            return self._secret

    def reload(self) -> bool:
        """Read the file again whatever its stamp says; True when the secret changed."""
        stamp = _stamp(self.path)
        with self._lock:
            before = self._secret
            self._read(stamp)
            return self._secret != before

    def _read(self, stamp: tuple[int, int, int, int] | None) -> None:
        try:
            secret = read_secret(self.path)
        except ConfigError as error:
            if stamp != self._refused_stamp:
                log.error("terminal secret file not re-read, the old secret stays: %s", error)
            self._refused_stamp = stamp
            return
        if secret != self._secret:
            log.warning("terminal secret file changed: the new secret is in use")
        self._secret, self._stamp, self._refused_stamp = secret, stamp, None
