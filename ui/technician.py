"""The thin Qt facade of technician mode: the mode's state (``kiosk.technician``), the
diagnostics it shows (``kiosk.diagnostics``), and the work its screens start, run off the
GUI thread and answered there through a queued signal.

PIN checks, platform and outbox work run on the desk's own worker; whatever touches a device
goes from there to that device's own thread (``Terminal.call_device``), in turn with the
terminal's own calls. An INTERACTIVE check's question waits on the worker for the
technician's answer on the screen (``asked``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, Signal, Slot

from kiosk.config import Settings
from kiosk.diagnostics.checks import Question
from kiosk.technician import PinLockout, PinOutcome, TechnicianMode
from kiosk.worker import Worker

if TYPE_CHECKING:  # start-up: these load requests and sqlite-utils
    from kiosk.diagnostics.context import Diagnostics
    from kiosk.runtime import Runtime

log = logging.getLogger(__name__)

STOP_WAIT_S = 5.0
Then = Callable[[Future[Any]], None]


class NoAnswer(Exception):
    """The technician left (or the mode timed out) before answering a question."""


class TechnicianTerminal(Protocol):
    """What technician mode asks of the terminal (``Terminal``, or the app's ``Core`` that
    forwards to it once the runtime is up)."""

    def claim_for_technician(self) -> bool: ...
    def release_from_technician(self) -> None: ...


class TechnicianDesk(QObject):
    pin_checked = Signal(object)  # PinOutcome, or the exception the check raised
    asked = Signal(object, object)  # (Question, Future[bool]) from an INTERACTIVE check
    _finished = Signal(object, object)  # (then, future)

    def __init__(
        self,
        settings: Settings,
        terminal: TechnicianTerminal,
        runtime: Callable[[], Runtime | None],
        log_file: Path | None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        """``runtime``: the runtime once it is up, None before (the app starts it after the
        first frame). ``log_file``: where this kiosk logs (its tail is shown)."""
        super().__init__()
        self._settings = settings
        self._runtime = runtime
        self._log_file = log_file
        self._diagnostics: Diagnostics | None = None
        self._worker = Worker("technician")
        self._finished.connect(self._deliver)
        self.mode = TechnicianMode(
            settings.technician.pin_hash,
            PinLockout(settings.terminal.state_dir, wall_clock),
            settings.technician.idle_timeout_s,
            record=self.record,
            claim_terminal=terminal.claim_for_technician,
            release_terminal=terminal.release_from_technician,
            clock=clock,
        )
        self._questions: list[Future[bool]] = []

    @property
    def settings(self) -> Settings:
        return self._settings

    def diagnostics(self) -> Diagnostics | None:
        """What the checks look at: the running terminal's devices, outbox and state."""
        runtime = self._runtime()
        if runtime is None:
            return None
        if self._diagnostics is None:
            # start-up: it loads the runtime's modules, which are loaded by now anyway
            from kiosk.diagnostics.in_kiosk import diagnostics_for

            self._diagnostics = diagnostics_for(runtime, self._log_file)
        return self._diagnostics

    # --- running off the GUI thread ---
    def run(self, then: Then, fn: Callable[..., Any], *args: Any) -> None:
        """``fn(*args)`` on the desk's worker; ``then(future)`` afterwards on the GUI thread."""
        future = self._worker.submit(fn, *args)
        future.add_done_callback(lambda done: self._finished.emit(then, done))

    @Slot(object, object)
    def _deliver(self, then: Then, future: Future[Any]) -> None:
        try:
            then(future)
        except Exception:  # one screen's bug must not stop the event loop
            log.exception("technician screen update failed")

    def check_pin(self, pin: str) -> None:
        self.run(self._pin_checked, self.mode.submit_pin, pin)

    def _pin_checked(self, future: Future[PinOutcome]) -> None:
        error = future.exception()
        if error is not None:
            log.error("technician PIN check failed: %r", error)
        self.pin_checked.emit(error if error is not None else future.result())

    def record(self, action: str, detail: str = "") -> None:
        """Queue a technician_action (entry, wrong PIN, lockout, an action, exit) through
        the outbox, on the worker; before the runtime is up there is no outbox yet."""
        self.run(_ignore, self._record, action, detail)

    def _record(self, action: str, detail: str) -> None:
        diag = self.diagnostics()
        if diag is None:
            log.warning("technician action %s not recorded: the core is not up yet", action)
            return
        from kiosk.diagnostics.actions import record_action  # loaded with the core by now

        record_action(diag, action, detail)

    def ask(self, question: Question) -> bool:
        """On the worker: show ``question`` and wait for the technician's answer; NoAnswer
        when the mode closes (or idles out) first."""
        answer: Future[bool] = Future()
        self._questions.append(answer)
        self.asked.emit(question, answer)
        try:
            return answer.result(timeout=self.mode.idle_timeout_s)
        except (FutureTimeout, NoAnswer):
            raise NoAnswer(question.text) from None
        finally:
            self._questions.remove(answer)

    def drop_questions(self) -> None:
        """The mode closed: a check waiting for an answer gets none."""
        for answer in list(self._questions):
            if not answer.done():
                answer.set_exception(NoAnswer())

    def stop(self) -> None:
        self.drop_questions()
        self._worker.stop(STOP_WAIT_S)


def _ignore(future: Future[Any]) -> None:
    future.exception()  # logged where it was raised
