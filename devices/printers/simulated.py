"""Printers that print into a directory: demo mode and tests.

``SimulatedReceiptPrinter`` writes ``receipt-<job>.bin`` (the exact ESC/POS bytes a real
printer would get) and ``receipt-<job>.png`` (a picture of the paper);
``SimulatedDocumentPrinter`` writes ``report-<job>.pdf``. Files appear atomically and only
for jobs that printed: a failed job writes nothing.

Scripted faults (``faults`` option, see ``devices.faults``) count print jobs, failed ones
included: ``paper_out``, ``cover_open``, ``offline``, ``timeout`` and (documents) ``jam``
fail the job; ``near_end`` prints but reports the paper LOW. ``"paper_out_after_job:2"``
prints two jobs, then the paper is out. The sensors (``status()``) show the fault of the
latest job, or before the first job the fault that job will meet. ``load_paper()`` is staff
loading paper: the latest job's paper out is over (a later job the script names still meets
its own).
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Self

from devices.base import (
    Cover,
    CoverOpen,
    DeviceError,
    DeviceState,
    HealthLevel,
    HealthReport,
    Offline,
    Paper,
    PaperOut,
    Timeout,
)
from devices.faults import FaultScript
from devices.fonts import cjk_font_path
from devices.options import require_fault_script, require_not_negative
from devices.printers.base import DocumentPrinter, PrinterStatus, PrintResult, ReceiptPrinter
from devices.printers.escpos_encoding import encode_receipt
from devices.printers.kept_jobs import KeptJobStore
from devices.printers.preview import render_receipt_png
from devices.printers.receipt import Receipt

_FAILING = {"paper_out", "cover_open", "offline", "timeout", "jam"}
_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def is_usable() -> tuple[bool, str]:
    """The simulated printers need no hardware; receipt previews need the CJK font."""
    try:
        cjk_font_path()
    except FileNotFoundError as error:
        return False, str(error)
    return True, "simulated printers need no hardware"


def _status_for(fault: str | None) -> PrinterStatus:
    if fault == "offline":
        return PrinterStatus(Paper.UNKNOWN, Cover.UNKNOWN, online=False)
    paper = {"paper_out": Paper.OUT, "near_end": Paper.LOW}.get(fault or "", Paper.OK)
    cover = Cover.OPEN if fault == "cover_open" else Cover.CLOSED
    return PrinterStatus(paper, cover, online=True)


def _error_for(fault: str) -> DeviceError:
    if fault == "paper_out":
        return PaperOut("printer is out of paper", "load a new paper roll or A4 paper")
    if fault == "cover_open":
        return CoverOpen("printer cover is open", "close the printer cover until it clicks")
    if fault == "offline":
        return Offline("printer does not answer", "check the printer's power and cable")
    if fault == "timeout":
        return Timeout("print job did not finish in time", "check the printer for a stuck job")
    return DeviceError("paper jam", "open the printer and remove the jammed paper")


class _SimulatedPrinter:
    """What both simulated printers share: job counting, scripted faults, atomic output."""

    state: DeviceState
    last_fault: DeviceError | None = None

    def __init__(
        self, output_dir: Path, faults: FaultScript | None, job_delay_s: float, prefix: str
    ) -> None:
        self.output_dir = output_dir
        self.job_delay_s = job_delay_s
        self.state = DeviceState.CLOSED
        self._faults = faults or FaultScript([])
        self._prefix = prefix
        self._jobs = 0
        self._paper_loaded_at_job = -1
        self._lock = threading.Lock()

    def _fault_now(self) -> str | None:
        with self._lock:
            fault = self._faults.due("job", max(self._jobs, 1))
            if fault == "paper_out" and self._jobs == self._paper_loaded_at_job:
                return None
            return fault

    def load_paper(self) -> None:
        """Staff loaded paper (any thread): the sensors say the paper is ok again."""
        with self._lock:
            self._paper_loaded_at_job = self._jobs

    def open(self) -> None:
        self.output_dir.mkdir(parents=True, exist_ok=True)
        offline = self._fault_now() == "offline"
        self.state = DeviceState.OFFLINE if offline else DeviceState.IDLE

    def close(self) -> None:
        self.state = DeviceState.CLOSED

    def status(self) -> PrinterStatus:
        return _status_for(self._fault_now())

    def _run_job(self, timeout: float, render: Callable[[str], dict[str, bytes]]) -> str:
        """Run one job: apply the script, wait, render the files, write them all or none."""
        if self.state is DeviceState.CLOSED:
            raise DeviceError("printer is not open", "the kiosk opens printers when it starts")
        with self._lock:
            self._jobs += 1
            job_id = f"{self._prefix}{self._jobs:04d}"
            fault = self._faults.due("job", self._jobs)
        if fault in _FAILING:
            self.state = DeviceState.OFFLINE if fault == "offline" else DeviceState.ERROR
            self.last_fault = _error_for(fault)
            raise self.last_fault
        self.state = DeviceState.BUSY
        try:
            if self.job_delay_s > timeout:
                time.sleep(max(timeout, 0.0))
                raise _error_for("timeout")
            time.sleep(self.job_delay_s)
            self._write_all(render(job_id))
        except DeviceError as error:
            self.state = DeviceState.ERROR
            self.last_fault = error
            raise
        finally:
            if self.state is DeviceState.BUSY:
                self.state = DeviceState.IDLE
        self.last_fault = None
        return job_id

    def _write_all(self, files: dict[str, bytes]) -> None:
        staged: list[tuple[Path, Path]] = []
        try:
            for name, data in files.items():
                final = self.output_dir / name
                partial = final.with_name(f".{name}.partial")
                partial.write_bytes(data)
                staged.append((partial, final))
        except OSError as error:
            for partial, _ in staged:
                partial.unlink(missing_ok=True)
            raise DeviceError(
                f"cannot write print output: {error.strerror}",
                "check that the simulated printer's output_dir is writable",
            ) from None
        for partial, final in staged:
            os.replace(partial, final)

    def _health(self, kind: str) -> HealthReport:
        fault = self._fault_now()
        status = _status_for(fault)
        details = {
            "state": self.state.value,
            "paper": status.paper.value,
            "cover": status.cover.value,
            "online": str(status.online).lower(),
            "jobs": str(self._jobs),
            "output_dir": str(self.output_dir),
        }
        if self.state is DeviceState.CLOSED:
            return HealthReport(False, f"simulated {kind} printer is closed", details)
        if fault in _FAILING:
            error = _error_for(fault or "")
            return HealthReport(False, f"{error.message}; {error.technician_hint}", details)
        if not os.access(self.output_dir, os.W_OK):
            text = "output directory is not writable; check output_dir in the kiosk config"
            return HealthReport(False, text, details)
        if fault == "near_end":
            text = f"simulated {kind} printer ready, paper near end; load paper soon"
            return HealthReport(True, text, details)
        return HealthReport(True, f"simulated {kind} printer ready", details)


DEFAULT_OUTPUT_DIR = Path("/var/lib/taihaoban-kiosk/printed")


@dataclass(frozen=True)
class SimulatedReceiptOptions:
    """``[receipt_printer.options]`` for ``driver = "simulated"``."""

    output_dir: Path = DEFAULT_OUTPUT_DIR
    """Where each receipt's ESC/POS bytes and a picture of the paper are written."""
    columns: int = 32
    """Half-width text columns: 32 for 58 mm paper, 48 for 80 mm."""
    job_delay_s: float = 0.3
    """Seconds a job takes, like a real printer's."""
    faults: tuple[str, ...] = ()
    """Scripted faults, e.g. ``"paper_out_after_job:2"`` (``devices.faults``)."""
    has_chinese_font: bool = True
    """False: lines holding Chinese are sent as raster images, as to a printer without one."""

    def __post_init__(self) -> None:
        if self.columns < 8:
            raise ValueError(f"columns: a receipt needs at least 8, got {self.columns}")
        require_not_negative(self, "job_delay_s")
        require_fault_script(self.faults)


