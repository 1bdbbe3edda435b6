"""The A4 printer through CUPS: submit the PDF to a queue with pycups and follow the job.

A job: look at the queue (printer-state-reasons → sensor values) and refuse the job on paper
out, cover open, jam or offline; stream the PDF (Create-Job + Send-Document, no temporary
file); poll the job until CUPS says completed (confirmed), aborted or canceled. A completed
or cancelled job is purged, so the report does not stay in the CUPS spool.

- A fault that staff can fix (media-empty, door-open, media-jam, offline) while the job is
  under way fails it at once with that fault, and the job is **kept**: withdrawn from CUPS
  (cancelled and purged, no plaintext left in the spool) and sealed in the kiosk's own store
  (``kept_jobs``: encrypted with the terminal secret, at most 24 h). ``print_kept_jobs``
  prints it once the printer is ready, for staff to hand over. It is not confirmed.
  CUPS learns the printer's state only from a running job's backend: the reasons a withdrawn
  job left (``media-empty-error``) stay on the queue until the next job. While they stand
  unchanged they are not taken as evidence: the next job (kept or new) is sent, and its
  backend finds out; a job interrupted again is kept again.
- A job that makes no progress with no fault CUPS can name (a stopped queue, a hung
  backend) is cancelled at the timeout, and the error says it was cancelled
  (``PrintCancelled``), so it can never print later with nobody there to take it.

Every IPP call runs on its own thread with a time limit (pycups has none of its own). A
call that overruns is abandoned, and while it is still stuck (a hung cupsd) new calls fail at
once with Timeout instead of starting more threads: at most one IPP thread per driver.

Options: ``CupsOptions`` (``[document_printer.options]``).
"""

from __future__ import annotations

import importlib
import importlib.util
import io
import logging
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self, TypeVar

from PIL import Image, ImageDraw

from devices.base import (
    Cover,
    DeviceError,
    DeviceState,
    HealthLevel,
    HealthReport,
    Jam,
    NotFound,
    Offline,
    Paper,
    PrintCancelled,
    Timeout,
    Toner,
)
from devices.options import require_positive
from devices.printers.base import DocumentPrinter, PrinterStatus, PrintResult
from devices.printers.cups_status import keywords, reason_keywords, status_from_attributes
from devices.printers.escpos_encoding import cjk_font
from devices.printers.kept_jobs import KeptJob, KeptJobStore, SealBroken, describe_kept
from devices.printers.sensors import attention, blocking_fault, describe_status

log = logging.getLogger(__name__)
T = TypeVar("T")

JOB_PENDING, JOB_HELD, JOB_PROCESSING, JOB_STOPPED = 3, 4, 5, 6
JOB_CANCELED, JOB_ABORTED, JOB_COMPLETED = 7, 8, 9
LEFTOVER_GRACE_S = 2.0
"""How long a started job gives its backend to clear the printer reasons a withdrawn job left
(CUPS updates them only from a running backend) before they count as a fault of this job."""
JOB_STATE_NAMES = {
    3: "pending",
    4: "held",
    5: "processing",
    6: "stopped",
    7: "canceled",
    8: "aborted",
    9: "completed",
}
PRINTER_STOPPED = 5
PRINTER_ATTRIBUTES = ["printer-state", "printer-state-reasons", "printer-is-accepting-jobs"]
JOB_ATTRIBUTES = [
    "job-state",
    "job-state-reasons",
    "job-impressions-completed",
    "job-media-sheets-completed",
]
PAPER_HINT = "load A4 paper into the tray"
KEPT_HINT = (
    "the report is kept encrypted by the kiosk (job {job}) and printed again, whole, once the"
    " printer is ready and no resident is at the kiosk; hand the pages to the resident or"
    " shred them"
)
_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


class JobAborted(DeviceError):
    code = "job_aborted"


class JobCanceled(DeviceError):
    code = "job_canceled"


class _Interrupted(Exception):
    """A printer fault stopped a job under way; ``withdrawn``: CUPS no longer holds it."""

    def __init__(self, job_id: int, fault: DeviceError, withdrawn: bool) -> None:
        super().__init__(fault.message)
        self.job_id = job_id
        self.fault = fault
        self.withdrawn = withdrawn


def is_usable() -> tuple[bool, str]:
    if importlib.util.find_spec("cups") is None:
        return False, "pycups is not installed: install taihaoban-kiosk[hardware] (libcups2-dev)"
    return True, "pycups is installed"


def count_pages(pdf: bytes) -> int:
    return max(1, len(_PAGE.findall(pdf)))


