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
import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, TypeVar

from devices.base import BadCard, DeviceError, DeviceState
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
from devices.printers.sensors import attention
from kiosk.config import FaceCheckSettings, SessionSettings
from kiosk.contract import (
    CreditReport,
    DeviceFault,
    DeviceHealth,
    FaceCheck,
    Payload,
    PrintRecord,
    QueryRecord,
)
from kiosk.diagnostics.counters import DeviceCounters
from kiosk.diagnostics.service import ServiceSwitch
from kiosk.documents.receipt_layout import build_receipt
from kiosk.face_check import FacePreview, capture_face
from kiosk.health import Device, internal_health
from kiosk.platform.client import (
    IdentityMismatch,
    MalformedReply,
    PlatformClient,
    PlatformError,
    PlatformUnavailable,
)
from kiosk.platform.outbox_items import enqueue
from kiosk.platform.watch import PlatformWatch
from kiosk.privacy import mask_id_number, subject_key
from kiosk.report_model import CHINA_TIME, verify_url
from kiosk.session import FailureReason, PrintKind, Session, SessionView, State
from kiosk.supervision import SupervisedLoop, stale_limit
from kiosk.updater.session_lock import SessionLock
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


def _remaining(deadline: float) -> float:
    return max(0.0, deadline - time.monotonic())


def session_timeouts(settings: SessionSettings) -> dict[State, float]:
    return {
        State.READING: settings.reading_timeout_s,
        State.AUTHENTICATING: settings.authenticating_timeout_s,
        State.FACE_CHECK: settings.face_check_timeout_s,
        State.FETCHING: settings.fetching_timeout_s,
        State.SHOWING: settings.showing_idle_timeout_s,
        State.PRINTING: settings.printing_timeout_s,
        State.DONE: settings.done_timeout_s,
        State.FAILED: settings.failed_timeout_s,
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
    if isinstance(error, PlatformUnavailable):
        return FailureReason.PLATFORM_UNAVAILABLE
    if isinstance(error, IdentityMismatch):
        return FailureReason.IDENTITY_MISMATCH
    if isinstance(error, MalformedReply):
        return FailureReason.REPORT_MALFORMED
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
        self.last_session_at: dt.datetime | None = None
        """When the last resident's session began (for heartbeats)."""

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
        view = replace(
            self._session.view(),
            printable=self._printable(),
            in_service=not self._out_of_service(),
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
        number = self._submit(self._begin_reading).result(timeout=COORDINATOR_WAIT_S)
        if number is None:
            return
        result: IdentityCard | Exception
        try:
            result = reader.read_card(self._settings.reading_timeout_s)
        except Exception as error:
            result = error
        if self._stopping.is_set():
            return  # the coordinator is gone; stop() wipes the session
        self._submit(self._card_read, number, result)
        if isinstance(result, Exception) and not isinstance(result, DeviceError):
            raise result  # after the session heard of it: the supervisor takes it from here

    def _begin_reading(self) -> int | None:
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
        number = self._session.start_reading()
        log.info("session #%d: card laid, reading", number)
        self._publish()
        return number

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
        self._platform_worker.submit(self._authenticate, number, result)

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
        if not face_check:
            self._platform_worker.submit(self._fetch, number, token)

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
        token = self._session.token
        if outcome == "match" and token is not None:
            log.info("session #%d: face matched on attempt %d", number, attempt)
            self._remember_face_check("match", attempt)
            self._session.face_verified()
            self._publish()
            self._platform_worker.submit(self._fetch, number, token)
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
        if self._current(number, State.FACE_CHECK) and self._session.token is not None:
            token = self._session.token
            self._remember_face_check("camera_unavailable", self._session.face_attempt)
            self._session.face_check_skipped()
            self._publish()
            self._platform_worker.submit(self._fetch, number, token)
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

    def _fetch(self, number: int, token: str) -> None:
        try:
            report = self._platform.fetch_report(token)
        except Exception as error:
            self._submit(self._platform_failed, number, State.FETCHING, _as_platform_error(error))
            return
        self._submit(self._report_received, number, report)

    def _platform_failed(self, number: int, state: State, error: PlatformError) -> None:
        if isinstance(error, PlatformUnavailable):
            self._watch.report_unavailable()
        if not self._current(number, state):
            return
        card = self._session.card
        if card is not None:
            self._record_query(card, f"failed_{error.code.lower()}")
        self._fail(_platform_failure(error), error.code)

    def _report_received(self, number: int, report: CreditReport) -> None:
        if not self._current(number, State.FETCHING):
            return
        card = self._session.card
        assert card is not None  # READING put it there; FETCHING never clears it
        self._record_query(card, "shown", report.report_no)
        self._session.report_received(report)
        log.info("session #%d: showing report %s", number, report.report_no)
        self._publish()
        self._check_printers()  # the print choice offers only printers that answer well

    def _record_query(self, card: IdentityCard, outcome: str, report_no: str = "") -> None:
        """What the platform must learn of every query: who (pseudonymous), when, outcome."""
        self._remember(
            QueryRecord(
                outcome=outcome,
                subject=subject_key(self._secret, card.id_number),
                id_masked=mask_id_number(card.id_number),
                terminal_id=self.terminal_id,
                queried_at=dt.datetime.now(dt.UTC),
                report_no=report_no or None,
            )
        )

    def _touch(self) -> None:
        self._session.touch()
        self._publish()

    def _start_printing(self, kinds: frozenset[PrintKind]) -> None:
        report = self._session.report
        if self._session.state is not State.SHOWING or report is None:
            return
        self._session.start_printing(kinds)
        number = self._session.number
        self._pending_prints = {}
        self._publish()
        url = verify_url(self._platform.base_url, report)
        printed_at = dt.datetime.now(CHINA_TIME)
        deadline = time.monotonic() + print_job_timeout(self._settings.printing_timeout_s)
        if PrintKind.A4 in kinds:
            self._document_worker.submit(self._print_a4, number, report, url, printed_at, deadline)
        if PrintKind.RECEIPT in kinds:
            self._receipt_worker.submit(
                self._print_receipt, number, report, url, printed_at, deadline
            )

    def _print_a4(
        self, number: int, report: CreditReport, url: str, printed_at: dt.datetime, deadline: float
    ) -> None:
        outcome: PrintResult | Exception
        try:
            # start-up: reportlab loads on the first A4 print, on this worker, not before
            from kiosk.documents.report_pdf import build_report_pdf

            pdf = build_report_pdf(
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
        if failures:
            self._fail(FailureReason.PRINTER_FAULT, _print_failure_code(failures[0]))
        elif not all(o.confirmed for o in unconfirmed):
            self._fail(FailureReason.PRINTER_FAULT, "unconfirmed")
        else:
            self._session.printed()
            self._publish()

    def _card_removed(self) -> None:
        # While printing the job runs on; a failure message stays until read or timed out.
        if self._session.state in (State.IDLE, State.PRINTING, State.FAILED):
            return
        log.info("session #%d: card removed in %s", self._session.number, self._session.state.value)
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
        self._check_service()
        now = time.monotonic()
        if now >= self._next_health_check:
            self._next_health_check = now + self._health_interval_s
            self._reader_check_due.set()
            self._check_printers()
            self._check_camera()
            idle = self._session.state is State.IDLE and not self._technician_present.is_set()
            if idle and not self._stopping.is_set():
                self._print_kept_jobs()

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