@dataclass(frozen=True)
class SimulatedDocumentOptions:
    """``[document_printer.options]`` for ``driver = "simulated"``."""

    output_dir: Path = DEFAULT_OUTPUT_DIR
    """Where each report's PDF is written."""
    job_delay_s: float = 0.5
    """Seconds a job takes, like a real printer's."""
    faults: tuple[str, ...] = ()
    """Scripted faults, e.g. ``"jam_on_job:1"`` (``devices.faults``)."""

    def __post_init__(self) -> None:
        require_not_negative(self, "job_delay_s")
        require_fault_script(self.faults)


class SimulatedReceiptPrinter(_SimulatedPrinter, ReceiptPrinter):
    options_type: ClassVar[type[SimulatedReceiptOptions]] = SimulatedReceiptOptions

    def __init__(
        self,
        output_dir: Path,
        columns: int = 32,
        faults: FaultScript | None = None,
        job_delay_s: float = 0.3,
        has_chinese_font: bool = True,
    ) -> None:
        super().__init__(output_dir, faults, job_delay_s, prefix="R")
        self.columns = columns
        self.has_chinese_font = has_chinese_font

    @classmethod
    def from_options(cls, options: SimulatedReceiptOptions) -> Self:
        return cls(
            options.output_dir,
            columns=options.columns,
            faults=FaultScript(list(options.faults)),
            job_delay_s=options.job_delay_s,
            has_chinese_font=options.has_chinese_font,
        )

    def print_receipt(self, receipt: Receipt, timeout: float) -> PrintResult:
        def render(job_id: str) -> dict[str, bytes]:
            data = encode_receipt(receipt, self.columns, self.has_chinese_font)
            picture = render_receipt_png(receipt, self.columns)
            return {f"receipt-{job_id}.bin": data, f"receipt-{job_id}.png": picture}

        return PrintResult(self._run_job(timeout, render), confirmed=True, pages=1)

    def check_health(self, level: HealthLevel) -> HealthReport:
        """Every level checks the same things: a simulated printer has no test slip."""
        return self._health("receipt")


class SimulatedDocumentPrinter(_SimulatedPrinter, DocumentPrinter):
    options_type: ClassVar[type[SimulatedDocumentOptions]] = SimulatedDocumentOptions

    def __init__(
        self, output_dir: Path, faults: FaultScript | None = None, job_delay_s: float = 0.5
    ) -> None:
        super().__init__(output_dir, faults, job_delay_s, prefix="D")

    @classmethod
    def from_options(cls, options: SimulatedDocumentOptions, kept_jobs: KeptJobStore) -> Self:
        """``kept_jobs`` is not used: a simulated printer fails a job before it starts, so it
        never keeps one."""
        faults = FaultScript(list(options.faults))
        return cls(options.output_dir, faults=faults, job_delay_s=options.job_delay_s)

    def print_pdf(self, pdf: bytes, title: str, timeout: float) -> PrintResult:
        """Print a PDF; ``title`` is not used (the file is named by job id)."""
        if not pdf.startswith(b"%PDF-"):
            raise DeviceError("print data is not a PDF", "report this kiosk software fault")
        job_id = self._run_job(timeout, lambda job_id: {f"report-{job_id}.pdf": pdf})
        return PrintResult(job_id, confirmed=True, pages=max(1, len(_PAGE.findall(pdf))))

    def check_health(self, level: HealthLevel) -> HealthReport:
        """Every level checks the same things: a simulated printer has no test page."""
        return self._health("A4")
