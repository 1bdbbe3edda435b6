"""The identity-card reader contract every driver implements."""

from __future__ import annotations

import abc
import enum

from devices.base import DeviceError, DeviceState, HealthLevel, HealthReport
from devices.idcard.card import IdentityCard


class CardEvent(enum.Enum):
    INSERTED = "inserted"
    REMOVED = "removed"


class IdCardReader(abc.ABC):
    """A reader that tells when a card is laid on or taken off, and reads it.

    All methods block and must be called from the reader's own worker thread.
    Drivers never keep a card connection between calls (hotplug: look it up again).
    """

    state: DeviceState = DeviceState.CLOSED
    last_fault: DeviceError | None = None
    """The last fault the driver saw, until an operation succeeds again (drivers that track
    it set it; the terminal reads it into each health check)."""

    @abc.abstractmethod
    def open(self) -> None:
        """Find the reader. Raises: NotFound."""

    @abc.abstractmethod
    def close(self) -> None: ...

    @abc.abstractmethod
    def wait_for_card_event(self, timeout: float) -> CardEvent | None:
        """Block up to ``timeout`` seconds for a card to arrive or leave; None if nothing did."""

    @abc.abstractmethod
    def read_card(self, timeout: float) -> IdentityCard:
        """Read the card on the reader.

        Raises: BadCard (garbled, wrong check digit, unsupported type), NotFound (no card),
        Timeout, DeviceError for reader faults.
        """

    @abc.abstractmethod
    def check_health(self, level: HealthLevel) -> HealthReport: ...
