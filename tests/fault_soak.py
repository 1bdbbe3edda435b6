"""The fault soak: the real core (``build_runtime``: terminal, supervised loops, outbox drain,
platform watch, all on their own threads) on simulated devices and the sandbox process, with
a random fault in half the sessions, and the checks every session and the whole run must pass.

Faults are armed one at a time, per session, from a seeded ``random.Random``: the seed is in
every failure message (``SOAK_SEED=<seed>`` replays the same choices; thread timing still
varies). Device faults come from test-side proxies around the real simulated drivers (the
product's drivers stay as they are); platform faults from the sandbox's own fault injection
and from killing (SIGKILL) and restarting its process. The sandbox keeps a journal of what it
received, which survives the kills: that is what the outbox's delivery is checked against.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import os
import queue
import random
import re
import sqlite3
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import msgspec

from devices.base import BadCard, CoverOpen, DeviceError, Offline, PaperJam, PaperOut
from devices.idcard.reader import CardEvent
from devices.idcard.simulated import SimulatedReader
from devices.idcard.text_block import parse_text_block
from kiosk.config import SessionSettings
from kiosk.demo import DemoEnvironment
from kiosk.logs import FORMAT, MaskingFormatter
from kiosk.platform.watch import PlatformStatus
from kiosk.runtime import Runtime, build_runtime
from kiosk.session import PrintKind, SessionView, State
from kiosk.supervision import FAILURE_WINDOW_S, FAILURES_OUT_OF_SERVICE, SupervisedLoop
from kiosk.terminal import Devices
from offline_cache.outbox import Outbox
from sandbox import population
from tests.kiosk_harness import consent_when_asked
from ui.strings.failure import describe

SESSION = SessionSettings(
    reading_timeout_s=1.0,
    authenticating_timeout_s=1.5,
    fetching_timeout_s=1.5,
    showing_idle_timeout_s=0.4,
    printing_timeout_s=2.0,
    done_timeout_s=0.2,
    failed_timeout_s=0.2,
    still_there_s=0.2,
    card_grace_s=0.2,
    print_paused_timeout_s=2.0,
)
READ_TIMEOUT_S = 0.5
HANG_PAST_S = 0.8
"""A hang lasts this much longer than the timeout the caller gave (or the platform's)."""
SLACK_S = 3.0
"""How late past its deadline a screen may still change on this loaded two-core machine."""
SESSION_START_WAIT_S = 90.0
"""A card must start a session within this (more than a reader loop's longest back-off)."""
DRAIN_WAIT_S = 180.0
FAULT_RATE = 0.5
CJK = re.compile(r"[\u4e00-\u9fff]")


Fault = Callable[[Any, float], None]
"""What an armed fault does to the device (or client) before the call, given its timeout."""


def _raises(error: Callable[[], BaseException]) -> Fault:
    def fault(device: Any, timeout: float) -> None:
        raise error()

    return fault


def _hangs(device: Any, timeout: float) -> None:
    time.sleep(timeout + HANG_PAST_S)


def _pulls_card(reader: Any, timeout: float) -> None:
    reader.remove_card()


READER_FAULTS: dict[str, Fault] = {
    "oserror": _raises(lambda: OSError(5, "Input/output error")),
    "runtime_error": _raises(lambda: RuntimeError("driver state lost")),
    "timeout_error": _raises(TimeoutError),
    "device_error": _raises(lambda: DeviceError("reader reported a fault", "power-cycle it")),
    "bad_card": _raises(lambda: BadCard("card answered garbage", "ask for another read")),
    "hang": _hangs,
    "card_pulled": _pulls_card,
}
LOOP_KILLERS = frozenset({"oserror", "runtime_error", "timeout_error"})
"""Reader faults that are no ``DeviceError``: the reader loop restarts."""
EVENT_FAULTS: dict[str, Fault] = {
    "oserror": _raises(lambda: OSError(19, "No such device")),
    "device_error": _raises(lambda: DeviceError("reader went away", "check the USB cable")),
}
PRINTER_FAULTS: dict[str, Fault] = {
    "paper_out": _raises(lambda: PaperOut("printer is out of paper", "load paper")),
    "cover_open": _raises(lambda: CoverOpen("cover is open", "close the cover")),
    "offline": _raises(lambda: Offline("printer does not answer", "check its power")),
    "paper_jam": _raises(lambda: PaperJam("paper jam", "remove the jammed paper")),
    "oserror": _raises(lambda: OSError(32, "Broken pipe")),
    "runtime_error": _raises(lambda: RuntimeError("driver state lost")),
    "hang": _hangs,
}
PLATFORM_CALL_FAULTS: dict[str, Fault] = {
    "runtime_error": _raises(lambda: RuntimeError("client state lost")),
    "value_error": _raises(lambda: ValueError("cannot encode the request")),
}
SANDBOX_PATHS = {
    "open_session": "/api/v1/resident-sessions",
    "fetch_report": "/api/v1/reports/person",
    "print_record": "/api/v1/reports/XT",
    "terminal_events": "/api/v1/terminal-events",
    "ping": "/api/v1/openapi.json",
}
SANDBOX_FAULTS: dict[str, dict[str, float]] = {
    "http_500": {},
    "http_503": {},
    "reset": {},
    "hang": {"seconds": READ_TIMEOUT_S + HANG_PAST_S},
    "malformed_json": {},
    "latency": {"ms": 200},
}


class FaultyDevice:
    """A proxy around a real driver: calls pass through, except a call with a fault armed,
    which first runs the fault (raise, hang past the timeout, pull the card)."""

    def __init__(self, device: Any, fired: Counter[str]) -> None:
        self._device = device
        self._armed: dict[str, tuple[str, Fault]] = {}
        self._fired = fired

    def __getattr__(self, name: str) -> Any:
        return getattr(self._device, name)

    def arm(self, method: str, kind: str, fault: Fault) -> None:
        self._armed[method] = (kind, fault)

    def disarm(self) -> None:
        self._armed.clear()

    def _call(self, method: str, timeout: float, *args: Any) -> Any:
        armed = self._armed.pop(method, None)
        if armed is not None:
            self._fired[f"{method}:{armed[0]}"] += 1
            armed[1](self._device, timeout)
        return getattr(self._device, method)(*args)


class FaultyReader(FaultyDevice):
    def wait_for_card_event(self, timeout: float) -> CardEvent | None:
        result: CardEvent | None = self._call("wait_for_card_event", timeout, timeout)
        return result

    def read_card(self, timeout: float) -> Any:
        return self._call("read_card", timeout, timeout)


class FaultyReceiptPrinter(FaultyDevice):
    def print_receipt(self, receipt: Any, timeout: float) -> Any:
        return self._call("print_receipt", timeout, receipt, timeout)


class FaultyDocumentPrinter(FaultyDevice):
    def print_pdf(self, pdf: bytes, title: str, timeout: float) -> Any:
        return self._call("print_pdf", timeout, pdf, title, timeout)


class FaultyPlatformCalls(FaultyDevice):
    """The session's two platform calls, on the real client object (the terminal holds it)."""

    def __init__(self, client: Any, fired: Counter[str]) -> None:
        super().__init__(client, fired)
        for method in ("open_resident_session", "fetch_report"):
            real = getattr(client, method)
            setattr(client, method, self._wrapped(method, real))

    def _wrapped(self, method: str, real: Callable[[Any], Any]) -> Callable[[Any], Any]:
        def call(argument: Any) -> Any:
            armed = self._armed.pop(method, None)
            if armed is not None:
                self._fired[f"{method}:{armed[0]}"] += 1
                armed[1](self._device, READ_TIMEOUT_S)
            return real(argument)

        return call


@dataclass
class Figures:
    seed: int
    sessions: int = 0
    endings: Counter[str] = field(default_factory=Counter)
    device_faults: Counter[str] = field(default_factory=Counter)
    """Device and platform-client faults that fired, by ``method:kind``."""
    sandbox_faults_armed: Counter[str] = field(default_factory=Counter)
    sandbox_faults_fired: Counter[str] = field(default_factory=Counter)
    sandbox_kills: int = 0
    restarts: dict[str, int] = field(default_factory=dict)
    rss_kib: dict[int, int] = field(default_factory=dict)
    """Resident set size after that many sessions."""
    seconds_by_ending: Counter[str] = field(default_factory=Counter)
    records: Counter[str] = field(default_factory=Counter)
    """Outbox items the terminal queued, by kind (each delivered exactly once)."""
    seconds: float = 0.0

    def report(self) -> str:
        lines = [
            f"fault soak, seed {self.seed}: {self.sessions} sessions in {self.seconds:.0f} s",
            f"  endings: {dict(sorted(self.endings.items()))}",
            "  mean seconds by ending: "
            + ", ".join(
                f"{e}: {self.seconds_by_ending[e] / n:.2f}" for e, n in sorted(self.endings.items())
            ),
            f"  device/client faults fired: {dict(sorted(self.device_faults.items()))}",
            f"  sandbox faults armed: {dict(sorted(self.sandbox_faults_armed.items()))}",
            f"  sandbox faults fired: {dict(sorted(self.sandbox_faults_fired.items()))}",
            f"  sandbox killed and restarted: {self.sandbox_kills}",
            f"  loop restarts: {self.restarts}",
            "  RSS (MiB) after N sessions: "
            + ", ".join(f"{n}: {kib / 1024:.1f}" for n, kib in sorted(self.rss_kib.items())),
            f"  records delivered exactly once: {dict(sorted(self.records.items()))}",
        ]
        return "\n".join(lines)


def rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS in /proc/self/status")


@contextmanager
def masked_log_file(path: Path) -> Iterator[None]:
    """The kiosk's log as a terminal writes it (INFO, masking formatter) into ``path``, and
    nowhere else: pytest's log capture keeps every record (tracebacks and their frames
    included) in memory until the test ends, which a soak's RSS must not measure."""
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(MaskingFormatter(FORMAT))
    root = logging.getLogger()
    level, handlers = root.level, root.handlers
    root.handlers = [handler]
    root.setLevel(logging.INFO)
    try:
        yield
    finally:
        root.handlers = handlers
        root.setLevel(level)
        handler.close()


class FaultSoak:
    """One soak run against a started ``DemoEnvironment`` (with a sandbox journal)."""

    def __init__(self, demo: DemoEnvironment, seed: int) -> None:
        assert demo.settings is not None and demo.sandbox is not None
        self.demo = demo
        self.rng = random.Random(seed)
        self.figures = Figures(seed)
        self.views: queue.Queue[tuple[float, SessionView]] = queue.Queue()
        self.statuses: queue.Queue[PlatformStatus] = queue.Queue()
        settings = replace(
            demo.settings,
            session=SESSION,
            platform=replace(
                demo.settings.platform,
                read_timeout_s=READ_TIMEOUT_S,
                connect_timeout_s=READ_TIMEOUT_S,
                probe_interval_s=0.2,
            ),
        )
        self.runtime: Runtime = build_runtime(settings, self._seen, self.statuses.put)
        self.recorded: dict[str, str] = {}
        self._spy_on(self.runtime.outbox)
        fired = self.figures.device_faults
        devices = self.runtime.terminal.devices
        self.simulated = devices.reader
        assert isinstance(self.simulated, SimulatedReader)
        self.simulated.cards.update({c.key: c.card for c in demo.cards})
        self.reader = FaultyReader(devices.reader, fired)
        self.receipt_printer = FaultyReceiptPrinter(devices.receipt_printer, fired)
        self.document_printer = FaultyDocumentPrinter(devices.document_printer, fired)
        self.platform_calls = FaultyPlatformCalls(self.runtime.platform, fired)
        self.runtime.terminal.devices = Devices(
            self.reader,  # type: ignore[arg-type]
            self.receipt_printer,  # type: ignore[arg-type]
            self.document_printer,  # type: ignore[arg-type]
        )
        today = dt.date.today()
        self.residents = [
            k for k in population.DEMO_KEYS if not population.by_key(k).card().is_expired(today)
        ]
        self.bad_cards = [c.key for c in demo.cards if c.key not in self.residents]
        self.loop_killers: deque[float] = deque()
        """When each fault that may restart the reader loop was armed (``reader_fault``)."""

    def _seen(self, view: SessionView) -> None:
        self.views.put((time.monotonic(), view))
        consent_when_asked(view, self.runtime.terminal.give_consent)

    def _spy_on(self, outbox: Outbox) -> None:
        enqueue = outbox.enqueue

        def recording(kind: str, payload: dict[str, Any], idempotency_key: str = "") -> str:
            key = enqueue(kind, payload, idempotency_key)
            self.recorded[key] = kind
            return key

        outbox.enqueue = recording  # type: ignore[method-assign]

    def loops(self) -> list[SupervisedLoop]:
        return list(self.runtime.terminal.supervised)

    def fail(self, message: str) -> AssertionError:
        return AssertionError(f"{message} [replay: SOAK_SEED={self.figures.seed}]")

    # --- the run ---
    def run(self, sessions: int) -> Figures:
        started = time.monotonic()
        self.runtime.start()
        try:
            for number in range(1, sessions + 1):
                self.one_session(number)
                self.figures.sessions = number
                if number % 1000 == 0 or number in (min(100, sessions), sessions):
                    self.figures.rss_kib[number] = rss_kib()
                    self.check_loops_alive(number)
                    print(self.progress(number, started), flush=True)  # a long run's pulse
            self.figures.seconds = time.monotonic() - started
            self.check_delivery()
        finally:
            self.figures.restarts = {loop.name: loop.restarts for loop in self.loops()}
            self.runtime.stop()
        return self.figures

    def progress(self, number: int, started: float) -> str:
        restarts = {loop.name: loop.restarts for loop in self.loops()}
        return (
            f"soak: {number} sessions, {time.monotonic() - started:.0f} s, "
            f"RSS {self.figures.rss_kib[number] / 1024:.1f} MiB, loop restarts {restarts}"
        )

    def check_loops_alive(self, number: int) -> None:
        dead = [loop.name for loop in self.loops() if not loop.is_alive()]
        if dead:
            raise self.fail(f"after {number} sessions these loops are dead: {dead}")

    def one_session(self, number: int) -> None:
        fault = self.arm_fault() if self.rng.random() < FAULT_RATE else "none"
        needs_printing = fault.startswith(("print_receipt", "print_pdf"))
        if needs_printing or fault != "none" or self.rng.random() < 0.9:
            card = self.rng.choice(self.residents)
        else:
            card = self.rng.choice(self.bad_cards)
        self.simulated.lay_card(card)
        seen = self.follow(number, fault)
        self.disarm()
        ending = self.check_ending(number, fault, seen)
        self.figures.endings[ending] += 1
        self.figures.seconds_by_ending[ending] += seen[-1][0] - seen[0][0]
        if fault == "sandbox:killed":
            self.restart_sandbox()

    def arm_fault(self) -> str:
        """Arm one random fault for this session; returns its name."""
        where = self.rng.choices(
            ["read_card", "wait_for_card_event", "print_receipt", "print_pdf",
             "platform_call", "sandbox", "sandbox_kill"],
            # a reader gone or a killed platform costs seconds: rarer, so `make test` stays short
            weights=[20, 2, 10, 6, 6, 30, 2],
        )[0]  # fmt: skip
        if where == "read_card":
            kind = self.reader_fault(READER_FAULTS)
            self.reader.arm("read_card", kind, READER_FAULTS[kind])
        elif where == "wait_for_card_event":
            kind = self.reader_fault(EVENT_FAULTS)
            self.reader.arm(where, kind, EVENT_FAULTS[kind])
        elif where == "print_receipt":
            kind = self.rng.choice(sorted(PRINTER_FAULTS))
            self.receipt_printer.arm(where, kind, PRINTER_FAULTS[kind])
        elif where == "print_pdf":
            kind = self.rng.choice(sorted(PRINTER_FAULTS))
            self.document_printer.arm(where, kind, PRINTER_FAULTS[kind])
        elif where == "platform_call":
            where = self.rng.choice(["open_resident_session", "fetch_report"])
            kind = self.rng.choice(sorted(PLATFORM_CALL_FAULTS))
            self.platform_calls.arm(where, kind, PLATFORM_CALL_FAULTS[kind])
        elif where == "sandbox":
            where = self.rng.choice(sorted(SANDBOX_PATHS))
            kind = self.rng.choice([*sorted(SANDBOX_FAULTS), "expired_token"])
            if kind == "expired_token":
                where = "fetch_report"
            params = SANDBOX_FAULTS.get(kind, {})
            assert self.demo.sandbox is not None
            self.demo.sandbox.inject_fault(kind, 1, path=SANDBOX_PATHS[where], **params)
            self.figures.sandbox_faults_armed[f"{where}:{kind}"] += 1
            return f"sandbox:{where}:{kind}"
        else:
            assert self.demo.sandbox is not None
            self.demo.sandbox.process.kill()
            self.demo.sandbox.process.wait(10)
            self.figures.sandbox_kills += 1
            return "sandbox:killed"
        return f"{where}:{kind}"

    def reader_fault(self, faults: dict[str, Fault]) -> str:
        """A reader fault kind to arm. A reader error the driver contract does not name
        restarts the reader loop, and a loop restarted ``FAILURES_OUT_OF_SERVICE`` times in
        ``FAILURE_WINDOW_S`` takes the terminal out of service (for a technician, for
        minutes): the soak keeps those below that, so the terminal stays in service (and a
        view out of service fails the run)."""
        now = time.monotonic()
        while self.loop_killers and now - self.loop_killers[0] > FAILURE_WINDOW_S:
            self.loop_killers.popleft()
        kinds = sorted(faults)
        if len(self.loop_killers) >= FAILURES_OUT_OF_SERVICE - 2:
            kinds = [kind for kind in kinds if kind not in LOOP_KILLERS]
        kind = self.rng.choice(kinds)
        if kind in LOOP_KILLERS:
            self.loop_killers.append(now)
        return kind

    def disarm(self) -> None:
        for device in (self.reader, self.receipt_printer, self.document_printer):
            device.disarm()
        self.platform_calls.disarm()

    def restart_sandbox(self) -> None:
        assert self.demo.sandbox is not None
        port = urlsplit(self.demo.sandbox.url).port or 0
        self.demo.sandbox = self.demo.start_sandbox(port=port)

    def follow(self, number: int, fault: str) -> list[tuple[float, SessionView]]:
        """The views of this session, from its READING to the IDLE after it, acting as a
        resident would on the way."""
        seen: list[tuple[float, SessionView]] = []
        waited_since = time.monotonic()
        acted = False
        while True:
            limit = SESSION_START_WAIT_S if not seen else SLACK_S + self._longest_deadline()
            try:
                at, view = self.views.get(timeout=limit)
            except queue.Empty:
                states = [v.state.value for _, v in seen]
                raise self.fail(
                    f"session {number} (fault {fault}) stuck after {states} "
                    f"({time.monotonic() - waited_since:.1f} s)"
                ) from None
            if not view.in_service:
                raise self.fail(f"out of service in session {number} (fault {fault})")
            if not seen and view.state is not State.READING:
                continue  # the IDLE published as the last session ended
            seen.append((at, view))
            if view.state is State.IDLE:
                return seen
            if view.state is State.SHOWING and not acted:
                acted = True
                self.act_on_report(fault, view.printable)
            elif view.state in (State.DONE, State.FAILED):
                self.leave(view.state)

    def leave(self, state: State) -> None:
        """The resident on the last screen: 返回首页, takes the card, or just walks away."""
        choice = self.rng.random()
        if choice < 0.6:
            self.runtime.terminal.end_session()
        elif choice < 0.8 and state is State.DONE:
            self.simulated.remove_card()

    def _longest_deadline(self) -> float:
        return max(
            SESSION.reading_timeout_s,
            SESSION.authenticating_timeout_s,
            SESSION.fetching_timeout_s,
            SESSION.printing_timeout_s,
        )

    def act_on_report(self, fault: str, printable: frozenset[PrintKind]) -> None:
        """The resident on the report: prints what the print choice offers, goes back, takes
        the card, or walks away. A session with a printer fault armed prints on it."""
        terminal = self.runtime.terminal
        wanted = {"print_receipt": {PrintKind.RECEIPT}, "print_pdf": {PrintKind.A4}}.get(
            fault.split(":")[0]
        )
        choice = self.rng.random()
        if wanted is None and choice < 0.45:
            wanted = {PrintKind.RECEIPT}
        elif wanted is None and choice < 0.55:
            wanted = set(PrintKind)
        kinds = frozenset(wanted or ()) & printable
        if kinds:
            terminal.print_report(kinds)
        elif choice < 0.75:
            terminal.end_session()  # 返回首页
        elif choice < 0.85:
            self.simulated.remove_card()
        # else: the resident walks away; the idle timeout ends it

    def check_ending(self, number: int, fault: str, seen: list[tuple[float, SessionView]]) -> str:
        """The last screen before IDLE is one the resident understands, and each screen
        changed by its deadline."""
        states = [v.state.value for _, v in seen]
        for (_, view), (at, _) in itertools.pairwise(seen):
            if view.deadline is not None and at > view.deadline + SLACK_S:
                raise self.fail(
                    f"session {number} (fault {fault}) left {view.state.value} "
                    f"{at - view.deadline:.1f} s after its deadline: {states}"
                )
        last = seen[-2][1]
        if last.state is State.FAILED:
            assert last.failure is not None
            title, advice = describe(last.failure)
            if not (CJK.search(title) and CJK.search(advice)):
                raise self.fail(f"session {number}: no Chinese message for {last.failure}")
            return f"failed:{last.failure.reason.value}"
        if last.state in (State.DONE, State.SHOWING, State.PRINT_PAUSED):
            return last.state.value
        raise self.fail(f"session {number} (fault {fault}) went to IDLE from {states}")

    # --- after the run ---
    def check_delivery(self) -> None:
        """Every record the terminal queued reached the platform exactly once."""
        assert self.demo.sandbox is not None
        self.demo.sandbox.clear_faults()
        deadline = time.monotonic() + DRAIN_WAIT_S
        while self.runtime.outbox.depth() and time.monotonic() < deadline:
            self.runtime.drainer.nudge()
            time.sleep(0.5)
        depth = self.runtime.outbox.depth()
        if depth:
            raise self.fail(f"{depth} records still queued {DRAIN_WAIT_S:.0f} s after the run")
        dead = self.runtime.outbox.dead_letters()
        if dead:
            raise self.fail(f"records refused as dead letters: {dead[:5]}")
        accepted = journal_keys(self.demo.sandbox_journal, self.runtime.settings.terminal.id)
        twice = [key for key, n in Counter(k for k, _ in accepted).items() if n > 1]
        if twice:
            raise self.fail(f"the platform accepted these records twice: {twice[:5]}")
        received = dict(accepted)
        missing = {k: kind for k, kind in self.recorded.items() if k not in received}
        unknown = {k: kind for k, kind in received.items() if k not in self.recorded}
        if missing or unknown:
            raise self.fail(f"never delivered: {missing}; delivered but never queued: {unknown}")
        self.figures.records = Counter(self.recorded.values())
        self.figures.sandbox_faults_fired = sandbox_faults_fired(self.demo.sandbox_log_file)


def journal_keys(journal: Path | None, terminal_id: str) -> list[tuple[str, str]]:
    """(idempotency key, kind) of every record the sandbox journal says it accepted."""
    assert journal is not None
    keys = []
    for line in journal.read_text(encoding="utf-8").splitlines():
        entry = msgspec.json.decode(line)
        if entry["what"] == "event" and entry["terminal_id"] == terminal_id:
            keys.append((entry["key"], entry["kind"]))
        elif entry["what"] == "print" and entry["terminal_id"] == terminal_id:
            keys.append((entry["key"], "print_record"))
    return keys


_INJECTED = re.compile(r"sandbox: injecting (\S+) on (\S+)")


def sandbox_faults_fired(sandbox_log: Path) -> Counter[str]:
    names = {path: name for name, path in SANDBOX_PATHS.items()}
    fired: Counter[str] = Counter()
    for kind, path in _INJECTED.findall(sandbox_log.read_text(encoding="utf-8")):
        where = next((n for p, n in names.items() if path.startswith(p)), path)
        fired[f"{where}:{kind}"] += 1
    return fired


def personal_data(demo: DemoEnvironment) -> list[str]:
    """Every demo card's name, ID number and address."""
    secrets_ = []
    for card in demo.cards:
        try:
            parsed = parse_text_block(card.card.text_block, card.card.photo)
        except DeviceError:
            continue  # the cards that must fail hold no readable person
        secrets_ += [parsed.name, parsed.id_number, parsed.address]
    return secrets_


def files_holding(root: Path, secrets_: list[str]) -> list[str]:
    """Files under ``root`` (printouts aside) that hold any of ``secrets_``; SQLite files are
    also read row by row, so nothing hides in a page the raw scan misses."""
    found = []
    for path in root.rglob("*"):
        if not path.is_file() or "printed" in path.parts:
            continue
        data = path.read_bytes()
        if path.suffix == ".sqlite3":
            data += _rows_text(path).encode()
        for secret in secrets_:
            if any(secret.encode(e) in data for e in ("utf-8", "utf-16-le")):
                found.append(f"{path.relative_to(root)}")
                break
    return found


def _rows_text(path: Path) -> str:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return "\n".join(
            repr(row) for table in tables for row in db.execute(f'SELECT * FROM "{table}"')
        )
    finally:
        db.close()


def soak_sessions(default: int) -> int:
    return int(os.environ.get("SOAK_SESSIONS", default))


def soak_seed() -> int:
    return int(os.environ.get("SOAK_SEED", "20261201"))
