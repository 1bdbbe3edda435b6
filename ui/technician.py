"""The thin Qt facade of technician mode: the mode's state (``kiosk.technician``) and the
work its screens start, run off the GUI thread and answered there through a queued signal.

PIN checks and platform or outbox work run on the desk's own worker; a device's checks run
on that device's own thread (``Terminal.device_call``), never beside a resident's job.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, Signal, Slot

from kiosk.config import Settings
from kiosk.technician import PinLockout, PinOutcome, TechnicianMode
from kiosk.worker import Worker

if TYPE_CHECKING:  # start-up: the runtime loads requests and sqlite-utils
    from kiosk.runtime import Runtime

log = logging.getLogger(__name__)

STOP_WAIT_S = 5.0
Then = Callable[[Future[Any]], None]


class TechnicianTerminal(Protocol):
    """What technician mode asks of the terminal (``Terminal``, or the app's ``Core`` that
    forwards to it once the runtime is up)."""

    def claim_for_technician(self) -> bool: ...
    def release_from_technician(self) -> None: ...
    def record_technician_action(self, action: str, detail: str = "") -> None: ...


class TechnicianDesk(QObject):
    pin_checked = Signal(object)  # PinOutcome, or the exception the check raised
    _finished = Signal(object, object)  # (then, future)

    def __init__(self, mode: TechnicianMode, runtime: Callable[[], Runtime | None]) -> None:
        super().__init__()
        self.mode = mode
        self.runtime = runtime
        """The runtime once it is up (None before): what the screens check and act on."""
        self._worker = Worker("technician")
        self._finished.connect(self._deliver)

    def run(self, then: Then, fn: Callable[..., Any], *args: Any) -> None:
        """``fn(*args)`` on the desk's worker; ``then(future)`` afterwards on the GUI thread."""
        self.deliver(self._worker.submit(fn, *args), then)

    def deliver(self, future: Future[Any], then: Then) -> None:
        """``then(future)`` on the GUI thread once ``future`` (from any thread) is done."""
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

    def stop(self) -> None:
        self._worker.stop(STOP_WAIT_S)


def technician_desk(
    settings: Settings, terminal: TechnicianTerminal, runtime: Callable[[], Runtime | None]
) -> TechnicianDesk:
    mode = TechnicianMode(
        settings.technician.pin_hash,
        PinLockout(Path(settings.terminal.state_dir)),
        settings.technician.idle_timeout_s,
        record=terminal.record_technician_action,
        claim_terminal=terminal.claim_for_technician,
        release_terminal=terminal.release_from_technician,
    )
    return TechnicianDesk(mode, runtime)
