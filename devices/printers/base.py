"""The printer contracts every driver implements."""

from __future__ import annotations

import abc
from dataclasses import dataclass

from devices.base import (
    Cover,
    DeviceError,
    DeviceState,
    HealthLevel,
    HealthReport,
    Jam,
    Paper,
    Toner,
)
from devices.printers.receipt import Receipt


@dataclass(frozen=True)
class PrinterStatus:
    paper: Paper
    cover: Cover
    online: bool | None
    """None when the printer did not answer."""
    jam: Jam = Jam.NOT_SUPPORTED
    toner: Toner = Toner.NOT_SUPPORTED


@dataclass(frozen=True)
class PrintResult:
    job_id: str
    confirmed: bool
    """True only when the printer confirmed the job finished; never assumed."""
    pages: int = 1
    status_after: PrinterStatus | None = None
    """The printer's sensors right after the job, when the driver read them (paper near end)."""


class ReceiptPrinter(abc.ABC):
    """A thermal (ESC/POS) printer. Call only from the printer's own worker thread."""

    state: DeviceState = DeviceState.CLOSED
    last_fault: DeviceError | None = None
    """The last fault the driver saw, until an operation succeeds again (drivers that track
    it set it; the terminal reads it into each health check)."""

    @abc.abstractmethod
    def open(self) -> None: ...

    @abc.abstractmethod
    def close(self) -> None: ...

    @abc.abstractmethod
    def status(self) -> PrinterStatus: ...

    @abc.abstractmethod
    def print_receipt(self, receipt: Receipt, timeout: float) -> PrintResult:
        """Print one receipt. Raises: PaperOut, CoverOpen, Offline, Timeout, DeviceError."""

    @abc.abstractmethod
    def check_health(self, level: HealthLevel) -> HealthReport: ...


class DocumentPrinter(abc.ABC):
    """An A4 printer that takes PDF documents. Call only from its own worker thread."""

    state: DeviceState = DeviceState.CLOSED
    last_fault: DeviceError | None = None
    """The last fault the driver saw, until an operation succeeds again (drivers that track
    it set it; the terminal reads it into each health check)."""

    @abc.abstractmethod
    def open(self) -> None: ...

    @abc.abstractmethod
    def close(self) -> None: ...

    @abc.abstractmethod
    def status(self) -> PrinterStatus: ...

    @abc.abstractmethod
    def print_pdf(self, pdf: bytes, title: str, timeout: float) -> PrintResult:
        """Print a PDF. ``title`` must hold no personal data (it reaches spool logs).

        Raises: PaperOut, CoverOpen, Offline, Timeout, DeviceError.
        """

    def print_kept_jobs(self, timeout: float) -> list[PrintResult]:
        """Print the jobs kept through a printer fault (``devices.printers.kept_jobs``), once
        the printer is ready. Call when no resident is at the kiosk. Default: none are kept."""
        return []

    @abc.abstractmethod
    def check_health(self, level: HealthLevel) -> HealthReport: ...