def _server_args(server: str) -> dict[str, Any]:
    """pycups Connection arguments for a configured server ("" = libcups's default)."""
    if not server:
        return {}
    if server.startswith("/"):
        return {"host": server}
    host, _, port = server.rpartition(":")
    if host and port.isdigit():
        return {"host": host, "port": int(port)}
    return {"host": server}


@dataclass(frozen=True)
class CupsOptions:
    """``[document_printer.options]`` for ``driver = "cups"``."""

    queue: str
    """The CUPS queue (a plain queue name, required)."""
    server: str = ""
    """``host``, ``host:port`` or a socket path; empty: libcups's own (``CUPS_SERVER`` or the
    local scheduler)."""
    poll_s: float = 0.25
    """Seconds between looks at a job under way."""
    ipp_timeout_s: float = 5.0
    """Seconds allowed for each IPP call (pycups has no time limit of its own)."""
    cancel_wait_s: float = 3.0
    """Seconds to wait for CUPS to confirm a cancelled job is gone."""
    job_options: dict[str, str] = field(default_factory=dict)
    """IPP job options for every job, e.g. ``media = "iso_a4_210x297mm"``."""

    def __post_init__(self) -> None:
        if not self.queue or "/" in self.queue:
            raise ValueError(f"queue: must be a plain queue name, got {self.queue!r}")
        require_positive(self, "poll_s", "ipp_timeout_s", "cancel_wait_s")


