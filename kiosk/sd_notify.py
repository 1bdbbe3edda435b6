"""The systemd notify protocol: READY=1, WATCHDOG=1 and STOPPING=1 to ``$NOTIFY_SOCKET``.

A few lines over a Unix datagram socket rather than the ``sdnotify`` package: that package is
unmaintained (last release 2019) and does no more than these lines, and it ignores
``WATCHDOG_USEC`` / ``WATCHDOG_PID``. Without ``NOTIFY_SOCKET`` (not run by systemd) every
call does nothing.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping

log = logging.getLogger(__name__)


class Notifier:
    """Sends notify messages to the socket systemd named in the environment."""

    def __init__(self, environ: Mapping[str, str] = os.environ) -> None:
        address = environ.get("NOTIFY_SOCKET", "")
        if address.startswith("@"):  # Linux abstract namespace
            address = "\0" + address[1:]
        self._address = address
        self.watchdog_interval_s = self._watchdog_interval(environ)
        """Seconds between WATCHDOG=1 pings (half of ``WatchdogSec``); None: no watchdog."""

    def _watchdog_interval(self, environ: Mapping[str, str]) -> float | None:
        usec = environ.get("WATCHDOG_USEC", "")
        pid = environ.get("WATCHDOG_PID", "")
        if not self._address or not usec.isdigit() or int(usec) == 0:
            return None
        if pid and pid != str(os.getpid()):
            return None  # the watchdog is meant for another process (e.g. our parent)
        return int(usec) / 1_000_000 / 2

    def notify(self, message: str) -> None:
        """Send one message (e.g. ``"READY=1"``); a failure is logged, never raised."""
        if not self._address:
            return
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
                sock.sendto(message.encode(), self._address)
        except OSError as error:
            log.warning("systemd notify %s failed: %s", message.split("=")[0], error)
