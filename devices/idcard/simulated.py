"""A reader that reads cards laid on it in software: demo mode and tests.

It returns the same 256-byte text block a real reader returns and runs it through the real
parser. Scripted faults (``faults`` option) make it misbehave on purpose:
``"timeout_on_read:N"`` (the Nth read times out), ``"fault_on_read:N"`` (reader fault),
``"hang_on_read:N"`` / ``"hang_on_wait:N"`` (the Nth read / wait for a card event never
returns: a wedged driver, for the watchdog's tests), ``"missing_after_open:0"`` (the reader
is not there: every open raises NotFound, the health check fails).
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from devices.base import (
    DeviceError,
    DeviceState,
    HealthLevel,
    HealthReport,
    NotFound,
    Timeout,
)
from devices.faults import FaultScript
from devices.idcard.card import IdentityCard
from devices.idcard.reader import CardEvent, IdCardReader
from devices.idcard.text_block import parse_text_block
from devices.options import require_fault_script, require_not_negative


def is_usable() -> tuple[bool, str]:
    return True, "simulated reader needs no hardware"


@dataclass(frozen=True)
class SimulatedCard:
    """What the chip would release: the text block and the WLT photo bytes."""

    label: str
    text_block: bytes
    photo: bytes = b""


@dataclass(frozen=True)
class SimulatedReaderOptions:
    """``[card_reader.options]`` for ``driver = "simulated"``."""

    read_delay_s: float = 0.2
    """Seconds a read takes, like a real reader's."""
    faults: tuple[str, ...] = ()
    """Scripted faults, e.g. ``"timeout_on_read:1"`` (``devices.faults``)."""

    def __post_init__(self) -> None:
        require_not_negative(self, "read_delay_s")
        require_fault_script(self.faults)


def _hang() -> None:
    """Never return, as a driver wedged in a vendor library does."""
    threading.Event().wait()


class SimulatedReader(IdCardReader):
    options_type: ClassVar[type[SimulatedReaderOptions]] = SimulatedReaderOptions

    def __init__(
        self,
        cards: Mapping[str, SimulatedCard] | None = None,
        read_delay_s: float = 0.2,
        faults: FaultScript | None = None,
    ) -> None:
        self.cards = dict(cards or {})
        self.read_delay_s = read_delay_s
        self._faults = faults or FaultScript([])
        self._events: queue.Queue[CardEvent] = queue.Queue()
        self._lock = threading.Lock()
        self._on_reader: SimulatedCard | None = None
        self._reads = 0
        self._waits = 0
        self._opens = 0

    @classmethod
    def from_options(
        cls, options: SimulatedReaderOptions, cards: Mapping[str, SimulatedCard] | None = None
    ) -> SimulatedReader:
        return cls(
            cards=cards, read_delay_s=options.read_delay_s, faults=FaultScript(list(options.faults))
        )

    # --- what a demo control or a test does with its hands ---
    def lay_card(self, label: str) -> None:
        with self._lock:
            card = self.cards[label]
            if self._on_reader is not None:
                self._on_reader = None
                self._events.put(CardEvent.REMOVED)
            self._on_reader = card
        self._events.put(CardEvent.INSERTED)

    def remove_card(self) -> None:
        with self._lock:
            if self._on_reader is None:
                return
            self._on_reader = None
        self._events.put(CardEvent.REMOVED)

    # --- the driver contract ---
    def _missing(self) -> bool:
        return self._faults.due("open", max(self._opens, 1)) == "missing"

    def open(self) -> None:
        self._opens += 1
        if self._missing():
            self.state = DeviceState.OFFLINE
            self.last_fault = NotFound(
                "no card reader found", "check the reader's USB cable and power"
            )
            raise self.last_fault
        self.state = DeviceState.IDLE

    def close(self) -> None:
        self.state = DeviceState.CLOSED

    def wait_for_card_event(self, timeout: float) -> CardEvent | None:
        self._waits += 1
        if self._faults.due("wait", self._waits) == "hang":
            _hang()
        try:
            return self._events.get(timeout=timeout)
        except queue.Empty:
            return None

    def read_card(self, timeout: float) -> IdentityCard:
        self._reads += 1
        fault = self._faults.due("read", self._reads)
        if fault == "timeout":
            self.last_fault = Timeout(
                "card read timed out", "reposition the card; check the reader cable"
            )
            raise self.last_fault
        if fault == "hang":
            _hang()
        if fault == "fault":
            self.state = DeviceState.ERROR
            self.last_fault = DeviceError("reader reported a fault", "power-cycle the reader")
            raise self.last_fault
        time.sleep(min(self.read_delay_s, timeout))
        with self._lock:
            card = self._on_reader
        if card is None:
            raise NotFound("no card on the reader")
        self.state = DeviceState.IDLE
        self.last_fault = None
        return parse_text_block(card.text_block, card.photo)

    def check_health(self, level: HealthLevel) -> HealthReport:
        details = {"cards": str(len(self.cards))}
        if self._missing():
            return HealthReport(False, "no card reader found; check its USB cable", details)
        return HealthReport(True, "simulated reader ready", details)
