"""The terminal: wires the card reader, the platform, the printers and the outbox to one
``Session`` and runs each on its own thread.

Threads: one reader thread (waits for card events and reads cards), one worker per printer,
one for the platform, and one coordinator that alone touches the ``Session``; the reader
and the session clock are ``SupervisedLoop``s. Results come
back to the coordinator tagged with the session number, so a late answer for a session that
has ended is dropped. Every change is published as a ``SessionView`` to ``on_change``
(called on the coordinator thread; the UI re-emits it as a queued Qt signal).

Each device's INTERNAL health is checked on its own thread every ``health_interval_s`` and,
for the printers, whenever a report is shown: the print choice offers only printers whose
check was ok. A supervised loop (its own or one in ``supervised``) that keeps failing puts
the terminal out of service (no new session; the screen says 暂停服务) until it runs clean.
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, TypeVar

from devices.base import BadCard, DeviceError, DeviceState, PaperOut
from devices.camera.base import Camera
from devices.idcard.card import (
    CardMoved,
    CardType,
    ChecksumMismatch,
    IdentityCard,
    NotAnIdCard,
    UnsupportedCardType,
)
from devices.idcard.reader import CardEvent, IdCardReader
from devices.printers.base import DocumentPrinter, PrintResult, ReceiptPrinter
from devices.printers.cups import count_pages
from devices.printers.receipt import Receipt
from devices.printers.sensors import attention
from kiosk.config import ConsentSettings, FaceCheckSettings, SessionSettings
from kiosk.contract import (
    ConsentRecord,
    CreditReport,
    DeviceFault,
    DeviceHealth,
    FaceCheck,
    ObjectionReason,
    Payload,
    PrintRecord,
    QueryRecord,
    StaffAlert,
)
from kiosk.diagnostics.counters import DeviceCounters
from kiosk.diagnostics.service import ServiceSwitch
from kiosk.documents.receipt_layout import build_receipt
from kiosk.face_check import FacePreview, capture_face
from kiosk.health import Device, internal_health
from kiosk.objections import (
    REPAIR_SECTIONS,
    NotObjectable,
    ObjectionOutcome,
    RecordRef,
    RepairOutcome,
    objection_request,
    outcome,
    queued_objection,
)
from kiosk.platform.client import (
    EnterpriseNotFound,
    IdentityMismatch,
    MalformedReply,
    NotLegalRepresentative,
    PlatformClient,
    PlatformError,
    PlatformUnavailable,
    SessionExpired,
    TerminalAuthFailed,
)
from kiosk.platform.outbox_items import enqueue
from kiosk.platform.signing import SKEW_WARN_S
from kiosk.platform.watch import PlatformWatch
from kiosk.privacy import mask_id_number, subject_key
from kiosk.report_model import CHINA_TIME, verify_url
from kiosk.session import FailureReason, PrintKind, Session, SessionView, State
from kiosk.supervision import SupervisedLoop, stale_limit
from kiosk.updater.session_lock import SessionLock
from kiosk.uscc import is_valid as is_valid_uscc
from kiosk.worker import Worker
from offline_cache.outbox import Outbox, OutboxFull

log = logging.getLogger(__name__)
T = TypeVar("T")

CARD_POLL_S = 0.25
QUERYABLE_CARD_TYPES = (CardType.RESIDENT, CardType.HK_MO_TW)
PRINT_RESERVE_S = 10.0
"""Of the printing timeout, what is kept back for a printer to cancel a stuck job and say so."""
PRINTER_DEVICES = {PrintKind.A4: "document_printer", PrintKind.RECEIPT: "receipt_printer"}
TICK_S = 0.2
READER_RETRY_S = 1.0
COORDINATOR_WAIT_S = 5.0
"""The reader thread waits this long for the coordinator to begin a session."""
DEVICE_NAMES = ("card_reader", "receipt_printer", "document_printer")
ENTERPRISE_CHOICE_S = 60.0
"""How long the enterprise report stays chosen on the attract screen with no card laid (the
next resident must not inherit it)."""
PAUSED_CHECK_S = 5.0
"""While a print waits for paper, the printers are checked this often (staff loaded it?)."""


@dataclass(frozen=True)
class Devices:
    reader: IdCardReader
    receipt_printer: ReceiptPrinter
    document_printer: DocumentPrinter
    camera: Camera | None = None
    """Only on a terminal whose face check is enabled."""

    def states(self) -> dict[str, str]:
        """Each device's coarse state, for heartbeats (no personal data)."""
        states = {
            "card_reader": self.reader.state.value,
            "receipt_printer": self.receipt_printer.state.value,
            "document_printer": self.document_printer.state.value,
        }
        if self.camera is not None:
            states["camera"] = self.camera.state.value
        return states

    def names(self) -> tuple[str, ...]:
        """The devices this terminal has, by config table."""
        return (*DEVICE_NAMES, "camera") if self.camera is not None else DEVICE_NAMES


class NoReportShown(RuntimeError):
    """The session left the report (timed out, card removed) before the request ran."""


class NoPrinter(RuntimeError):
    """Neither printer passed its last health check."""


def _settle(result: Future[T], work: Callable[[], T]) -> None:
    """Run ``work`` (on a worker) and settle ``result`` with what it returns or raises."""
    try:
        result.set_result(work())
    except Exception as error:
        result.set_exception(error)


def _remaining(deadline: float) -> float:
    return max(0.0, deadline - time.monotonic())


def session_timeouts(settings: SessionSettings, elder: bool = False) -> dict[State, float]:
    """Each state's limit; in 长辈模式 (``elder``) the resident's own ones are longer."""
    factor = settings.elder_factor if elder else 1.0
    return {
        State.READING: settings.reading_timeout_s,
        State.CONSENT: settings.consent_timeout_s * factor,
        State.AUTHENTICATING: settings.authenticating_timeout_s,
        State.FACE_CHECK: settings.face_check_timeout_s,
        State.FETCHING: settings.fetching_timeout_s,
        State.ENTERPRISE_CODE: settings.enterprise_code_timeout_s * factor,
        State.SHOWING: settings.showing_idle_timeout_s * factor,
        State.PRINTING: settings.printing_timeout_s,
        State.DONE: settings.done_timeout_s * factor,
        State.FAILED: settings.failed_timeout_s * factor,
        State.PRINT_PAUSED: settings.print_paused_timeout_s,
    }


def print_job_timeout(printing_timeout_s: float) -> float:
    """Seconds a printer gets for its job: the session's printing time less a reserve, so a job
    the printer gives up on (and cancels) is reported before the session itself times out."""
    return printing_timeout_s - min(PRINT_RESERVE_S, printing_timeout_s / 4)


def _print_failure_code(error: Exception) -> str:
    """The failure code the screen explains; ``<code>_kept`` when the job will still finish."""
    if not isinstance(error, DeviceError):
        return "print_error"
    return f"{error.code}_kept" if error.job_kept else error.code


def _paper_out_not_kept(outcome: PrintResult | Exception) -> bool:
    """A job that failed for paper out and is not kept by the printer: the session pauses
    and prints it again once staff load paper (a kept job comes out by itself)."""
    return isinstance(outcome, PaperOut) and not outcome.job_kept


def _kinds(kinds: frozenset[PrintKind]) -> str:
    return "+".join(sorted(kind.value for kind in kinds))


def _time_left(deadline: float) -> float:
    return max(0.1, deadline - time.monotonic())


