"""The real thermal receipt printer: ESC/POS over TCP, USB or serial.

The job is prepared before the printer is touched (``escpos_encoding``: python-escpos's
commands, with our kanji-mode GB18030 text, or raster lines for printers without a Chinese
font) and sent in one piece through a python-escpos connector (``escpos_link``). What the
printer can do comes from its profile (``printers.profiles``). The status replies are ours
to interpret (``escpos_status``): python-escpos's ``paper_status()`` says "paper adequate"
when the printer says nothing, and it has no cover or offline-cause query.

Every operation opens a fresh connection and closes it again: a printer that was unplugged,
switched off or replaced is found again on the next job. One job:

1. encode the receipt, before touching the printer;
2. connect and ask for the status (``DLE EOT 1``, ``2``, ``4``); refuse the job on paper
   out, cover open, offline or silence (a printer that cannot say it has paper is not
   given a resident's receipt);
3. send the job;
4. wait about as long as the paper takes to come out (profile speed), polling the status;
5. ask again: OK confirms the job; paper out or cover open means the printer stopped mid
   job. The rest of the job stays in the printer's buffer and prints once staff fix the
   printer; nothing is resent (no duplicates) and the job is not confirmed. Silence after
   the job: not confirmed.

Options: ``EscposOptions`` (``[receipt_printer.options]``).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import ClassVar, Self

import qrcode

from devices.base import (
    Cover,
    DeviceError,
    DeviceState,
    HealthLevel,
    HealthReport,
    NotFound,
    NotSupported,
    Offline,
    Paper,
    Timeout,
)
from devices.options import option_error, require_positive
from devices.printers.base import PrinterStatus, PrintResult, ReceiptPrinter
from devices.printers.escpos_encoding import (
    CUT_FEED_LINES,
    QR_MODULE_DOTS,
    encode_receipt,
    text_columns,
    wrap_text,
)
from devices.printers.escpos_library import escpos_installed
from devices.printers.escpos_link import (
    Endpoint,
    Link,
    connector_usable,
    is_timeout,
    open_link,
    parse_endpoint,
)
from devices.printers.escpos_status import QUERIES, decode_replies, query, status_byte
from devices.printers.profiles import PrinterProfile, ProfileError, load_profile
from devices.printers.receipt import Align, QrCode, Receipt, Rule, Text
from devices.printers.sensors import attention, blocking_fault, describe_status

log = logging.getLogger(__name__)

DOTS_PER_MM = 8
"""203 dpi, the resolution of practically every receipt printer."""
LINE_DOTS = 34
"""A text line: 24-dot glyphs plus the default line spacing (1/6 inch)."""
STATUS_POLL_S = 0.25
PAPER_HINT = "load a new paper roll"
MID_JOB_HINT = (
    "the rest of the interrupted receipt prints by itself once the printer is ready;"
    " hand it to the resident or shred it"
)
SELF_TEST = Receipt(
    (
        Text("打印机自检", Align.CENTER, bold=True, large=True),
        Text("ASCII 0123456789 ABC xyz"),
        Text("中文：（），。、“”《》䶮"),
        QrCode("SELFTEST"),
    )
)


def is_usable() -> tuple[bool, str]:
    """The driver needs python-escpos (its connectors); USB and serial need more
    (``connector_usable``)."""
    return escpos_installed()


# --- the job ---


def paper_length_mm(receipt: Receipt, columns: int) -> float:
    """About how much paper the receipt takes, to know how long printing lasts."""
    dots = CUT_FEED_LINES * LINE_DOTS
    for element in receipt.elements:
        if isinstance(element, Text):
            lines = wrap_text(element.text, text_columns(columns, element.large))
            dots += len(lines) * LINE_DOTS * (2 if element.large else 1)
        elif isinstance(element, QrCode):
            code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
            code.add_data(element.data)
            code.make(fit=True)
            dots += (4 * code.version + 17) * QR_MODULE_DOTS + LINE_DOTS
        elif isinstance(element, Rule):
            dots += LINE_DOTS
    return dots / DOTS_PER_MM


def _complete(status: PrinterStatus) -> bool:
    """Every sensor answered (a printer without real-time status never completes)."""
    return (
        status.online is not None
        and status.paper not in (Paper.UNKNOWN, Paper.NOT_SUPPORTED)
        and status.cover not in (Cover.UNKNOWN, Cover.NOT_SUPPORTED)
    )


UNANSWERED = PrinterStatus(Paper.UNKNOWN, Cover.UNKNOWN, online=None)
UNREACHABLE = PrinterStatus(Paper.UNKNOWN, Cover.UNKNOWN, online=False)
NO_STATUS = PrinterStatus(Paper.NOT_SUPPORTED, Cover.NOT_SUPPORTED, online=None)


@dataclass(frozen=True)
class EscposOptions:
    """``[receipt_printer.options]`` for ``driver = "escpos"``."""

    connection: str
    """``tcp://host[:port]`` (port 9100 by default), ``usb://VID:PID[?in_ep=0x82&out_ep=0x01]``
    (hex ids) or ``serial:///dev/ttyS0[?baudrate=9600]`` (required)."""
    profile: str
    """The printer model's profile, e.g. ``kiosk-80-cn`` (``devices/printers/profiles/``)."""
    profile_overrides: dict[str, bool | int | float | str] = field(default_factory=dict)
    """Profile keys to replace for this printer, e.g. ``cutter = "none"``."""
    connect_timeout_s: float = 3.0
    """Seconds to wait for a connection."""
    status_timeout_s: float = 0.5
    """Seconds to wait for the answer to each status query."""

    def __post_init__(self) -> None:
        try:
            parse_endpoint(self.connection)
        except ValueError as error:
            raise option_error("connection", error) from None
        self.printer_profile()
        require_positive(self, "connect_timeout_s", "status_timeout_s")

    def printer_profile(self) -> PrinterProfile:
        """The named profile with the overrides applied."""
        try:
            profile = load_profile(self.profile)
        except ProfileError as error:
            raise option_error("profile", error) from None
        try:
            return profile.with_overrides(self.profile_overrides)
        except ProfileError as error:
            raise option_error("profile_overrides", error) from None


