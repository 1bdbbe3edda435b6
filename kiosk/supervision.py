"""Supervised loops: a long-lived thread that outlives whatever its body did not expect.

A terminal runs for months with nobody to restart it, so a loop that dies leaves it alive
but deaf. ``SupervisedLoop`` runs a loop body on its own thread; when the body raises, the
error is logged (the log formatter masks ID numbers), handed to ``on_fault`` (which records
it through the outbox) and the body is started again after a capped exponential back-off.
The body calls ``tick()`` once per round, so a watchdog can ask whether every loop is still
going round (``is_stale``), and the terminal whether one keeps failing (``keeps_failing``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable

log = logging.getLogger(__name__)

FIRST_BACKOFF_S = 1.0
MAX_BACKOFF_S = 60.0
STALE_MARGIN_S = 10.0
"""Added to a loop's longest round before it counts as stale: a busy 2-core terminal (a PDF
being built, the GC) must not be taken for a wedged loop."""
FAILURES_OUT_OF_SERVICE = 5
FAILURE_WINDOW_S = 600.0
"""A loop that failed ``FAILURES_OUT_OF_SERVICE`` times within this window keeps failing: with
the back-off (1, 2, 4, 8 s…) five failures take at least 15 s, so this is no passing glitch
(a card pulled, a platform blip) but something a technician must see."""
CLEAN_RUN_S = 120.0
"""A loop that kept failing is well again once this long has passed since its last failure.
Longer than ``MAX_BACKOFF_S``, so a loop still failing (once per back-off at most) never
looks clean."""

LoopFault = Callable[[str, Exception], None]
"""Called with the loop's name and the error that stopped its body."""


def log_only(loop: str, error: Exception) -> None:
    """An ``on_fault`` for loops with nowhere to record a fault: the log line says it."""


def stale_limit(longest_round_s: float) -> float:
    """Seconds without a tick after which a loop whose rounds last at most ``longest_round_s``
    (its wait plus the longest call it makes) is taken for wedged."""
    return longest_round_s + STALE_MARGIN_S


class SupervisedLoop:
    """Runs ``body`` on a daemon thread named ``name`` until ``stopping`` is set.

    ``body`` is the loop itself: it returns once ``stopping`` is set, calls ``tick()`` each
    round, and is called afresh (its local state new) after it raised. The back-off doubles
    from ``first_backoff_s`` to ``max_backoff_s`` while runs fail in their first round, and
    starts over after a run that went round at least once: a body that worked again (a
    reader that read a card) is not held back by failures before, however close together
    (``keeps_failing`` is what counts them). ``stale_after_s``: how long the body may go
    without a tick before the loop counts as wedged (``stale_limit`` of its longest round);
    time spent backing off after a failure does not count, that loop is failing, not wedged.
    """

    def __init__(
        self,
        name: str,
        body: Callable[[], None],
        stopping: threading.Event,
        on_fault: LoopFault = log_only,
        *,
        stale_after_s: float,
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
        self.stale_after_s = stale_after_s
        self.last_tick = time.monotonic()
        """Monotonic time the body last went round (or the loop was made)."""
        self._due_by = self.last_tick + stale_after_s
        self.restarts = 0
        self._failures_at: deque[float] = deque(maxlen=FAILURES_OUT_OF_SERVICE)
        self._rounds = 0

    def start(self) -> None:
        self.tick()
        self._thread.start()

    def join(self, timeout: float) -> bool:
        """Wait up to ``timeout`` for the thread; False (and logged) if it is still running,
        e.g. stuck in a driver call."""
        if self._thread.is_alive():
            self._thread.join(max(0.0, timeout))
        if self._thread.is_alive():
            log.warning("thread %s did not stop in time (left running)", self.name)
            return False
        return True

    def is_alive(self) -> bool:
        return self._thread.is_alive()

    def tick(self) -> None:
        """The body went round once (called from the body)."""
        self.last_tick = time.monotonic()
        self._due_by = self.last_tick + self.stale_after_s
        self._rounds += 1

    def is_stale(self, now: float) -> bool:
        """The body has not ticked for ``stale_after_s`` (back-off aside): wedged or dead."""
        return now > self._due_by

    def keeps_failing(self, now: float) -> bool:
        """``FAILURES_OUT_OF_SERVICE`` failures within ``FAILURE_WINDOW_S``, the last of them
        less than ``CLEAN_RUN_S`` ago."""
        failures = self._failures_at
        return (
            len(failures) == failures.maxlen
            and now - failures[0] <= FAILURE_WINDOW_S
            and now - failures[-1] < CLEAN_RUN_S
        )

    def _run(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            rounds_before = self._rounds
            try:
                self._body()
                return
            except Exception as error:
                if self._rounds - rounds_before > 1:  # it ticked again: a round was done
                    failures = 0
                delay = min(self._max_backoff_s, self._first_backoff_s * 2 ** min(failures, 30))
                failures += 1
                self.restarts += 1
                self._failures_at.append(time.monotonic())
                self._due_by = time.monotonic() + delay + self.stale_after_s
                log.exception("%s loop failed; restarting in %.1f s", self.name, delay)
                self._report(error)
            self._stopping.wait(delay)

    def _report(self, error: Exception) -> None:
        try:
            self._on_fault(self.name, error)
        except Exception:
            log.exception("%s loop: recording its fault failed", self.name)