def _card_failure(error: Exception) -> tuple[FailureReason, str]:
    if isinstance(error, ChecksumMismatch):
        return FailureReason.CARD_CHECKSUM, error.code
    if isinstance(error, UnsupportedCardType):
        return FailureReason.CARD_UNSUPPORTED, error.code
    if isinstance(error, NotAnIdCard):
        return FailureReason.NOT_AN_ID_CARD, error.code
    if isinstance(error, CardMoved):
        return FailureReason.CARD_MOVED, error.code
    if isinstance(error, BadCard):
        return FailureReason.CARD_UNREADABLE, error.code
    if isinstance(error, DeviceError):
        return FailureReason.READER_FAULT, error.code
    return FailureReason.READER_FAULT, type(error).__name__


def _as_platform_error(error: Exception) -> PlatformError:
    """A platform call's failure as the session takes it. An unexpected one (a bug in the
    client) is logged here and ends the session at once, not after the state's deadline."""
    if isinstance(error, PlatformError):
        return error
    log.error("platform call failed unexpectedly", exc_info=error)
    return PlatformError("LOCAL_ERROR", f"the call failed in the kiosk ({type(error).__name__})")


def _platform_failure(error: PlatformError) -> FailureReason:
    # A refused terminal is nothing the resident did: to them the platform is unavailable
    # (the technician gets the fault: ``Terminal._check_platform_link``).
    if isinstance(error, PlatformUnavailable | TerminalAuthFailed):
        return FailureReason.PLATFORM_UNAVAILABLE
    if isinstance(error, SessionExpired):
        return FailureReason.SESSION_EXPIRED
    if isinstance(error, IdentityMismatch):
        return FailureReason.IDENTITY_MISMATCH
    if isinstance(error, MalformedReply):
        return FailureReason.REPORT_MALFORMED
    if isinstance(error, NotLegalRepresentative):
        return FailureReason.NOT_LEGAL_REPRESENTATIVE
    if isinstance(error, EnterpriseNotFound):
        return FailureReason.ENTERPRISE_NOT_FOUND
    return FailureReason.PLATFORM_REJECTED