class EscposReceiptPrinter(ReceiptPrinter):
    """A thermal printer speaking ESC/POS. Call only from the printer's own worker thread."""

    options_type: ClassVar[type[EscposOptions]] = EscposOptions

    def __init__(
        self,
        endpoint: Endpoint,
        profile: PrinterProfile,
        *,
        connect_timeout_s: float = 3.0,
        status_timeout_s: float = 0.5,
        connect: Callable[[Endpoint, float], Link] = open_link,
    ) -> None:
        self.endpoint = endpoint
        self.profile = profile
        self.connect_timeout_s = connect_timeout_s
        self.status_timeout_s = status_timeout_s
        self.state = DeviceState.CLOSED
        self.last_fault: DeviceError | None = None
        self.last_status: PrinterStatus | None = None
        self._connect = connect
        self._jobs = 0
        self._lock = threading.Lock()

    @classmethod
    def from_options(cls, options: EscposOptions) -> Self:
        """Raises NotSupported for a connector that cannot run here."""
        endpoint = parse_endpoint(options.connection)
        usable, why = connector_usable(endpoint.kind)
        if not usable:
            raise NotSupported(f"escpos printer cannot run here: {why}", why)
        return cls(
            endpoint,
            options.printer_profile(),
            connect_timeout_s=options.connect_timeout_s,
            status_timeout_s=options.status_timeout_s,
        )

    # --- lifecycle ---
    def open(self) -> None:
        """Ready the driver and look at the printer once.

        Raises the printer's fault (Offline, PaperOut, CoverOpen, …) so it is reported at
        start-up, but stays open: each job connects afresh and may find the printer well.
        """
        self.state = DeviceState.IDLE
        status = self.status()
        fault = blocking_fault(status, PAPER_HINT, "at start-up")
        if fault is not None:
            self._set_fault(fault)
            raise fault

    def close(self) -> None:
        self.state = DeviceState.CLOSED

    # --- sensors ---
    def _deadline_status(self, link: Link, deadline: float) -> PrinterStatus:
        if not self.profile.realtime_status:
            return NO_STATUS
        replies: dict[int, bytes | None] = {}
        for n in QUERIES:
            wait = min(self.status_timeout_s, deadline - time.monotonic())
            if wait <= 0:
                break
            link.drain()
            reply = link.ask(query(n), wait)
            replies[n] = reply or None
            if status_byte(reply) is None:
                break  # a printer that ignored one query will ignore the next ones too
        return decode_replies(replies)

    def status(self) -> PrinterStatus:
        """Connect and ask; UNKNOWN when the printer says nothing, offline when unreachable."""
        budget = self.connect_timeout_s + len(QUERIES) * self.status_timeout_s
        deadline = time.monotonic() + budget
        with self._lock:
            try:
                with self._connection(deadline) as link:
                    status = self._deadline_status(link, deadline)
            except (Offline, NotFound):
                status = UNREACHABLE
            except OSError:
                status = UNANSWERED
        self.last_status = status
        return status

    @contextmanager
    def _connection(self, deadline: float) -> Iterator[Link]:
        link = self._connect(
            self.endpoint, max(0.05, min(self.connect_timeout_s, deadline - time.monotonic()))
        )
        try:
            yield link
        finally:
            link.close()

    # --- printing ---
    def encode(self, receipt: Receipt) -> bytes:
        """The job's bytes for this printer's profile."""
        profile = self.profile
        return encode_receipt(receipt, profile.columns, profile.chinese_font, profile.cutter)

    def _set_fault(self, fault: DeviceError) -> None:
        self.last_fault = fault
        self.state = (
            DeviceState.OFFLINE if isinstance(fault, Offline | NotFound) else DeviceState.ERROR
        )

    def print_receipt(self, receipt: Receipt, timeout: float) -> PrintResult:
        """Print one receipt. Raises: PaperOut, CoverOpen, Offline, NotFound, Timeout,
        DeviceError. Returns a result confirmed only when the printer said OK after the job."""
        if self.state is DeviceState.CLOSED:
            raise DeviceError("printer is not open", "the kiosk opens printers when it starts")
        deadline = time.monotonic() + timeout
        data = self.encode(receipt)
        settle_s = paper_length_mm(receipt, self.profile.columns) / self.profile.print_speed_mm_s
        with self._lock:
            self._jobs += 1
            job_id = f"E{self._jobs:04d}"
            self.state = DeviceState.BUSY
            try:
                result = self._run_job(job_id, data, settle_s, deadline)
            except DeviceError as fault:
                self._set_fault(fault)
                raise
            except OSError as error:
                lost: DeviceError
                if is_timeout(error):
                    lost = Timeout(
                        "receipt printer stopped taking data during the job",
                        "check paper and cover; the printer's buffer is full",
                    )
                else:
                    lost = Offline(
                        f"connection to the receipt printer was lost ({type(error).__name__})",
                        "check the printer's power and cable",
                    )
                self._set_fault(lost)
                raise lost from None
        self.state = DeviceState.IDLE
        if result.confirmed:
            self.last_fault = None
        return result

    def _run_job(self, job_id: str, data: bytes, settle_s: float, deadline: float) -> PrintResult:
        with self._connection(deadline) as link:
            before = self._deadline_status(link, deadline)
            self.last_status = before
            fault = blocking_fault(before, PAPER_HINT, "before the job")
            if fault is not None:
                raise fault
            if self.profile.realtime_status and not _complete(before):
                raise Offline(
                    "receipt printer does not answer status queries before the job",
                    "check that the printer is on and not in an error state, and that real-time "
                    "status (DLE EOT) is enabled",
                )
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise Timeout("no time left to print the receipt", "raise printing_timeout_s")
            link.send(data, remaining)
            log.info(
                "receipt job %s: %d bytes sent to %s", job_id, len(data), self.endpoint.address
            )
            after = self._watch_paper(link, settle_s, deadline)
        self.last_status = after
        fault = blocking_fault(after, PAPER_HINT, "during the job", MID_JOB_HINT)
        if fault is not None:
            raise fault
        for item in attention(after):
            log.info("receipt printer needs attention: %s", item.code)
        confirmed = _complete(after)
        if not confirmed:
            log.info("receipt job %s: the printer did not confirm it", job_id)
        return PrintResult(job_id, confirmed=confirmed, pages=1, status_after=after)

    def _watch_paper(self, link: Link, settle_s: float, deadline: float) -> PrinterStatus:
        """Poll while the paper comes out: stop early on a fault, then ask once more."""
        if self.profile.realtime_status:
            reserve = len(QUERIES) * self.status_timeout_s
            until = min(time.monotonic() + settle_s, deadline - reserve)
            while time.monotonic() + STATUS_POLL_S < until:
                time.sleep(STATUS_POLL_S)
                polled = self._deadline_status(link, deadline)
                if blocking_fault(polled, PAPER_HINT, "during the job") is not None:
                    return polled
            time.sleep(max(0.0, until - time.monotonic()))
        return self._deadline_status(link, deadline)

    # --- health ---
    def check_health(self, level: HealthLevel) -> HealthReport:
        """INTERNAL asks for the status; EXTERNAL and INTERACTIVE print a self-test slip
        (INTERACTIVE: the technician judges the slip)."""
        details = {
            "connection": self.endpoint.address,
            "profile": self.profile.name,
            "state": self.state.value,
            "jobs": str(self._jobs),
        }
        if self.last_fault is not None:
            details["last_fault"] = self.last_fault.code
            details["last_fault_hint"] = self.last_fault.technician_hint
        if self.state is DeviceState.CLOSED:
            return HealthReport(False, "receipt printer is closed", details)
        if level is not HealthLevel.INTERNAL:
            return self._self_test(details)
        status = self.status()
        details.update(describe_status(status))
        fault = blocking_fault(status, PAPER_HINT, "now")
        if fault is not None:
            return HealthReport(False, f"{fault.message}; {fault.technician_hint}", details)
        if self.profile.realtime_status and not _complete(status):
            text = "receipt printer does not answer status queries; check it is on and enabled"
            return HealthReport(False, text, details)
        notes = [f"{a.message}; {a.hint}" for a in attention(status)]
        return HealthReport(True, "; ".join(["receipt printer ready", *notes]), details)

    def _self_test(self, details: dict[str, str]) -> HealthReport:
        stamp = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S")
        slip = Receipt((*SELF_TEST.elements, Text(stamp, Align.CENTER)))
        try:
            result = self.print_receipt(slip, self.connect_timeout_s + 10.0)
        except DeviceError as fault:
            details["last_fault"] = fault.code
            return HealthReport(False, f"{fault.message}; {fault.technician_hint}", details)
        if result.status_after is not None:
            details.update(describe_status(result.status_after))
        if not result.confirmed:
            return HealthReport(
                False, "self-test slip sent but not confirmed by the printer", details
            )
        return HealthReport(True, "self-test slip printed; check it is legible", details)
