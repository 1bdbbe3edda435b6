"""A single worker thread whose stop is bounded: a device's or the platform's worker.

``ThreadPoolExecutor`` would do, but its threads are joined without a timeout both by
``shutdown(wait=True)`` and at interpreter exit, so one call hung in a driver (a cupsd that
never answers) holds up the terminal's stop and the process's exit for ever. This thread is
a daemon and ``stop(timeout)`` gives up after ``timeout``, logging the thread's name.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")

_Call = tuple[Future[Any], Callable[..., Any], tuple[Any, ...]]


class Worker:
    """Runs what is submitted, one call at a time, in order, on a daemon thread ``name``
    (started with the first call)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._calls: queue.SimpleQueue[_Call | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        """Raises RuntimeError once the worker is stopped (as an executor does)."""
        future: Future[T] = Future()
        with self._lock:
            if self._stopped:
                raise RuntimeError(f"worker {self.name} is stopped")
            self._calls.put((future, fn, args))
            self._start_once()
        return future

    def stop(self, timeout: float, last: Callable[[], None] | None = None) -> bool:
        """Cancel what has not started, let ``last`` run on the thread after the call under way
        (a driver's ``close``: never while another of its calls runs), and wait up to
        ``timeout`` for both. Returns False (and logs it) when the thread is still busy."""
        with self._lock:
            if not self._stopped:  # a second stop only waits again
                self._stopped = True
                while True:
                    try:
                        call = self._calls.get_nowait()
                    except queue.Empty:
                        break
                    if call is not None:
                        call[0].cancel()
                if last is not None:
                    self._calls.put((Future(), last, ()))
                self._calls.put(None)
                self._start_once()
        self._thread.join(max(0.0, timeout))
        if self._thread.is_alive():
            log.warning("thread %s did not stop in time (left running)", self.name)
            return False
        return True

    def _start_once(self) -> None:
        if self._thread.ident is None:
            self._thread.start()

    def _run(self) -> None:
        while (call := self._calls.get()) is not None:
            future, fn, args = call
            if not future.set_running_or_notify_cancel():
                continue
            try:
                result = fn(*args)
            except BaseException as error:  # handed to whoever waits on the future
                future.set_exception(error)
                del error  # no cycle holding the frames (and what they hold) alive
            else:
                future.set_result(result)
