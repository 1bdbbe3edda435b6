"""Supervised loops: a long-lived thread that outlives whatever its body did not expect.

A terminal runs for months with nobody to restart it, so a loop that dies leaves it alive
but deaf. ``SupervisedLoop`` runs a loop body on its own thread; when the body raises, the
error is logged (the log formatter masks ID numbers), handed to ``on_fault`` (which records
it through the outbox) and the body is started again after a capped exponential back-off.
The body calls ``tick()`` once per round, so a watchdog can ask whether every loop is still
going round.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

FIRST_BACKOFF_S = 1.0
MAX_BACKOFF_S = 60.0

LoopFault = Callable[[str, Exception], None]
"""Called with the loop's name and the error that stopped its body."""


def log_only(loop: str, error: Exception) -> None:
    """An ``on_fault`` for loops with nowhere to record a fault: the log line says it."""


class SupervisedLoop:
    """Runs ``body`` on a daemon thread named ``name`` until ``stopping`` is set.

    ``body`` is the loop itself: it returns once ``stopping`` is set, calls ``tick()`` each
    round, and is called afresh (its local state new) after it raised. The back-off doubles
    from ``first_backoff_s`` to ``max_backoff_s`` and starts over once a run has lasted
    ``max_backoff_s``.
    """

    def __init__(
        self,
        name: str,
        body: Callable[[], None],
        stopping: threading.Event,
        on_fault: LoopFault = log_only,
        *,
        first_backoff_s: float = FIRST_BACKOFF_S,
        max_backoff_s: float = MAX_BACKOFF_S,
    ) -> None:
        self.name = name
        self._body = body
        self._stopping = stopping
        self._on_fault = on_fault
        self._first_backoff_s = first_backoff_s
        self._max_backoff_s = max_backoff_s
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.last_tick = time.monotonic()
        """Monotonic time the body last went round (or the loop was made)."""
        self.restarts = 0

    def start(self) -> None:
        self.tick()
        self._thread.start()

    def join(self, timeout: float) -> None:
        if self._thread.is_alive():
            self._thread.join(timeout)

    def is_alive(self) -> bool:
        return self._thread.is_alive()

    def tick(self) -> None:
        """The body went round once (called from the body)."""
        self.last_tick = time.monotonic()

    def _run(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            started = time.monotonic()
            try:
                self._body()
                return
            except Exception as error:
                if time.monotonic() - started >= self._max_backoff_s:
                    failures = 0
                delay = min(self._max_backoff_s, self._first_backoff_s * 2 ** min(failures, 30))
                failures += 1
                self.restarts += 1
                log.exception("%s loop failed; restarting in %.1f s", self.name, delay)
                self._report(error)
            self._stopping.wait(delay)

    def _report(self, error: Exception) -> None:
        try:
            self._on_fault(self.name, error)
        except Exception:
            log.exception("%s loop: recording its fault failed", self.name)