class Terminal:
    def __init__(
        self,
        *,
        terminal_id: str,
        secret: bytes,
        devices: Devices,
        platform: PlatformClient,
        watch: PlatformWatch,
        outbox: Outbox,
        timeouts: SessionSettings,
        on_change: Callable[[SessionView], None],
        on_ready: Callable[[], None] = lambda: None,
        today: Callable[[], dt.date] = dt.date.today,
        clock: Callable[[], float] = time.monotonic,
        supervised: Sequence[SupervisedLoop] = (),
        health_interval_s: float = 60.0,
        service_switch: ServiceSwitch | None = None,
        session_lock: SessionLock | None = None,
        consent_version: str = ConsentSettings().version,
        face_check: FaceCheckSettings | None = None,
        on_face_preview: Callable[[FacePreview], None] = lambda preview: None,
    ) -> None:
        """``on_ready`` is called once, on the card-reader thread, when the terminal is first
        ready for a card: the reader is open and answering (state IDLE) and the coordinator
        takes cards. A card laid before then is not lost: drivers report a card already lying
        on the reader as INSERTED when first watched. ``supervised``: the runtime's other
        loops (platform watch, outbox drain), watched with the terminal's own.
        ``service_switch``: the technician's out-of-service switch, looked at every tick.
        ``session_lock``: held from a card laid until the attract screen returns, so the
        updater never restarts the kiosk during a resident's session.
        ``face_check``: the face check's settings (None: off); the camera is
        ``devices.camera``. ``on_face_preview``: each live frame of a face check, on the
        camera's thread (the UI copies it for the screen; it must not be kept)."""
        self.terminal_id = terminal_id
        self._secret = secret
        self.devices = devices
        self._platform = platform
        self._watch = watch
        self._outbox = outbox
        self._settings = timeouts
        self._on_change = on_change
        self._on_ready = on_ready
        self._today = today
        self._session = Session(session_timeouts(timeouts), clock)
        for elder in (False, True):
            self._session.use_timeouts(
                session_timeouts(timeouts, elder),
                still_there_s=timeouts.still_there_s * (timeouts.elder_factor if elder else 1),
                card_grace_s=timeouts.card_grace_s * (timeouts.elder_factor if elder else 1),
                elder=elder,
            )
        self._consent_version = consent_version
        self._card_on_reader = False
        """What the reader last said: a card lies on it (coordinator only)."""
        self._coordinator = Worker("session")
        self._platform_worker = Worker("platform")
        self._receipt_worker = Worker("receipt-printer")
        self._document_worker = Worker("document-printer")
        self._camera_worker = Worker("camera")
        self._face_settings = face_check or FaceCheckSettings()
        self._on_face_preview = on_face_preview
        self._face_stop = threading.Event()
        """Set when the session leaves FACE_CHECK: the attempt under way stops."""
        self._face_attempts_made: int | None = None
        """While a face check has begun and its outcome is not recorded: attempts so far."""
        self._stopping = threading.Event()
        # A reader round: the wait for a card event, then perhaps a session begun and a card
        # read, or a fault and the pause before the reader is opened again.
        reader_round_s = (
            CARD_POLL_S + COORDINATOR_WAIT_S + timeouts.reading_timeout_s + READER_RETRY_S
        )
        self._reader_loop = SupervisedLoop(
            "card-reader",
            self._watch_cards,
            self._stopping,
            self._reader_failed,
            stale_after_s=stale_limit(reader_round_s),
        )
        # It ticks when the coordinator has applied the deadlines: a wedged coordinator
        # (every session step runs there) makes this loop stale too.
        self._clock_loop = SupervisedLoop(
            "session-clock",
            self._tick,
            self._stopping,
            self.record_loop_fault,
            stale_after_s=stale_limit(TICK_S),
        )
        self.loops = (self._reader_loop, self._clock_loop)
        self.supervised = (*self.loops, *supervised)
        self._pending_prints: dict[PrintKind, PrintResult | Exception] = {}
        self._a4: tuple[int, bytes, int] | None = None
        """(session number, PDF, pages): the A4 report rendered ahead for the print choice
        and printed from; personal data, dropped whenever the session has no report."""
        self._next_paused_check = 0.0
        self._awaiting_paper: set[str] = set()
        """The printers a paused print waits for: each needs an ok check made after the
        pause (one made before it says nothing of the paper)."""
        self._health_interval_s = health_interval_s
        self._next_health_check = 0.0
        self._reader_check_due = threading.Event()
        self._health: dict[str, DeviceHealth] = {}
        """Replaced whole on the coordinator (other threads read it)."""
        self._health_known = threading.Event()
        self._failing_loops: tuple[str, ...] = ()
        self._service_switch = service_switch
        self._switched_off = False
        self._technician_present = threading.Event()
        self._reader_jobs: queue.SimpleQueue[tuple[Callable[[Any], Any], Future[Any]]] = (
            queue.SimpleQueue()
        )
        self.counters = DeviceCounters()
        """What each device did since start (the technician screens show them)."""
        self._session_lock = session_lock
        self._reasons: tuple[ObjectionReason, ...] = ()
        """The objection reasons the platform last sent (``objection_reasons``)."""
        self.last_session_at: dt.datetime | None = None
        """When the last resident's session began (for heartbeats)."""
        self.platform_faults: frozenset[str] = frozenset()
        """The platform link's faults a technician must see to, while they last:
        ``clock_skew`` (over ``SKEW_WARN_S``) and the code of a refused certificate or
        terminal signature (``TLS_CERT_EXPIRED``, ``BAD_SIGNATURE``…)."""
        self._enterprise_chosen_until: float | None = None
        """While IDLE: the enterprise report was chosen for the next card, until then."""

    # --- lifecycle ---
    def start(self) -> None:
        """Open the devices; each device's first health check follows on its own thread
        (``wait_for_health_checks``)."""
        self._receipt_worker.submit(self._open_device, self.devices.receipt_printer.open)
        self._document_worker.submit(self._open_device, self.devices.document_printer.open)
        self._submit(self._check_camera)
        for loop in self.loops:
            loop.start()
        self._submit(self._publish)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop every thread, within ``timeout`` in all. Each device is closed on its own
        thread once that thread's call under way returns, never during it; a thread still
        in a call when time is up is logged by name and left behind (a daemon)."""
        deadline = time.monotonic() + timeout
        self._stopping.set()
        for loop in self.loops:  # the reader's thread closes the reader as it leaves
            loop.join(_remaining(deadline))
        self._platform_worker.stop(_remaining(deadline))
        for worker, printer in (
            (self._receipt_worker, self.devices.receipt_printer),
            (self._document_worker, self.devices.document_printer),
        ):
            worker.stop(_remaining(deadline), last=partial(self._open_device, printer.close))
        self._face_stop.set()
        camera = self.devices.camera
        self._camera_worker.stop(
            _remaining(deadline), last=partial(self._open_device, camera.close) if camera else None
        )
        self._coordinator.stop(_remaining(deadline), last=self._session.wipe)

    # --- health and service ---
    def device_health(self) -> dict[str, DeviceHealth]:
        """Each device's last INTERNAL health check (for heartbeats and diagnostics)."""
        return self._health

    def wait_for_health_checks(self, timeout: float) -> list[str]:
        """Wait up to ``timeout`` for every device's first health check after ``start()``;
        returns the devices still unchecked."""
        self._health_known.wait(timeout)
        return [name for name in self.devices.names() if name not in self._health]

    def stale_loops(self, now: float) -> list[str]:
        """The supervised loops that have not gone round recently (wedged or dead)."""
        return [loop.name for loop in self.supervised if loop.is_stale(now)]

    def _check_printers(self) -> None:
        if self._stopping.is_set():
            return  # the printers' workers may be gone
        self._receipt_worker.submit(
            self._check_device, "receipt_printer", self.devices.receipt_printer
        )
        self._document_worker.submit(
            self._check_device, "document_printer", self.devices.document_printer
        )

    def _check_camera(self) -> None:
        """The camera's INTERNAL check on its own thread; never during a face check (the
        attempt under way holds the camera; it reports its own faults)."""
        camera = self.devices.camera
        if camera is None or self._stopping.is_set() or self._session.state is State.FACE_CHECK:
            return
        self._camera_worker.submit(self._check_device, "camera", camera)

    def _print_kept_jobs(self) -> None:
        """Jobs a printer fault interrupted print once it is fixed, only while no resident is
        at the kiosk (the pages are someone else's); the driver records what still fails."""
        timeout = print_job_timeout(self._settings.printing_timeout_s)
        self._document_worker.submit(self.devices.document_printer.print_kept_jobs, timeout)

    def _check_device(self, name: str, device: Device) -> None:
        """On the device's own thread."""
        health = internal_health(name, device)
        if not self._stopping.is_set():
            self._submit(self._health_checked, name, health)

    def _health_checked(self, name: str, health: DeviceHealth) -> None:
        before = self._health.get(name)
        self._health = {**self._health, name: health}
        if before is None or before.ok is not health.ok:
            self._health_changed(name, health)
        if health.ok and self._session.state is State.PRINT_PAUSED:
            self._awaiting_paper.discard(name)
            if not self._awaiting_paper:
                self._resume_print()
        # set last, so whoever waits for the first checks also sees the faults they recorded
        if set(self.devices.names()) <= set(self._health):
            self._health_known.set()

    def _health_changed(self, name: str, health: DeviceHealth) -> None:
        if health.ok:
            log.info("%s: health check ok", name)
        else:
            self._queue_fault(
                "health_check_failed",
                health.text,
                "run the device's diagnostics (taihaoban-kiosk diag)",
                name,
            )
        if name in PRINTER_DEVICES.values():
            self._publish()  # the print choice changes

    def _printable(self) -> frozenset[PrintKind]:
        health = self._health
        return frozenset(
            kind for kind, device in PRINTER_DEVICES.items() if (h := health.get(device)) and h.ok
        )

    def _out_of_service(self) -> bool:
        return bool(self._failing_loops) or self._switched_off

    def _check_service(self) -> None:
        """A loop that keeps failing takes the terminal out of service until it runs clean;
        so does the technician's switch, until switched back."""
        switched_off = self._service_switch is not None and self._service_switch.is_off()
        if switched_off is not self._switched_off:
            self._switched_off = switched_off
            if switched_off:
                log.warning("out of service: a technician switched the terminal off")
                if self._session.state not in (State.IDLE, State.PRINTING):
                    self._session.wipe()
            else:
                log.warning("a technician switched the terminal back into service")
            self._publish()
        now = time.monotonic()
        failing = tuple(loop.name for loop in self.supervised if loop.keeps_failing(now))
        if bool(failing) is bool(self._failing_loops):
            self._failing_loops = failing
            return
        self._failing_loops = failing
        if failing:
            log.error("out of service: the %s loop keeps failing", ", ".join(failing))
            self._queue_fault(
                "out_of_service",
                f"the {', '.join(failing)} loop failed again and again: residents see 暂停服务",
                "see the kiosk log for the loop's errors; the terminal returns to service by "
                "itself once the loop runs without failing for a while",
                failing[0].replace("-", "_"),
            )
            if self._session.state not in (State.IDLE, State.PRINTING):
                self._session.wipe()  # a printing job still finishes and says so
        else:
            log.warning("back in service: every loop runs without failing")
        self._publish()

    def _open_device(self, action: Callable[[], None]) -> None:
        try:
            action()
        except DeviceError as error:
            self._record_fault(error)

    # --- what the technician does (callable from any thread but the devices' own) ---
    def set_technician_present(self, present: bool) -> None:
        """While a technician is at the kiosk no resident session starts (a card laid is
        the technician's) and kept A4 jobs wait."""
        if present:
            self._technician_present.set()
        else:
            self._technician_present.clear()

    def claim_for_technician(self) -> bool:
        """Technician mode opens: False while a resident's session holds personal data (or
        the coordinator does not answer); otherwise the technician is present (as above)
        until ``release_from_technician``. Decided on the coordinator, so a card laid at the
        same moment is either the resident's session or not read at all."""
        try:
            return self._submit(self._claim_for_technician).result(COORDINATOR_WAIT_S) is True
        except (TimeoutError, RuntimeError):
            return False

    def release_from_technician(self) -> None:
        self.set_technician_present(False)

    def _claim_for_technician(self) -> bool:
        if self._session.state not in (State.IDLE, State.DONE, State.FAILED):
            return False
        if self._session.state is not State.IDLE:
            self._session.wipe()  # the last screen (no personal data left) goes
            self._publish()
        self.set_technician_present(True)
        return True

    def call_device(self, name: str, action: Callable[[Any], T], timeout: float) -> T:
        """``action(device)`` on the device's own thread, the device open; its result, or
        what it raised. Raises TimeoutError after ``timeout`` seconds (the action may still
        run). The card reader's thread runs it between two waits for a card: keep it under
        the reading timeout, or the watchdog takes the reader loop for wedged."""
        future: Future[T]
        if name == "card_reader":
            future = Future()
            self._reader_jobs.put((action, future))
        elif name == "receipt_printer":
            future = self._receipt_worker.submit(action, self.devices.receipt_printer)
        elif name == "document_printer":
            future = self._document_worker.submit(action, self.devices.document_printer)
        elif name == "camera" and self.devices.camera is not None:
            future = self._camera_worker.submit(self._with_camera_open, action)
        else:
            raise ValueError(f"no device {name!r}")
        return future.result(timeout)

    def _with_camera_open(self, action: Callable[[Any], T]) -> T:
        """On the camera's thread: the camera is open only while it is used (its light
        tells the resident when it looks)."""
        camera = self.devices.camera
        assert camera is not None
        camera.open()
        try:
            return action(camera)
        finally:
            camera.close()

    def _run_reader_jobs(self, reader: IdCardReader, opened: bool) -> bool:
        """On the reader's thread: the technician's calls waiting for it. Returns whether
        the reader is open now."""
        while True:
            try:
                action, future = self._reader_jobs.get_nowait()
            except queue.Empty:
                return opened
            if not future.set_running_or_notify_cancel():
                continue
            try:
                if not opened:
                    reader.open()
                    opened = True
                future.set_result(action(reader))
            except Exception as error:
                future.set_exception(error)

    # --- what the resident does (callable from any thread) ---
    def give_consent(self) -> None:
        """同意 on the 查询授权 screen: only now is the platform asked about the person."""
        self._submit(self._consent_given)

    def refuse_consent(self) -> None:
        """不同意: the session ends; the platform hears nothing of the person."""
        self._submit(self._consent_refused)

    def call_staff(self, screen: str) -> None:
        """呼叫工作人员: a staff alert (where and when; no personal data) for the hall."""
        self._submit(self._call_staff, screen)

    def print_report(self, kinds: frozenset[PrintKind]) -> None:
        self._submit(self._start_printing, kinds)

    def end_session(self) -> None:
        """退出 / 返回首页."""
        self._submit(self._end)

    def consent_to_face_check(self) -> None:
        """同意刷脸: the first attempt of the face check begins."""
        self._submit(self._face_consented)

    def refuse_face_check(self) -> None:
        """不用刷脸，到窗口办理: the session ends; the window checks identity in person."""
        self._submit(self._face_refused)

    def touch(self) -> None:
        self._submit(self._touch)

    def choose_enterprise(self, chosen: bool) -> None:
        """The attract screen's 企业报告（法定代表人）: the next card laid (within
        ``ENTERPRISE_CHOICE_S``) asks for an enterprise's report; False takes it back."""
        self._submit(self._choose_enterprise, chosen)

    def enter_enterprise_code(self, uscc: str) -> None:
        """The resident confirmed the enterprise's code on the keyboard (already checked there,
        ``kiosk.uscc``): fetch that enterprise's report."""
        self._submit(self._enterprise_code_entered, uscc)

    # --- objections and repair guidance: sub-screens of SHOWING (never end the session) ---
    def objection_reasons(self) -> Future[tuple[ObjectionReason, ...]]:
        """The platform's objection reasons; while it is away, the list it last sent (so an
        objection can still be queued). Raises PlatformError in the future when there is
        none yet."""
        result: Future[tuple[ObjectionReason, ...]] = Future()
        self._platform_worker.submit(_settle, result, self._fetch_reasons)
        return result

    def _fetch_reasons(self) -> tuple[ObjectionReason, ...]:
        """On the platform worker (which alone writes ``_reasons``)."""
        if self._reasons and not self._watch.is_available():
            return self._reasons
        try:
            self._reasons = self._platform.objection_reasons()
        except PlatformUnavailable as error:
            self._watch.report_unavailable()
            if not self._reasons:
                raise
            log.info("objection reasons: platform away (%s), the last list used", error.code)
        return self._reasons

    def file_objection(
        self, record: RecordRef, reason: ObjectionReason, phone: str
    ) -> Future[ObjectionOutcome]:
        """Object to ``record`` of the report on screen (``phone`` may be empty). Unreachable
        platform: the objection is queued in the outbox and the outcome says so (accepted
        None). Fails with NoReportShown, NotObjectable, PlatformError, OutboxFull."""
        result: Future[ObjectionOutcome] = Future()
        self._submit(self._file_objection, record, reason, phone, result)
        return result

    def repair_guidance(self, record: RecordRef) -> Future[RepairOutcome]:
        """The platform's credit-repair rule for ``record`` of the report on screen."""
        result: Future[RepairOutcome] = Future()
        self._submit(self._repair_guidance, record, result)
        return result

    def print_sheet(self, receipt: Receipt, pdf: Callable[[], bytes]) -> Future[PrintResult]:
        """Print an objection receipt or a guidance sheet on the receipt printer, or as one
        A4 page (``pdf()``, built on the printer's worker) when only the A4 printer is
        healthy. The session stays where it is (SHOWING)."""
        result: Future[PrintResult] = Future()
        self._submit(self._print_sheet, receipt, pdf, result)
        return result

    def _shown(self, result: Future[Any]) -> tuple[CreditReport, str] | None:
        """The report on screen and its token, the idle countdown restarted; None (and
        ``result`` failed) when no report is shown any more."""
        session = self._session
        if session.state is not State.SHOWING or session.report is None or session.token is None:
            result.set_exception(NoReportShown("no report is shown"))
            return None
        session.touch()
        self._publish()
        return session.report, session.token

    def _file_objection(
        self, record: RecordRef, reason: ObjectionReason, phone: str, result: Future[Any]
    ) -> None:
        shown = self._shown(result)
        if shown is None:
            return
        report, token = shown
        try:
            request = objection_request(report, record, reason, phone)
        except NotObjectable as error:
            result.set_exception(error)
            return
        filed_at = dt.datetime.now(CHINA_TIME)

        def send() -> ObjectionOutcome:
            accepted = None
            if self._watch.is_available():
                try:
                    accepted = self._platform.file_objection(token, request)
                except PlatformUnavailable as error:
                    self._watch.report_unavailable()
                    log.warning("objection not delivered (%s): queued", error.code)
            if accepted is None:
                payload = queued_objection(request, self.terminal_id, self._secret, filed_at)
                enqueue(self._outbox, payload, request.idempotency_key)
                log.info("objection to %s queued in the outbox", request.report_no)
            return outcome(request, report, reason, accepted, filed_at)

        self._platform_worker.submit(_settle, result, send)

    def _repair_guidance(self, record: RecordRef, result: Future[Any]) -> None:
        shown = self._shown(result)
        if shown is None:
            return
        report, token = shown
        section = report.section(record.section)
        if record.section not in REPAIR_SECTIONS or not 0 <= record.row < len(section.rows):
            result.set_exception(NotObjectable(f"no repair guidance for {record.section}"))
            return

        def fetch() -> RepairOutcome:
            guidance = self._platform.repair_guidance(
                token, report.report_no, record.section, record.row
            )
            return RepairOutcome(report.report_no, record.describe(report), guidance.rule)

        self._platform_worker.submit(_settle, result, fetch)

    def _print_sheet(self, receipt: Receipt, pdf: Callable[[], bytes], result: Future[Any]) -> None:
        if self._shown(result) is None:
            return
        printable = self._printable()
        timeout = print_job_timeout(self._settings.printing_timeout_s)
        receipt_printer, document_printer = (
            self.devices.receipt_printer,
            self.devices.document_printer,
        )

        def on_receipt_printer() -> PrintResult:
            return receipt_printer.print_receipt(receipt, timeout)

        def on_document_printer() -> PrintResult:
            return document_printer.print_pdf(pdf(), "credit services sheet", timeout)

        if PrintKind.RECEIPT in printable:
            kind, worker, job = PrintKind.RECEIPT, self._receipt_worker, on_receipt_printer
        elif PrintKind.A4 in printable:
            kind, worker, job = PrintKind.A4, self._document_worker, on_document_printer
        else:
            result.set_exception(NoPrinter("no printer is healthy"))
            return
        result.add_done_callback(lambda done: self._submit(self._sheet_printed, kind, done))
        worker.submit(_settle, result, job)

    def _sheet_printed(self, kind: PrintKind, done: Future[PrintResult]) -> None:
        """What the technician must learn of a sheet's print (the screen says the rest)."""
        error = done.exception()
        if isinstance(error, DeviceError):
            self._record_fault(error, PRINTER_DEVICES[kind])
        elif error is None:
            self.counters.add(PRINTER_DEVICES[kind], "jobs_printed")

    def set_elder(self, on: bool) -> None:
        """长辈模式 on or off (the attract screen's toggle); it ends with the session."""
        self._submit(self._set_elder, on)

    # --- coordinator plumbing ---
    def _submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        return self._coordinator.submit(self._guarded, fn, *args)

    def _guarded(self, fn: Callable[..., T], *args: Any) -> T | None:
        try:
            return fn(*args)
        except Exception:
            log.exception("session step %s failed", fn.__name__)
            return None

    def _publish(self) -> None:
        if self._session.state is State.IDLE and self._session_lock is not None:
            self._session_lock.release()
        if self._session.state is not State.FACE_CHECK:
            self._face_stop.set()  # the attempt under way (if any) stops
            if self._face_attempts_made is not None:  # timed out, card taken, 退出
                self._remember_face_check("abandoned", self._face_attempts_made)
        if self._session.report is None or (self._a4 and self._a4[0] != self._session.number):
            self._a4 = None
        view = self._session.view()
        view = replace(
            view,
            enterprise=view.enterprise or self._enterprise_chosen(),
            printable=self._printable(),
            in_service=not self._out_of_service(),
            card_on_reader=self._card_on_reader,
            a4_pages=self._a4[2] if self._a4 is not None else None,
            face_check=self._face_check_on(),
        )
        try:
            self._on_change(view)
        except Exception:
            log.exception("session listener failed")

    def _current(self, number: int, state: State) -> bool:
        return self._session.number == number and self._session.state is state

    def _fail(self, reason: FailureReason, code: str = "") -> None:
        log.warning(
            "session #%d failed in %s: %s %s",
            self._session.number,
            self._session.state.value,
            reason.value,
            code,
        )
        self._session.fail(reason, code)
        self._publish()

    # --- the one path ---
    def _watch_cards(self) -> None:
        reader = self.devices.reader
        opened = ready = False
        while not self._stopping.is_set():
            self._reader_loop.tick()
            try:
                opened = self._run_reader_jobs(reader, opened)
                if not opened:
                    reader.open()
                    opened = True
                if not ready and reader.state is DeviceState.IDLE:
                    ready = True
                    self._guarded(self._on_ready)
                if self._technician_present.is_set():
                    # card events wait for the technician's card read test: left to the
                    # driver, not taken here, so a card laid before the test is not lost
                    self._stopping.wait(CARD_POLL_S)
                    event = None
                else:
                    event = reader.wait_for_card_event(CARD_POLL_S)
                if event is CardEvent.INSERTED:
                    self._read_card(reader)
                elif event is CardEvent.REMOVED and not self._stopping.is_set():
                    self._submit(self._card_removed)
            except DeviceError as error:
                self._record_fault(error, "card_reader")
                opened = False
                self._open_device(reader.close)
                self._stopping.wait(READER_RETRY_S)
            if self._reader_check_due.is_set():  # after a failed open too: its health says so
                self._reader_check_due.clear()
                self._check_device("card_reader", reader)
        self._open_device(reader.close)  # here, never while another thread may read a card

    def _read_card(self, reader: IdCardReader) -> None:
        begun = self._submit(self._begin_reading).result(timeout=COORDINATOR_WAIT_S)
        if begun is None:
            return
        number, laid_back = begun
        result: IdentityCard | Exception
        try:
            result = reader.read_card(self._settings.reading_timeout_s)
        except Exception as error:
            result = error
        if self._stopping.is_set():
            return  # the coordinator is gone; stop() wipes the session
        self._submit(self._card_laid_back if laid_back else self._card_read, number, result)
        if isinstance(result, Exception) and not isinstance(result, DeviceError):
            raise result  # after the session heard of it: the supervisor takes it from here

    def _begin_reading(self) -> tuple[int, bool] | None:
        """A card was laid: (session number, whether it is laid back during a grace
        period), or None when it is not to be read."""
        self._card_on_reader = True
        if self._session.card_away:
            return self._session.number, True
        if self._out_of_service():
            log.info("card laid while out of service: not read")
            return None
        if self._technician_present.is_set():
            log.info("card laid in technician mode: not read")
            return None
        if self._session.state in (State.DONE, State.FAILED):
            self._session.wipe()  # a new card need not wait for the last screen's countdown
        if self._session.state is not State.IDLE:
            return None
        if self._session_lock is not None and not self._session_lock.hold():
            log.info("card laid while the updater switches releases: not read")
            return None
        self.last_session_at = dt.datetime.now(dt.UTC)
        enterprise = self._enterprise_chosen()
        self._enterprise_chosen_until = None
        number = self._session.start_reading(enterprise)
        log.info("session #%d: card laid, reading%s", number, " (enterprise)" if enterprise else "")
        self._publish()
        return number, False

    def _card_read(self, number: int, result: IdentityCard | Exception) -> None:
        if not self._current(number, State.READING):
            return
        if isinstance(result, Exception):
            self.counters.add("card_reader", "read_failures")
            if isinstance(result, DeviceError) and not isinstance(result, BadCard):
                self._record_fault(result, "card_reader")
            self._fail(*_card_failure(result))
            return
        self.counters.add("card_reader", "cards_read")
        if result.is_expired(self._today()):
            self._fail(FailureReason.CARD_EXPIRED)
            return
        if result.card_type not in QUERYABLE_CARD_TYPES:
            # Foreign permanent residents' numbers are not what the platform files records by.
            self._fail(FailureReason.CARD_UNSUPPORTED, result.card_type.value)
            return
        if not self._watch.is_available():
            # Known outage: say so at once rather than after the platform timeouts.
            self._record_query(result, "refused_platform_unavailable")
            self._fail(FailureReason.PLATFORM_UNAVAILABLE, "outage")
            return
        self._session.card_read(result)
        log.info("session #%d: card read %s", number, mask_id_number(result.id_number))
        self._publish()

    def _consent_given(self) -> None:
        card = self._session.card
        if self._session.state is not State.CONSENT or self._session.card_away or card is None:
            return
        self._session.consent_given()
        self._remember(
            ConsentRecord(
                text_version=self._consent_version,
                subject=subject_key(self._secret, card.id_number),
                id_masked=mask_id_number(card.id_number),
                terminal_id=self.terminal_id,
                consented_at=dt.datetime.now(dt.UTC),
            )
        )
        log.info("session #%d: consent given", self._session.number)
        self._publish()
        self._platform_worker.submit(self._authenticate, self._session.number, card)

    def _consent_refused(self) -> None:
        if self._session.state is not State.CONSENT:
            return
        log.info("session #%d: consent refused", self._session.number)
        self._session.consent_refused()
        self._publish()

    def _card_laid_back(self, number: int, result: IdentityCard | Exception) -> None:
        """A card laid during the grace period: the same one continues, any other ends."""
        held = self._session.card
        if self._session.number != number or not self._session.card_away or held is None:
            return
        same = not isinstance(result, Exception) and hmac.compare_digest(
            subject_key(self._secret, result.id_number), subject_key(self._secret, held.id_number)
        )
        if same:
            log.info("session #%d: the card is back", number)
            self._session.card_returned()
        else:
            log.info("session #%d: another card (or none readable) laid back: ended", number)
            self._session.wipe()
        self._publish()

    def _call_staff(self, screen: str) -> None:
        state = self._session.state.value
        log.info("staff called from the %s screen (%s)", screen, state)
        alert = StaffAlert(self.terminal_id, state, screen, dt.datetime.now(dt.UTC))
        self._remember(alert)

    def _authenticate(self, number: int, card: IdentityCard) -> None:
        try:
            token = self._platform.open_resident_session(card)
        except Exception as error:
            failure = _as_platform_error(error)
            self._submit(self._platform_failed, number, State.AUTHENTICATING, failure)
            return
        self._submit(self._authenticated, number, token)

    def _authenticated(self, number: int, token: str) -> None:
        if not self._current(number, State.AUTHENTICATING):
            return
        face_check = self._face_check_on()
        if self._face_settings.enabled and not face_check:
            log.warning("session #%d: no face check, the camera is not usable", number)
            self._remember_face_check("camera_unavailable", 0)
        self._session.authenticated(token, face_check=face_check)
        if face_check:
            self._face_attempts_made = 0
        self._publish()
        self._after_identity(number)

    def _after_identity(self, number: int) -> None:
        """Identity settled (by the card, or the card and the face): fetch the report, unless
        the enterprise's code is asked for first."""
        card, token = self._session.card, self._session.token
        if self._session.state is State.FETCHING and card is not None and token is not None:
            self._platform_worker.submit(self._fetch, number, card, token)

    # --- the face check (人证核验): consent, then up to ``attempts`` attempts ---
    def _face_check_on(self) -> bool:
        """The face check is enabled and the camera's last health check was ok. A missing or
        broken camera turns it off (its fault is queued for the technician) rather than
        turning residents away; the consent step then says the card alone is checked."""
        health = self._health.get("camera")
        return self._face_settings.enabled and health is not None and health.ok

    def _face_consented(self) -> None:
        if self._session.state is State.FACE_CHECK and self._session.face_attempt == 0:
            log.info("session #%d: face consent given", self._session.number)
            self._start_face_attempt()

    def _face_refused(self) -> None:
        if self._session.state is State.FACE_CHECK and self._session.face_attempt == 0:
            self._remember_face_check("refused", 0)
            self._fail(FailureReason.FACE_CHECK_REFUSED)

    def _start_face_attempt(self) -> None:
        camera = self.devices.camera
        assert camera is not None  # _face_check_on() needs its health
        attempt = self._face_attempts_made = self._session.face_attempt_started()
        self._face_stop = stop = threading.Event()
        deadline, token = self._session.deadline, self._session.token
        assert deadline is not None and token is not None  # FACE_CHECK has both
        self._publish()
        self._camera_worker.submit(
            self._capture_face, camera, self._session.number, attempt, token, stop, deadline
        )

    def _capture_face(
        self,
        camera: Camera,
        number: int,
        attempt: int,
        token: str,
        stop: threading.Event,
        deadline: float,
    ) -> None:
        """On the camera's thread: open it, guide and capture, close it (its light goes out
        between attempts). The image goes straight to the platform's worker."""
        try:
            camera.open()
            try:
                image = capture_face(
                    camera,
                    self._on_face_preview,
                    stop,
                    deadline,
                    blink_within_s=self._face_settings.blink_within_s,
                )
            finally:
                camera.close()
        except DeviceError as error:
            self._submit(self._camera_failed, number, error)
            return
        if image is not None and not stop.is_set() and not self._stopping.is_set():
            self._platform_worker.submit(self._verify_face, number, attempt, token, image)

    def _verify_face(self, number: int, attempt: int, token: str, image: bytes) -> None:
        try:
            reply = self._platform.verify_face(token, image)
        except Exception as error:
            failure = _as_platform_error(error)
            self._submit(self._platform_failed, number, State.FACE_CHECK, failure)
            return
        self._submit(self._face_answered, number, attempt, reply.outcome)

    def _face_answered(self, number: int, attempt: int, outcome: str) -> None:
        if not self._current(number, State.FACE_CHECK) or attempt != self._session.face_attempt:
            return
        if outcome == "match":
            log.info("session #%d: face matched on attempt %d", number, attempt)
            self._remember_face_check("match", attempt)
            self._session.face_verified()
            self._publish()
            self._after_identity(number)
        elif attempt < self._face_settings.attempts:
            log.info("session #%d: face attempt %d answered %s", number, attempt, outcome)
            self._start_face_attempt()
        else:
            self._remember_face_check("no_match", attempt)
            self._fail(FailureReason.FACE_MISMATCH)

    def _camera_failed(self, number: int, error: DeviceError) -> None:
        """The camera failed during an attempt: its fault goes to the technician and the
        session goes on checked by the card only, as on a terminal without a camera."""
        self._record_fault(error, "camera")
        if self._current(number, State.FACE_CHECK):
            self._remember_face_check("camera_unavailable", self._session.face_attempt)
            self._session.face_check_skipped()
            self._publish()
            self._after_identity(number)
        self._check_camera()  # its health says so until it is back: no face check till then

    def _remember_face_check(self, outcome: str, attempts: int) -> None:
        """How the face check ended: the outcome only, never the image or the score."""
        self._face_attempts_made = None
        self._remember(
            FaceCheck(
                outcome=outcome,  # type: ignore[arg-type]
                attempts=attempts,
                terminal_id=self.terminal_id,
                at=dt.datetime.now(dt.UTC),
            )
        )

    def _enterprise_code_entered(self, uscc: str) -> None:
        token = self._session.token
        card = self._session.card
        if self._session.state is not State.ENTERPRISE_CODE or token is None or card is None:
            return  # the session ended meanwhile (timeout, card taken)
        if not is_valid_uscc(uscc):
            log.error(
                "session #%d: an invalid enterprise code reached the terminal", self._session.number
            )
            return
        self._session.enterprise_code_entered(uscc)
        log.info("session #%d: enterprise report asked for %s", self._session.number, uscc)
        self._publish()
        self._platform_worker.submit(self._fetch, self._session.number, card, token, uscc)

    def _fetch(self, number: int, card: IdentityCard, token: str, uscc: str = "") -> None:
        """The resident's report, or with ``uscc`` the enterprise's."""

        def fetch(current_token: str) -> CreditReport:
            if uscc:
                return self._platform.fetch_enterprise_report(current_token, uscc)
            return self._platform.fetch_report(current_token)

        try:
            report = self._with_token(number, card, token, fetch)
        except Exception as error:
            self._submit(self._platform_failed, number, State.FETCHING, _as_platform_error(error))
            return
        self._submit(self._report_received, number, report)

    def _with_token(
        self, number: int, card: IdentityCard, token: str, call: Callable[[str], T]
    ) -> T:
        """``call(token)`` on the platform worker. A token that expired mid-session is
        renewed once with the card this session read, and the call made again; expiring
        again raises SessionExpired (the resident is told to lay the card again)."""
        try:
            return call(token)
        except SessionExpired as error:
            log.info("session #%d: %s, authenticating again", number, error.code)
        renewed = self._platform.open_resident_session(card)
        self._submit(self._token_renewed, number, renewed)
        return call(renewed)

    def _token_renewed(self, number: int, token: str) -> None:
        if self._session.number == number and self._session.token is not None:
            self._session.token_renewed(token)

    def _platform_failed(self, number: int, state: State, error: PlatformError) -> None:
        if isinstance(error, PlatformUnavailable):
            self._watch.report_unavailable()
        if not self._current(number, state):
            return
        card = self._session.card
        if card is not None:
            self._record_query(card, f"failed_{error.code.lower()}", uscc=self._session.uscc)
        self._fail(_platform_failure(error), error.code)

    def _report_received(self, number: int, report: CreditReport) -> None:
        if not self._current(number, State.FETCHING):
            return
        card = self._session.card
        assert card is not None  # READING put it there; FETCHING never clears it
        self._record_query(card, "shown", report.report_no, self._session.uscc)
        self._session.report_received(report)
        log.info("session #%d: showing report %s", number, report.report_no)
        self._publish()
        self._check_printers()  # the print choice offers only printers that answer well
        if not self._reasons:  # once: so an objection can be queued if the platform goes
            self._platform_worker.submit(_settle, Future(), self._fetch_reasons)
        url = verify_url(self._platform.base_url, report)
        printed_at = dt.datetime.now(CHINA_TIME)
        self._document_worker.submit(self._render_a4, number, report, url, printed_at)

    def _record_query(
        self, card: IdentityCard, outcome: str, report_no: str = "", uscc: str = ""
    ) -> None:
        """What the platform must learn of every query: who (pseudonymous), when, outcome,
        and for an enterprise report the enterprise's code (public, kept plain)."""
        self._remember(
            QueryRecord(
                outcome=outcome,
                subject=subject_key(self._secret, card.id_number),
                id_masked=mask_id_number(card.id_number),
                terminal_id=self.terminal_id,
                queried_at=dt.datetime.now(dt.UTC),
                report_no=report_no or None,
                uscc=uscc or None,
            )
        )

    def _set_elder(self, on: bool) -> None:
        self._session.set_elder(on)
        self._publish()

    def _touch(self) -> None:
        self._session.touch()
        self._publish()

    def _choose_enterprise(self, chosen: bool) -> None:
        if self._session.state is not State.IDLE or chosen is self._enterprise_chosen():
            return
        self._enterprise_chosen_until = time.monotonic() + ENTERPRISE_CHOICE_S if chosen else None
        self._publish()

    def _enterprise_chosen(self) -> bool:
        until = self._enterprise_chosen_until
        return until is not None and time.monotonic() < until

    def _render_a4(
        self, number: int, report: CreditReport, url: str, printed_at: dt.datetime
    ) -> None:
        """On the A4 printer's worker, while the resident reads: the PDF the print choice
        counts pages of (完整报告 N 页) and the A4 print then sends."""
        try:
            # start-up: reportlab loads with the first report shown, on this worker
            from kiosk.documents.report_pdf import build_report_pdf

            pdf = build_report_pdf(
                report, terminal_id=self.terminal_id, printed_at=printed_at, verify_url=url
            )
        except Exception:
            log.exception("session #%d: the A4 report could not be rendered ahead", number)
            return
        self._submit(self._a4_rendered, number, pdf)

    def _a4_rendered(self, number: int, pdf: bytes) -> None:
        if not self._current(number, State.SHOWING):
            return
        self._a4 = (number, pdf, count_pages(pdf))
        self._publish()

    def _start_printing(self, kinds: frozenset[PrintKind]) -> None:
        report = self._session.report
        if self._session.state is not State.SHOWING or report is None or self._session.card_away:
            return
        self._session.start_printing(kinds)
        self._send_prints(report, kinds)

    def _send_prints(self, report: CreditReport, kinds: frozenset[PrintKind]) -> None:
        """Start each of ``kinds``' jobs on its printer's worker (printing, or resumed)."""
        number = self._session.number
        self._pending_prints = {}
        self._publish()
        url = verify_url(self._platform.base_url, report)
        printed_at = dt.datetime.now(CHINA_TIME)
        deadline = time.monotonic() + print_job_timeout(self._settings.printing_timeout_s)
        if PrintKind.A4 in kinds:
            rendered = self._a4[1] if self._a4 is not None and self._a4[0] == number else None
            self._document_worker.submit(
                self._print_a4, number, report, url, printed_at, deadline, rendered
            )
        if PrintKind.RECEIPT in kinds:
            self._receipt_worker.submit(
                self._print_receipt, number, report, url, printed_at, deadline
            )

    def _print_a4(
        self,
        number: int,
        report: CreditReport,
        url: str,
        printed_at: dt.datetime,
        deadline: float,
        rendered: bytes | None = None,
    ) -> None:
        """``rendered``: the PDF rendered ahead (``_render_a4``); None: render it now."""
        outcome: PrintResult | Exception
        try:
            # start-up: reportlab loads on the first A4 print, on this worker, not before
            from kiosk.documents.report_pdf import build_report_pdf

            pdf = rendered or build_report_pdf(
                report, terminal_id=self.terminal_id, printed_at=printed_at, verify_url=url
            )
            outcome = self.devices.document_printer.print_pdf(
                pdf, f"report {report.report_no}", _time_left(deadline)
            )
        except Exception as error:
            outcome = error
        self._submit(self._print_finished, number, PrintKind.A4, report.report_no, outcome)

    def _print_receipt(
        self, number: int, report: CreditReport, url: str, printed_at: dt.datetime, deadline: float
    ) -> None:
        outcome: PrintResult | Exception
        try:
            receipt = build_receipt(
                report, terminal_id=self.terminal_id, printed_at=printed_at, verify_url=url
            )
            outcome = self.devices.receipt_printer.print_receipt(receipt, _time_left(deadline))
        except Exception as error:
            outcome = error
        self._submit(self._print_finished, number, PrintKind.RECEIPT, report.report_no, outcome)

    def _print_finished(
        self,
        number: int,
        kind: PrintKind,
        report_no: str,
        outcome: PrintResult | Exception,
    ) -> None:
        if isinstance(outcome, PrintResult):
            self.counters.add(PRINTER_DEVICES[kind], "jobs_printed")
            if kind is PrintKind.RECEIPT:
                self.counters.add(PRINTER_DEVICES[kind], "cuts")
        if isinstance(outcome, PrintResult) and outcome.confirmed:
            self._remember(
                PrintRecord(
                    report_no=report_no,
                    kind=kind.value,
                    pages=outcome.pages,
                    confirmed=True,
                    terminal_id=self.terminal_id,
                    printed_at=dt.datetime.now(dt.UTC),
                )
            )
            log.info("session #%d: %s printed (job %s)", number, kind.value, outcome.job_id)
        elif isinstance(outcome, PrintResult):
            self._queue_fault(
                "print_unconfirmed",
                "the printer did not confirm the job; no print record was sent",
                "check whether the job came out and that the printer answers status queries",
                PRINTER_DEVICES[kind],
            )
        elif isinstance(outcome, DeviceError):
            self._record_fault(outcome, PRINTER_DEVICES[kind])
        elif isinstance(outcome, Exception):
            log.error("session #%d: %s print failed: %r", number, kind.value, outcome)
        if isinstance(outcome, PrintResult) and outcome.status_after is not None:
            for item in attention(outcome.status_after):  # printed, but supplies run low
                self._queue_fault(item.code, item.message, item.hint, PRINTER_DEVICES[kind])
        if not self._current(number, State.PRINTING):
            return
        self._pending_prints[kind] = outcome
        if set(self._pending_prints) != set(self._session.print_kinds):
            return
        failures = [o for o in self._pending_prints.values() if not isinstance(o, PrintResult)]
        unconfirmed = [o for o in self._pending_prints.values() if isinstance(o, PrintResult)]
        out_of_paper = frozenset(
            kind for kind, o in self._pending_prints.items() if _paper_out_not_kept(o)
        )
        if failures and len(out_of_paper) == len(failures):
            log.warning("session #%d: %s paused for paper out", number, _kinds(out_of_paper))
            self._session.print_paused(out_of_paper)
            self._awaiting_paper = {PRINTER_DEVICES[kind] for kind in out_of_paper}
            self._publish()
        elif failures:
            self._fail(FailureReason.PRINTER_FAULT, _print_failure_code(failures[0]))
        elif not all(o.confirmed for o in unconfirmed):
            self._fail(FailureReason.PRINTER_FAULT, "unconfirmed")
        else:
            self._session.printed()
            self._publish()

    def _resume_print(self) -> None:
        """Staff loaded paper (every paused kind's printer checked ok since the pause): print
        them again from the report the session kept, with no new query."""
        kinds = self._session.print_kinds
        report = self._session.report
        if report is None:
            return
        log.info("session #%d: %s resumed", self._session.number, _kinds(kinds))
        self._session.print_resumed()
        self._send_prints(report, kinds)

    def _card_removed(self) -> None:
        self._card_on_reader = False
        state = self._session.state
        # While printing the job runs on; a failure message stays until read or timed out;
        # a paused print waits for paper whether or not the resident keeps the card there.
        if state in (State.IDLE, State.PRINTING, State.FAILED, State.PRINT_PAUSED):
            self._publish()  # the screen stops asking for the card to be taken
            return
        number = self._session.number
        if self._session.card_lifted():
            log.info("session #%d: card lifted in %s: waiting for it", number, state.value)
        else:
            log.info("session #%d: card removed in %s", number, state.value)
            self._session.wipe()
        self._publish()

    def _end(self) -> None:
        if self._session.state in (State.IDLE, State.PRINTING):
            return
        self._session.wipe()
        self._publish()

    def _tick(self) -> None:
        applied: Future[Any] | None = None
        while not self._stopping.wait(TICK_S):
            if applied is None or applied.done():  # a wedged coordinator: no pile of ticks
                applied = self._submit(self._expire)

    def _expire(self) -> None:
        self._clock_loop.tick()
        if self._session.expire():
            log.info("session #%d: deadline passed", self._session.number)
            self._publish()
        if self._enterprise_chosen_until is not None and not self._enterprise_chosen():
            self._enterprise_chosen_until = None
            self._publish()  # the attract screen's choice lapses
        self._check_service()
        self._check_platform_link()
        now = time.monotonic()
        if self._session.state is State.PRINT_PAUSED and now >= self._next_paused_check:
            self._next_paused_check = now + PAUSED_CHECK_S
            self._check_printers()
        if now >= self._next_health_check:
            self._next_health_check = now + self._health_interval_s
            self._reader_check_due.set()
            self._check_printers()
            self._check_camera()
            idle = self._session.state is State.IDLE and not self._technician_present.is_set()
            if idle and not self._stopping.is_set():
                self._print_kept_jobs()

    def _check_platform_link(self) -> None:
        """What every platform reply told the client (its ``Date`` header, a refused
        certificate or signature) becomes a fault for the technician as it begins; its end
        is logged."""
        faults = set()
        skew = self._platform.clock_skew
        if skew is not None and abs(skew[0]) > SKEW_WARN_S:
            faults.add("clock_skew")
        refusal = self._platform.link_fault
        if refusal is not None:
            faults.add(refusal.code)
        if faults == self.platform_faults:
            return
        for code in sorted(faults - self.platform_faults):
            if code == "clock_skew" and skew is not None:
                ahead = "快" if skew[0] > 0 else "慢"
                self._queue_fault(
                    "clock_skew",
                    f"终端时钟比平台{ahead}约 {abs(skew[0]):.0f} 秒（超过 {SKEW_WARN_S:.0f} 秒）",
                    "set the terminal's clock (NTP); the platform refuses requests more than "
                    "300 s off",
                    "platform",
                )
            elif refusal is not None:
                self._queue_fault(
                    refusal.code.lower(), refusal.technician_text, refusal.hint, "platform"
                )
        for code in sorted(self.platform_faults - faults):
            log.warning("platform link: %s is over", code)
        self.platform_faults = frozenset(faults)

    def record_loop_fault(self, loop: str, error: Exception) -> None:
        """A supervised loop's body failed unexpectedly and is restarting."""
        self._queue_fault(
            "loop_failed",
            f"the {loop} loop failed ({type(error).__name__}) and restarts",
            "if this repeats, send the kiosk log to the software supplier",
            loop.replace("-", "_"),
        )

    def _reader_failed(self, loop: str, error: Exception) -> None:
        self.record_loop_fault(loop, error)
        self._open_device(self.devices.reader.close)  # the restart opens it afresh

    def _record_fault(self, error: DeviceError, device: str = "") -> None:
        self._queue_fault(error.code, error.message, error.technician_hint, device)

    def _queue_fault(self, code: str, message: str, hint: str, device: str = "") -> None:
        """A device_fault event (what the technician screen and the platform show)."""
        log.warning("device fault %s%s: %s", f"{device} " if device else "", code, message)
        if device in self.devices.names():
            self.counters.add(device, "faults")
        fault = DeviceFault(
            code=code,
            message=message,
            hint=hint,
            at=dt.datetime.now(dt.UTC),
            terminal_id=self.terminal_id,
            device=device or None,
        )
        self._remember(fault)

    def _remember(self, payload: Payload) -> None:
        """Queue what the platform must learn. Nothing the outbox does may stop the
        resident's session: a full disk is logged loudly (and the outbox's health shows it);
        any other failure (a payload its Struct refuses included) is logged and recorded as
        a fault for the technician."""
        try:
            enqueue(self._outbox, payload)
        except OutboxFull as error:
            log.error("outbox refused a %s: %s", payload.KIND, error)
        except Exception as error:
            log.exception("outbox refused a %s", payload.KIND)
            if not isinstance(payload, DeviceFault):
                self._queue_fault(
                    "outbox_refused",
                    f"a {payload.KIND} was not stored ({type(error).__name__})",
                    "send the kiosk log to the software supplier",
                    "outbox",
                )