class CupsDocumentPrinter(DocumentPrinter):
    """An A4 queue on a CUPS scheduler. Call only from the printer's own worker thread.

    ``kept_jobs``: where a job interrupted by a printer fault is kept until it prints.
    """

    options_type: ClassVar[type[CupsOptions]] = CupsOptions

    def __init__(
        self,
        queue: str,
        *,
        kept_jobs: KeptJobStore,
        server: str = "",
        poll_s: float = 0.25,
        ipp_timeout_s: float = 5.0,
        cancel_wait_s: float = 3.0,
        job_options: Mapping[str, str] | None = None,
    ) -> None:
        self.queue = queue
        self.server = server
        self.poll_s = poll_s
        self.ipp_timeout_s = ipp_timeout_s
        self.cancel_wait_s = cancel_wait_s
        self.job_options = dict(job_options or {})
        self.state = DeviceState.CLOSED
        self.last_fault: DeviceError | None = None
        self.last_status: PrinterStatus | None = None
        self.kept_jobs = kept_jobs
        self._jobs = 0
        self._withdrawn_reasons: frozenset[str] | None = None
        """The queue's printer-state-reasons when a job was last withdrawn (none since)."""
        answered = threading.Event()
        answered.set()
        self._ipp_call = ("", answered)
        """The latest IPP call and whether it has finished."""

    @classmethod
    def from_options(cls, options: CupsOptions, kept_jobs: KeptJobStore) -> Self:
        return cls(
            options.queue,
            kept_jobs=kept_jobs,
            server=options.server,
            poll_s=options.poll_s,
            ipp_timeout_s=options.ipp_timeout_s,
            cancel_wait_s=options.cancel_wait_s,
            job_options=options.job_options,
        )

    # --- IPP, bounded ---
    def _ipp(self, what: str, call: Callable[[Any], T], timeout: float | None = None) -> T:
        """Run ``call(connection)`` on a fresh connection within the time limit.

        Raises Offline when the scheduler cannot be reached, Timeout when it does not answer
        in time (the abandoned call finishes on its own thread) or an abandoned call has not
        finished yet, and lets IPPError through.
        """
        import cups

        earlier, finished = self._ipp_call
        if not finished.is_set():
            raise Timeout(
                f"CUPS has not yet answered an earlier call ({earlier}); {what} not tried",
                "check that the CUPS scheduler is running (lpstat -r)",
            )
        limit = max(0.05, self.ipp_timeout_s if timeout is None else timeout)
        outcome: list[tuple[bool, Any]] = []
        done = threading.Event()

        def run() -> None:
            try:
                try:
                    connection = cups.Connection(**_server_args(self.server))
                except RuntimeError:  # pycups: "failed to connect to server"
                    outcome.append((False, None))
                    return
                outcome.append((True, call(connection)))
            except BaseException as error:
                outcome.append((False, error))
            finally:
                done.set()

        self._ipp_call = (what, done)
        threading.Thread(target=run, name=f"cups-{what}", daemon=True).start()
        if not done.wait(limit):
            raise Timeout(
                f"CUPS did not answer ({what}) within {limit:.1f} s",
                "check that the CUPS scheduler is running (lpstat -r)",
            )
        ok, value = outcome[0]
        if ok:
            return value  # type: ignore[no-any-return]
        if value is None:
            raise Offline(
                "CUPS scheduler cannot be reached",
                f"start cupsd and check the server option ({self.server or 'default'})",
            ) from None
        raise value

    def _ipp_error(self, error: Exception, doing: str) -> DeviceError:
        import cups

        status, text = (
            (*error.args, None, "")[:2] if isinstance(error, cups.IPPError) else (None, "")
        )
        if status == cups.IPP_NOT_FOUND:
            return NotFound(
                f"CUPS has no queue {self.queue!r}",
                f"add the queue with lpadmin or fix the queue option (lpstat -p {self.queue})",
            )
        if status == cups.IPP_NOT_ACCEPTING:
            return Offline(
                f"CUPS queue {self.queue!r} is rejecting jobs", f"run: cupsaccept {self.queue}"
            )
        return DeviceError(
            f"CUPS refused to {doing}: {text or type(error).__name__}",
            f"see the CUPS error log for queue {self.queue}",
        )

    # --- lifecycle and sensors ---
    def open(self) -> None:
        """Ready the driver and look at the queue once; raise its fault, but stay open.
        Kept jobs left by an earlier run are tidied: expired or unreadable ones go."""
        self.state = DeviceState.IDLE
        left = self.kept_jobs.tidy()
        try:
            attributes = self._printer_attributes()
        except DeviceError as unreachable:
            self._set_fault(unreachable)
            raise
        if left:
            log.info("%d kept A4 job(s) from an earlier run wait to print", len(left))
            self._withdrawn_reasons = _reasons(attributes)  # most likely left by their withdrawal
        status = status_from_attributes(attributes)
        self.last_status = status
        fault = self._live_fault(attributes, status, "at start-up")
        if fault is not None:
            self._set_fault(fault)
            raise fault

    def close(self) -> None:
        self.state = DeviceState.CLOSED

    def _printer_attributes(self) -> dict[str, Any]:
        import cups

        try:
            attributes: dict[str, Any] = self._ipp(
                "status",
                lambda c: c.getPrinterAttributes(
                    self.queue, requested_attributes=PRINTER_ATTRIBUTES
                ),
            )
        except cups.IPPError as error:
            raise self._ipp_error(error, "report the queue") from None
        return attributes

    def status(self) -> PrinterStatus:
        """The queue's sensors; offline when CUPS or the queue cannot be reached."""
        try:
            status = status_from_attributes(self._printer_attributes())
        except (Offline, NotFound):
            status = PrinterStatus(Paper.UNKNOWN, Cover.UNKNOWN, False, Jam.UNKNOWN, Toner.UNKNOWN)
        except DeviceError:
            status = PrinterStatus(Paper.UNKNOWN, Cover.UNKNOWN, None, Jam.UNKNOWN, Toner.UNKNOWN)
        self.last_status = status
        return status

    def _live_fault(
        self, attributes: Mapping[str, Any], status: PrinterStatus, when: str
    ) -> DeviceError | None:
        """The fault the queue shows, unless it is only what a withdrawn job left behind."""
        if _reasons(attributes) == self._withdrawn_reasons:
            return None
        self._withdrawn_reasons = None
        return blocking_fault(status, PAPER_HINT, when)

    def _set_fault(self, fault: DeviceError) -> None:
        self.last_fault = fault
        self.state = (
            DeviceState.OFFLINE if isinstance(fault, Offline | NotFound) else DeviceState.ERROR
        )

    # --- printing ---
    def print_pdf(self, pdf: bytes, title: str, timeout: float) -> PrintResult:
        """Print a PDF. ``title`` must hold no personal data (it reaches spool logs).

        Raises: PaperOut, CoverOpen, PaperJam, Offline (during the job: ``job_kept``, the
        job is kept, see the module docstring), NotFound (no such queue), PrintCancelled (no
        progress until ``timeout``: cancelled), Timeout (could not even be cancelled),
        JobAborted, JobCanceled, DeviceError.
        """
        if self.state is DeviceState.CLOSED:
            raise DeviceError("printer is not open", "the kiosk opens printers when it starts")
        if not pdf.startswith(b"%PDF-"):
            raise DeviceError("print data is not a PDF", "report this kiosk software fault")
        self._jobs += 1
        return self._print(pdf, title, time.monotonic() + timeout, kept=None)

    def print_kept_jobs(self, timeout: float) -> list[PrintResult]:
        """Print the jobs kept through a printer fault, oldest first, each within ``timeout``.

        Call when no resident is at the kiosk: the pages are someone else's. A printed job
        is deleted from the store. The first failure stops the round and is only recorded
        (``last_fault``, the health check): a printer still out of paper refuses the job, or
        interrupts it and it is kept again (its 24 h count from the first fault). Returns the
        jobs printed.
        """
        printed: list[PrintResult] = []
        if self.state is DeviceState.CLOSED:
            return printed
        for job in self.kept_jobs.jobs():
            try:
                pdf, title = self.kept_jobs.load(job)
            except (SealBroken, OSError) as error:
                log.warning("kept A4 job %s cannot be read (%s): deleted", job.id, error)
                self.kept_jobs.drop(job)
                continue
            try:
                printed.append(self._print(pdf, title, time.monotonic() + timeout, kept=job))
            except DeviceError as fault:
                log.info("kept A4 job %s not printed: %s", job.id, fault.code)
                break
        return printed

    def _print(self, pdf: bytes, title: str, deadline: float, kept: KeptJob | None) -> PrintResult:
        """Run a job, new or ``kept``; a kept job is deleted from the store once printed."""
        self.state = DeviceState.BUSY
        try:
            result = self._run_job(pdf, title, deadline)
        except _Interrupted as stop:
            fault = self._interrupted(stop, pdf, title, kept)
            self._set_fault(fault)
            raise fault from None
        except DeviceError as fault:
            self._set_fault(fault)
            raise
        if kept is not None:
            self.kept_jobs.drop(kept)
            log.info("kept A4 job %s printed (CUPS job %s)", kept.id, result.job_id)
        self.state = DeviceState.IDLE
        self.last_fault = None
        return result

    def _interrupted(
        self, stop: _Interrupted, pdf: bytes, title: str, kept: KeptJob | None
    ) -> DeviceError:
        """Keep a job a printer fault interrupted (unless it is ``kept`` already); the fault's
        hint says what became of it."""
        fault = stop.fault
        fault.job_kept = True
        if not stop.withdrawn:
            if kept is not None:
                self.kept_jobs.drop(kept)  # CUPS holds it now: a second copy would print twice
            fault.technician_hint += (
                f"; the job could not be withdrawn and stays queued in CUPS: it prints once the"
                f" printer is ready, or cancel it by hand (cancel {self.queue}-{stop.job_id})"
            )
            return fault
        if kept is None:
            try:
                kept, dropped = self.kept_jobs.keep(pdf, title)
            except OSError as error:
                log.error("A4 job %d could not be kept: %s", stop.job_id, type(error).__name__)
                fault.job_kept = False
                fault.technician_hint += "; it could not be kept: the resident must print again"
                return fault
            log.info("A4 job %d withdrawn from %s, kept as %s", stop.job_id, self.queue, kept.id)
            if dropped:
                names = ", ".join(old.id for old in dropped)
                log.warning("kept A4 job(s) %s dropped unprinted to make room", names)
                fault.technician_hint += (
                    f"; kept job(s) {names} were dropped unprinted: at most"
                    f" {self.kept_jobs.limit} are kept"
                )
        fault.technician_hint += f"; {KEPT_HINT.format(job=kept.id)}"
        return fault

    def _run_job(self, pdf: bytes, title: str, deadline: float) -> PrintResult:
        attributes = self._printer_attributes()
        before = status_from_attributes(attributes)
        self.last_status = before
        fault = self._live_fault(attributes, before, "before the job")
        if fault is not None:
            raise fault
        if attributes.get("printer-is-accepting-jobs") is False:
            raise Offline(
                f"CUPS queue {self.queue!r} is rejecting jobs", f"run: cupsaccept {self.queue}"
            )
        job_id = self._submit(pdf, title)
        log.info("A4 job %d submitted to %s (%d bytes)", job_id, self.queue, len(pdf))
        return self._follow(job_id, pdf, deadline)

    def _submit(self, pdf: bytes, title: str) -> int:
        import cups

        def submit(connection: Any) -> int:
            job_id = int(connection.createJob(self.queue, title, self.job_options))
            try:
                connection.startDocument(self.queue, job_id, title, cups.CUPS_FORMAT_PDF, 1)
                connection.writeRequestData(pdf, len(pdf))
                answer = connection.finishDocument(self.queue)
                if answer != cups.IPP_OK:
                    raise cups.IPPError(answer, "Send-Document failed")
            except BaseException:
                connection.cancelJob(job_id, purge_job=True)
                raise
            return job_id

        try:
            return self._ipp("submit", submit, max(self.ipp_timeout_s, 10.0))
        except cups.IPPError as error:
            raise self._ipp_error(error, "take the job") from None

    def _job_attributes(self, job_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
        def both(connection: Any) -> tuple[dict[str, Any], dict[str, Any]]:
            job = connection.getJobAttributes(job_id, requested_attributes=JOB_ATTRIBUTES)
            printer = connection.getPrinterAttributes(
                self.queue, requested_attributes=PRINTER_ATTRIBUTES
            )
            return job, printer

        return self._ipp("follow", both)

    def _follow(self, job_id: int, pdf: bytes, deadline: float) -> PrintResult:
        import cups

        job: dict[str, Any] = {}
        printer: dict[str, Any] = {}
        processing_since: float | None = None
        while time.monotonic() < deadline:
            try:
                job, printer = self._job_attributes(job_id)
            except cups.IPPError as error:
                raise self._ipp_error(error, "report the job") from None
            except Timeout:
                job = {}  # a slow answer is not a verdict; try again until the deadline
            else:
                status = status_from_attributes(printer)
                self.last_status = status
                state = job.get("job-state")
                if state == JOB_COMPLETED:
                    pages = int(job.get("job-impressions-completed") or 0) or count_pages(pdf)
                    self._purge(job_id)
                    for item in attention(status):
                        log.info("A4 printer needs attention: %s", item.code)
                    return PrintResult(
                        str(job_id), confirmed=True, pages=pages, status_after=status
                    )
                if state == JOB_ABORTED:
                    raise JobAborted(
                        f"CUPS aborted A4 job {job_id}",
                        f"see the CUPS error log ({keywords(job.get('job-state-reasons'))})",
                    )
                if state == JOB_CANCELED:
                    raise JobCanceled(
                        f"A4 job {job_id} was cancelled outside the kiosk",
                        "someone cancelled it on the CUPS queue",
                    )
                fault = blocking_fault(status, PAPER_HINT, f"with job {job_id} under way")
                if state == JOB_PROCESSING and processing_since is None:
                    processing_since = time.monotonic()
                if _reasons(printer) == self._withdrawn_reasons and (
                    processing_since is None
                    or time.monotonic() - processing_since < LEFTOVER_GRACE_S
                ):
                    fault = None  # what a withdrawn job left: the backend clears it as it starts
                if fault is not None:
                    withdrawn = self._withdraw(job_id)
                    if withdrawn:
                        self._withdrawn_reasons = _reasons(printer)
                    raise _Interrupted(job_id, fault, withdrawn)
            time.sleep(max(0.0, min(self.poll_s, deadline - time.monotonic())))
        raise self._cancel(job_id, job, printer)

    def _purge(self, job_id: int) -> bool:
        """Drop a job's copy of the report from the CUPS spool and history, cancelling it if it
        has not finished (CUPS keeps job files for a day by default). False when that failed
        (logged, not raised)."""
        import cups

        try:
            self._ipp("purge", lambda c: c.cancelJob(job_id, purge_job=True))
        except (DeviceError, cups.IPPError) as error:
            log.info(
                "A4 job %d: purging it from the spool failed (%s)", job_id, type(error).__name__
            )
            return False
        return True

    def _withdraw(self, job_id: int) -> bool:
        """Cancel a job under way and purge it, so CUPS keeps no copy of the report. CUPS
        stops the job first and purges only a job that has stopped, so this purges until the
        job is gone. False when it is not gone within ``cancel_wait_s`` (logged)."""
        import cups

        deadline = time.monotonic() + self.cancel_wait_s
        while self._purge(job_id):
            try:
                self._job_attributes(job_id)
            except cups.IPPError:
                return True  # not found: gone
            except DeviceError:
                break
            if time.monotonic() >= deadline:
                break
            time.sleep(self.poll_s)
        log.info("A4 job %d could not be withdrawn from CUPS", job_id)
        return False

    def _cancel(
        self, job_id: int, job: Mapping[str, Any], printer: Mapping[str, Any]
    ) -> DeviceError:
        """Cancel a job that will not finish; the error says whether that worked and why."""
        import cups

        state = JOB_STATE_NAMES.get(job.get("job-state", 0), "unknown")
        reasons = sorted(reason_keywords(printer.get("printer-state-reasons")))
        named = ", ".join(reasons) or "none"
        if printer.get("printer-state") == PRINTER_STOPPED:
            hint = f"queue {self.queue} is stopped ({named}): cupsenable {self.queue}"
        else:
            hint = f"check the printer behind queue {self.queue} (reasons: {named})"
        try:
            self._ipp("cancel", lambda c: c.cancelJob(job_id, purge_job=False))
            deadline = time.monotonic() + self.cancel_wait_s
            while time.monotonic() < deadline:
                after, _ = self._job_attributes(job_id)
                if after.get("job-state") in (JOB_CANCELED, JOB_ABORTED):
                    log.info("A4 job %d cancelled after the timeout (was %s)", job_id, state)
                    self._purge(job_id)
                    return PrintCancelled(
                        f"A4 job {job_id} did not finish in time ({state}) and was cancelled", hint
                    )
                if after.get("job-state") == JOB_COMPLETED:
                    break
                time.sleep(self.poll_s)
        except (DeviceError, cups.IPPError) as error:
            log.info("A4 job %d: cancelling failed (%s)", job_id, type(error).__name__)
        return Timeout(
            f"A4 job {job_id} did not finish in time ({state}) and could not be cancelled",
            f"cancel it by hand before it prints unattended: cancel {self.queue}-{job_id}; {hint}",
        )

    # --- health ---
    def check_health(self, level: HealthLevel) -> HealthReport:
        """INTERNAL asks CUPS about the queue; EXTERNAL and INTERACTIVE print a test page."""
        details = {
            "queue": self.queue,
            "server": self.server or "default",
            "state": self.state.value,
            "jobs": str(self._jobs),
        }
        kept = self.kept_jobs.jobs()
        if kept:
            details["kept_jobs"] = describe_kept(kept, self.kept_jobs.clock())
        if self.last_fault is not None:
            details["last_fault"] = self.last_fault.code
            details["last_fault_hint"] = self.last_fault.technician_hint
        if self.state is DeviceState.CLOSED:
            return HealthReport(False, "A4 printer is closed", details)
        if level is not HealthLevel.INTERNAL:
            return self._test_page(details)
        try:
            attributes = self._printer_attributes()
        except DeviceError as unreachable:
            text = f"{unreachable.message}; {unreachable.technician_hint}"
            return HealthReport(False, text, details)
        status = status_from_attributes(attributes)
        details.update(describe_status(status))
        details["printer_state_reasons"] = (
            ",".join(sorted(reason_keywords(attributes.get("printer-state-reasons")))) or "none"
        )
        fault = self._live_fault(attributes, status, "now")
        if fault is not None:
            return HealthReport(False, f"{fault.message}; {fault.technician_hint}", details)
        if self._withdrawn_reasons:
            details["printer_state_reasons_left_by_withdrawn_job"] = "yes"
        if attributes.get("printer-state") == PRINTER_STOPPED:
            return HealthReport(False, f"queue is stopped; run: cupsenable {self.queue}", details)
        if attributes.get("printer-is-accepting-jobs") is False:
            return HealthReport(False, f"queue rejects jobs; run: cupsaccept {self.queue}", details)
        notes = [f"{a.message}; {a.hint}" for a in attention(status)]
        if kept:
            notes.append(f"{len(kept)} kept job(s) wait to print")
        return HealthReport(True, "; ".join(["A4 printer ready", *notes]), details)

    def _test_page(self, details: dict[str, str]) -> HealthReport:
        try:
            result = self.print_pdf(self_test_page_pdf(), "kiosk self-test", 60.0)
        except DeviceError as fault:
            return HealthReport(False, f"{fault.message}; {fault.technician_hint}", details)
        return HealthReport(True, f"test page printed (job {result.job_id}); check it", details)


def _reasons(attributes: Mapping[str, Any]) -> frozenset[str]:
    return frozenset(keywords(attributes.get("printer-state-reasons")))


def self_test_page_pdf() -> bytes:
    """A one-page A4 PDF (150 dpi) saying what it is, drawn with the CJK font."""
    page = Image.new("L", (1240, 1754), 255)
    draw = ImageDraw.Draw(page)
    draw.text((120, 160), "自助终端 A4 打印机自检页", font=cjk_font(64), fill=0)
    draw.text((120, 280), "ASCII 0123456789  中文（），。䶮", font=cjk_font(40), fill=0)
    draw.rectangle((100, 100, 1140, 1654), outline=0, width=4)
    out = io.BytesIO()
    page.save(out, format="PDF", resolution=150.0)
    return out.getvalue()
