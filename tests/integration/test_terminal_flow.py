"""The whole core path without Qt: simulated devices, the sandbox process, the outbox."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

import msgspec
import pytest

from devices.base import Timeout
from devices.idcard.card import IdentityCard
from devices.idcard.simulated import SimulatedCard
from devices.idcard.text_block import encode_text_block
from kiosk import supervision
from kiosk.config import SessionSettings
from kiosk.contract import TerminalHeartbeat
from kiosk.demo import DemoEnvironment
from kiosk.privacy import mask_id_number
from kiosk.session import FailureReason, PrintKind, SessionView, State
from offline_cache.content_cache import ContentCache
from offline_cache.outbox import Outbox
from sandbox import population
from tests.cards import foreign_card, permit_card
from tests.kiosk_harness import FAST, RunningKiosk


class Kiosk(RunningKiosk):
    """The demo environment's core with fast session timeouts."""

    def __init__(
        self, demo: DemoEnvironment, session: SessionSettings = FAST, probe_interval_s: float = 15
    ) -> None:
        settings = demo.with_session(session)
        settings = replace(
            settings, platform=replace(settings.platform, probe_interval_s=probe_interval_s)
        )
        super().__init__(settings, demo.cards)


@pytest.fixture
def kiosk(demo: DemoEnvironment) -> Iterator[Kiosk]:
    k = Kiosk(demo)
    yield k
    k.runtime.stop()


def test_resident_session_end_to_end(kiosk: Kiosk, demo: DemoEnvironment) -> None:
    resident = population.richest_resident()
    kiosk.reader.lay_card(resident.key)
    shown = kiosk.wait_for(State.SHOWING)
    assert shown.report is not None and shown.report.on_black_list
    assert shown.holder_name == resident.card().name
    kiosk.runtime.terminal.print_report(frozenset(PrintKind))
    done = kiosk.wait_for(State.DONE)
    assert done.report is None and done.holder_name == ""
    printed = sorted(p.suffix for p in demo.printed_dir.iterdir())
    assert printed == [".bin", ".pdf", ".png"]
    kiosk.wait_until_drained()
    assert demo.sandbox is not None
    state = demo.sandbox.state()
    assert state["print_records"] == 2
    assert state["events_by_kind"].get("query_record") == 1


def test_a_card_not_laid_back_in_time_wipes_the_session(demo: DemoEnvironment) -> None:
    kiosk = Kiosk(demo, replace(FAST, card_grace_s=0.5))
    try:
        kiosk.reader.lay_card(population.DEMO_KEYS[0])
        kiosk.wait_for(State.SHOWING)
        kiosk.reader.remove_card()
        away = kiosk.views_until(lambda v: v.card_away)[-1]
        assert away.state is State.SHOWING and away.report is not None
        idle = kiosk.wait_for(State.IDLE)
        assert idle.report is None and idle.holder_name == "" and not idle.card_on_reader
    finally:
        kiosk.runtime.stop()


@pytest.mark.parametrize("stage", [State.CONSENT, State.SHOWING])
def test_the_same_card_laid_back_within_the_grace_period_continues(
    kiosk: Kiosk, stage: State
) -> None:
    kiosk.consents = stage is not State.CONSENT
    kiosk.reader.lay_card(population.DEMO_KEYS[0])
    before = kiosk.wait_for(stage)
    kiosk.reader.remove_card()
    kiosk.views_until(lambda v: v.card_away)
    kiosk.reader.lay_card(population.DEMO_KEYS[0])
    back = kiosk.views_until(lambda v: not v.card_away)[-1]
    assert (back.number, back.state, back.report) == (before.number, stage, before.report)
    assert back.card_on_reader


def test_another_card_laid_back_ends_the_session(kiosk: Kiosk, demo: DemoEnvironment) -> None:
    kiosk.reader.lay_card(population.DEMO_KEYS[0])
    kiosk.wait_for(State.SHOWING)
    kiosk.reader.remove_card()
    kiosk.views_until(lambda v: v.card_away)
    kiosk.reader.lay_card(population.DEMO_KEYS[1])
    idle = kiosk.wait_for(State.IDLE)
    assert idle.report is None and idle.holder_name == ""
    assert idle.card_on_reader  # the attract screen says 请取走身份证
    kiosk.reader.remove_card()
    assert not kiosk.views_until(lambda v: not v.card_on_reader)[-1].card_on_reader


def test_consent_is_recorded_before_the_platform_hears_of_the_person(
    kiosk: Kiosk, demo: DemoEnvironment, monkeypatch: pytest.MonkeyPatch
) -> None:
    consents = _queued(monkeypatch, "consent")
    kiosk.consents = False
    resident = population.by_key(population.DEMO_KEYS[0])
    kiosk.reader.lay_card(resident.key)
    asking = kiosk.wait_for(State.CONSENT)
    assert asking.holder_name == resident.card().name
    assert demo.sandbox is not None and demo.sandbox.state()["sessions"] == 0
    assert consents == []
    kiosk.runtime.terminal.give_consent()
    kiosk.wait_for(State.SHOWING)
    (consent,) = consents
    assert consent["text_version"] == demo.with_session(FAST).consent.version
    assert consent["id_masked"] == mask_id_number(resident.card().id_number)
    assert resident.card().id_number not in str(consent) and resident.card().name not in str(
        consent
    )
    kiosk.wait_until_drained()
    assert demo.sandbox.state()["events_by_kind"].get("consent") == 1


def test_consent_refused_ends_the_session_and_asks_for_the_card(
    kiosk: Kiosk, demo: DemoEnvironment, monkeypatch: pytest.MonkeyPatch
) -> None:
    consents = _queued(monkeypatch, "consent")
    kiosk.consents = False
    kiosk.reader.lay_card(population.DEMO_KEYS[0])
    kiosk.wait_for(State.CONSENT)
    kiosk.runtime.terminal.refuse_consent()
    idle = kiosk.wait_for(State.IDLE)
    assert idle.holder_name == "" and idle.card_on_reader
    assert demo.sandbox is not None and demo.sandbox.state()["sessions"] == 0
    assert consents == [] and kiosk.events("query_record") == []


def test_an_idle_consent_asks_then_ends(demo: DemoEnvironment) -> None:
    kiosk = Kiosk(demo, replace(FAST, consent_timeout_s=0.3, still_there_s=0.3))
    kiosk.consents = False
    try:
        kiosk.reader.lay_card(population.DEMO_KEYS[0])
        kiosk.wait_for(State.CONSENT)
        asking = kiosk.views_until(lambda v: v.asking)[-1]
        assert asking.state is State.CONSENT
        idle = kiosk.wait_for(State.IDLE)
        assert idle.holder_name == ""
    finally:
        kiosk.runtime.stop()


def test_calling_staff_queues_an_alert_without_personal_data(
    kiosk: Kiosk, monkeypatch: pytest.MonkeyPatch
) -> None:
    alerts = _queued(monkeypatch, "staff_alert")
    resident = population.by_key(population.DEMO_KEYS[0])
    kiosk.reader.lay_card(resident.key)
    kiosk.wait_for(State.SHOWING)
    kiosk.runtime.terminal.call_staff("report")
    deadline = time.monotonic() + 5
    while not alerts and time.monotonic() < deadline:
        time.sleep(0.05)
    (alert,) = alerts
    assert (alert["state"], alert["screen"]) == ("showing", "report")
    assert alert["terminal_id"] == kiosk.runtime.terminal.terminal_id
    assert set(alert) == {"terminal_id", "state", "screen", "at"}


@pytest.mark.parametrize(
    ("card_key", "reason"),
    [
        ("bad-check", FailureReason.CARD_CHECKSUM),
        ("garbled", FailureReason.CARD_UNREADABLE),
        ("r04", FailureReason.CARD_EXPIRED),
    ],
)
def test_bad_cards_fail_before_the_platform_hears_of_them(
    kiosk: Kiosk, demo: DemoEnvironment, card_key: str, reason: FailureReason
) -> None:
    kiosk.reader.lay_card(card_key)
    failed = kiosk.wait_for(State.FAILED)
    assert failed.failure is not None and failed.failure.reason is reason
    assert demo.sandbox is not None and demo.sandbox.state()["sessions"] == 0


@pytest.mark.parametrize(
    ("fault", "params", "reason"),
    [
        ("http_503", {}, FailureReason.PLATFORM_UNAVAILABLE),
        ("malformed_json", {}, FailureReason.REPORT_MALFORMED),
        ("hang", {"seconds": 4}, FailureReason.TIMEOUT),
    ],
)
def test_platform_faults_become_failure_screens(
    kiosk: Kiosk, demo: DemoEnvironment, fault: str, params: dict[str, float], reason: FailureReason
) -> None:
    assert demo.sandbox is not None
    demo.sandbox.inject_fault(fault, count=5, path="/api/v1/reports/person", **params)
    kiosk.reader.lay_card(population.DEMO_KEYS[0])
    kiosk.wait_for(State.FETCHING)
    failed = kiosk.wait_for(State.FAILED)
    assert failed.failure is not None and failed.failure.reason is reason


def test_paper_out_pauses_and_sends_no_print_record(demo: DemoEnvironment) -> None:
    with DemoEnvironment(
        root=demo.root / "paper-out",
        reader_options={"read_delay_s": 0.0},
        printer_options={"job_delay_s": 0.0, "faults": ["paper_out_on_job:1"]},
    ) as faulty:
        kiosk = Kiosk(faulty)
        try:
            kiosk.reader.lay_card(population.DEMO_KEYS[0])
            kiosk.wait_for(State.SHOWING)
            kiosk.runtime.terminal.print_report(frozenset({PrintKind.RECEIPT}))
            paused = kiosk.wait_for(State.PRINT_PAUSED)  # tests/integration/test_print_pause.py
            assert paused.print_kinds == frozenset({PrintKind.RECEIPT})
            kinds = [i.kind for i in kiosk.runtime.outbox.peek(50)]
            assert "print_record" not in kinds and "device_fault" in kinds
            assert list(faulty.printed_dir.glob("receipt-*")) == []
        finally:
            kiosk.runtime.stop()


def test_idle_report_asks_then_times_out_to_the_attract_screen(demo: DemoEnvironment) -> None:
    kiosk = Kiosk(demo, SessionSettings(showing_idle_timeout_s=0.5, still_there_s=0.5))
    try:
        kiosk.reader.lay_card(population.DEMO_KEYS[0])
        kiosk.wait_for(State.SHOWING)
        asking = kiosk.views_until(lambda v: v.asking)[-1]
        assert asking.state is State.SHOWING and asking.report is not None
        idle = kiosk.wait_for(State.IDLE, timeout=5)
        assert idle.report is None
    finally:
        kiosk.runtime.stop()


def test_outage_refuses_sessions_cleanly_then_recovers_and_drains(demo: DemoEnvironment) -> None:
    assert demo.sandbox is not None and demo.settings is not None
    kiosk = Kiosk(demo, probe_interval_s=0.3)
    try:
        kiosk.wait_for_platform(available=True)
        port = urlsplit(demo.sandbox.url).port
        demo.sandbox.stop()
        kiosk.wait_for_platform(available=False, timeout=5)

        kiosk.reader.lay_card(population.DEMO_KEYS[0])
        failed = kiosk.wait_for(State.FAILED)
        assert failed.failure is not None
        assert failed.failure.reason is FailureReason.PLATFORM_UNAVAILABLE
        assert failed.failure.code == "outage", "refused from the known outage, no platform wait"
        (attempt,) = [i for i in kiosk.runtime.outbox.peek(50) if i.kind == "query_record"]
        assert attempt.payload["outcome"] == "refused_platform_unavailable"

        demo.sandbox = demo.start_sandbox(port=port or 0)
        kiosk.wait_for_platform(available=True, timeout=5)
        kiosk.wait_until_drained()
        assert demo.sandbox.state()["events_by_kind"].get("query_record") == 1
    finally:
        kiosk.runtime.stop()


@pytest.mark.parametrize(
    ("card", "reaches"),
    [(permit_card(), State.SHOWING), (foreign_card(), State.FAILED)],
    ids=["hk-mo-tw-permit-is-queried", "foreign-card-is-refused-locally"],
)
def test_card_types_the_platform_files_records_by(
    kiosk: Kiosk, demo: DemoEnvironment, card: IdentityCard, reaches: State
) -> None:
    kiosk.reader.cards["other"] = SimulatedCard("other", encode_text_block(card))
    kiosk.reader.lay_card("other")
    view = kiosk.wait_for(reaches)
    assert demo.sandbox is not None
    if reaches is State.FAILED:
        assert view.failure is not None
        assert view.failure.reason is FailureReason.CARD_UNSUPPORTED
        assert demo.sandbox.state()["sessions"] == 0


def _queued(monkeypatch: pytest.MonkeyPatch, wanted: str) -> list[dict[str, Any]]:
    """Every item of kind ``wanted`` any outbox is given from now on (the drain may send
    them soon)."""
    items: list[dict[str, Any]] = []
    enqueue = Outbox.enqueue

    def spy(outbox: Outbox, kind: str, payload: dict[str, Any], key: str = "") -> str:
        if kind == wanted:
            items.append(payload)
        return enqueue(outbox, kind, payload, key)

    monkeypatch.setattr(Outbox, "enqueue", spy)
    return items


def _queued_faults(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    return _queued(monkeypatch, "device_fault")


def _reports_numbered(kiosk: Kiosk, report_no: str, monkeypatch: pytest.MonkeyPatch) -> None:
    platform = kiosk.runtime.platform
    fetch = platform.fetch_report
    monkeypatch.setattr(
        platform,
        "fetch_report",
        lambda token: msgspec.structs.replace(fetch(token), report_no=report_no),
    )


def test_an_all_digit_report_number_is_shown_and_recorded(
    kiosk: Kiosk, monkeypatch: pytest.MonkeyPatch
) -> None:
    report_no = "123456789012345678"  # [A-Z0-9]{8,32}, shaped like an ID number
    _reports_numbered(kiosk, report_no, monkeypatch)
    kiosk.reader.lay_card(population.DEMO_KEYS[0])
    shown = kiosk.wait_for(State.SHOWING)
    assert shown.report is not None and shown.report.report_no == report_no
    (record,) = kiosk.events("query_record")
    assert (record["outcome"], record["report_no"]) == ("shown", report_no)


def test_an_outbox_that_fails_never_stops_the_session(
    kiosk: Kiosk, monkeypatch: pytest.MonkeyPatch
) -> None:
    faults = _queued_faults(monkeypatch)
    enqueue = Outbox.enqueue

    def fail_on_query_records(
        outbox: Outbox, kind: str, payload: dict[str, Any], key: str = ""
    ) -> str:
        if kind == "query_record":
            raise sqlite3.OperationalError("disk I/O error")
        return enqueue(outbox, kind, payload, key)

    monkeypatch.setattr(Outbox, "enqueue", fail_on_query_records)
    kiosk.reader.lay_card(population.DEMO_KEYS[0])
    kiosk.wait_for(State.SHOWING)
    (fault,) = faults
    assert (fault["device"], fault["code"]) == ("outbox", "outbox_refused")


def test_the_reader_loop_outlives_an_unexpected_reader_error(
    kiosk: Kiosk, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = kiosk.reader
    read_card = reader.read_card
    faults = _queued_faults(monkeypatch)
    calls = []

    def fail_once(timeout: float) -> IdentityCard:
        calls.append(timeout)
        if len(calls) == 1:
            raise OSError(5, "Input/output error")
        return read_card(timeout)

    monkeypatch.setattr(reader, "read_card", fail_once)
    reader.lay_card(population.DEMO_KEYS[0])
    failed = kiosk.wait_for(State.FAILED)
    assert failed.failure is not None and failed.failure.reason is FailureReason.READER_FAULT
    reader.lay_card(population.DEMO_KEYS[0])
    kiosk.wait_for(State.SHOWING)
    (fault,) = faults
    assert (fault["device"], fault["code"]) == ("card_reader", "loop_failed")


@pytest.mark.parametrize("failing_stores", [1, 1_000_000], ids=["once", "for-good"])
def test_the_platform_watch_outlives_a_content_cache_error(
    demo: DemoEnvironment, monkeypatch: pytest.MonkeyPatch, failing_stores: int
) -> None:
    store = ContentCache.store
    failures = []

    def disk_full(cache: ContentCache, name: str, body: bytes, etag: str | None) -> None:
        if len(failures) < failing_stores:
            failures.append(name)
            raise sqlite3.OperationalError("database or disk is full")
        store(cache, name, body, etag)

    monkeypatch.setattr(ContentCache, "store", disk_full)
    faults = _queued_faults(monkeypatch)
    kiosk = Kiosk(demo, probe_interval_s=0.2)
    try:
        kiosk.wait_for_platform(available=True)
        kiosk.runtime.watch.report_unavailable()  # a platform call failed meanwhile
        kiosk.wait_for_platform(available=False)
        status = kiosk.wait_for_platform(available=True)
        while failing_stores == 1 and not status.notices:  # refreshed once the disk has room
            status = kiosk.wait_for_platform(available=True)
        assert faults and {(f["device"], f["code"]) for f in faults} == {
            ("platform_watch", "loop_failed")
        }
    finally:
        kiosk.runtime.stop()


def test_the_reader_loop_outlives_a_coordinator_that_does_not_answer(
    demo: DemoEnvironment, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reader waits 5 s for the coordinator to begin a session; a listener stuck longer
    makes that wait raise TimeoutError in the reader loop."""
    faults = _queued_faults(monkeypatch)
    kiosk = Kiosk(demo, replace(FAST, reading_timeout_s=1))
    terminal = kiosk.runtime.terminal
    publish = terminal._on_change
    stuck = threading.Event()

    def stuck_once(view: SessionView) -> None:
        if view.state is State.READING and not stuck.is_set():
            stuck.set()
            time.sleep(6)
        publish(view)

    monkeypatch.setattr(terminal, "_on_change", stuck_once)
    try:
        kiosk.reader.lay_card(population.DEMO_KEYS[0])
        kiosk.wait_for(State.FAILED, timeout=15)
        kiosk.reader.lay_card(population.DEMO_KEYS[0])
        kiosk.wait_for(State.SHOWING)
        assert {(f["device"], f["code"]) for f in faults} == {("card_reader", "loop_failed")}
    finally:
        kiosk.runtime.stop()


def test_a_loop_that_keeps_failing_takes_the_terminal_out_of_service_until_it_runs_clean(
    kiosk: Kiosk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(supervision, "CLEAN_RUN_S", 1.0)
    faults = _queued_faults(monkeypatch)
    failing = threading.Event()
    failing.set()
    stopping = threading.Event()

    def body() -> None:
        while not stopping.is_set():
            flaky.tick()
            if failing.is_set():
                raise OSError(28, "No space left on device")
            stopping.wait(0.05)

    flaky = supervision.SupervisedLoop(
        "content-refresh", body, stopping, stale_after_s=60, first_backoff_s=0.01
    )
    terminal = kiosk.runtime.terminal
    terminal.supervised = (*terminal.supervised, flaky)
    flaky.start()
    try:
        out = kiosk.views_until(lambda v: not v.in_service)[-1]
        assert out.state is State.IDLE
        assert ("content_refresh", "out_of_service") in {(f["device"], f["code"]) for f in faults}
        kiosk.reader.lay_card(population.DEMO_KEYS[0])  # not read while out of service
        failing.clear()
        meanwhile = kiosk.views_until(lambda v: v.in_service)
        assert all(v.state is State.IDLE for v in meanwhile)
        kiosk.reader.lay_card(population.DEMO_KEYS[1])
        kiosk.wait_for(State.SHOWING)
    finally:
        stopping.set()
        flaky.join(5)


def test_stop_is_bounded_and_never_closes_the_reader_during_a_read(
    kiosk: Kiosk, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = kiosk.reader
    read_card, close = reader.read_card, reader.close
    reading = threading.Event()
    release = threading.Event()
    calls: list[str] = []

    def stuck_read(timeout: float) -> IdentityCard:
        calls.append("read begins")
        reading.set()
        release.wait(60)  # a vendor library that does not return
        calls.append("read ends")
        return read_card(timeout)

    def recorded_close() -> None:
        calls.append("close")
        close()

    monkeypatch.setattr(reader, "read_card", stuck_read)
    monkeypatch.setattr(reader, "close", recorded_close)
    reader.lay_card(population.DEMO_KEYS[0])
    assert reading.wait(10)
    stopper = threading.Thread(target=kiosk.runtime.terminal.stop, args=(1.0,))
    stopper.start()
    stopper.join(30)
    assert not stopper.is_alive()  # returned although the reader's thread is still in a read
    assert calls == ["read begins"]
    release.set()
    (reader_loop, _) = kiosk.runtime.terminal.loops
    assert reader_loop.join(10)
    assert calls == ["read begins", "read ends", "close"]  # closed by its own thread, after


def test_device_health_reaches_the_heartbeat_and_the_print_choice(
    demo: DemoEnvironment, monkeypatch: pytest.MonkeyPatch
) -> None:
    faults = _queued_faults(monkeypatch)
    with DemoEnvironment(
        root=demo.root / "paper-out",
        reader_options={"read_delay_s": 0.0},
        printer_options={"job_delay_s": 0.0, "faults": ["paper_out_on_job:1"]},
    ) as faulty:
        settings = faulty.with_session(FAST)
        settings = replace(
            settings, terminal=replace(settings.terminal, health_check_interval_s=0.2)
        )
        kiosk = RunningKiosk(settings, faulty.cards)
        try:
            terminal = kiosk.runtime.terminal
            assert terminal.wait_for_health_checks(10) == []
            kiosk.reader.lay_card(population.DEMO_KEYS[0])
            shown = kiosk.wait_for(State.SHOWING)
            assert shown.printable == frozenset()  # both printers are out of paper
            kiosk.reader.last_fault = Timeout("card read timed out")  # a good read clears it
            while terminal.device_health()["card_reader"].last_fault is None:
                time.sleep(0.05)
            kiosk.runtime.drainer.queue_heartbeat()
            (heartbeat,) = kiosk.events("heartbeat")
            health = heartbeat["health"]
            assert set(health) == {"card_reader", "receipt_printer", "document_printer"}
            assert health["card_reader"]["ok"] and health["card_reader"]["last_fault"] == "timeout"
            assert not health["receipt_printer"]["ok"]
            assert "out of paper" in health["receipt_printer"]["text"]
            failed = {(f["device"], f["code"]) for f in faults}
            assert ("receipt_printer", "health_check_failed") in failed
        finally:
            kiosk.runtime.stop()


def test_kept_print_jobs_are_printed_at_a_health_check_only_while_nobody_is_at_the_kiosk(
    demo: DemoEnvironment,
) -> None:
    settings = demo.with_session(FAST)
    settings = replace(settings, terminal=replace(settings.terminal, health_check_interval_s=0.1))
    kiosk = RunningKiosk(settings, demo.cards)
    try:
        calls: list[float] = []
        called = threading.Event()

        def print_kept_jobs(timeout: float) -> list[Any]:
            calls.append(timeout)
            called.set()
            return []

        printer = kiosk.runtime.terminal.devices.document_printer
        printer.print_kept_jobs = print_kept_jobs  # type: ignore[method-assign]
        assert called.wait(10)  # idle: offered at a health check
        kiosk.reader.lay_card(population.DEMO_KEYS[0])
        kiosk.wait_for(State.SHOWING)
        calls.clear()
        time.sleep(0.5)  # several health checks while the resident reads the report
        assert calls == []
    finally:
        kiosk.runtime.stop()


@pytest.mark.parametrize("call", ["open_resident_session", "fetch_report"])
def test_an_unexpected_platform_client_error_ends_the_session_at_once(
    demo: DemoEnvironment,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    call: str,
) -> None:
    """Not left waiting in AUTHENTICATING/FETCHING until the deadline, nor lost unlogged."""
    kiosk = Kiosk(demo, replace(FAST, authenticating_timeout_s=60, fetching_timeout_s=60))
    try:

        def broken(argument: object) -> None:
            raise RuntimeError("client state lost")

        monkeypatch.setattr(kiosk.runtime.platform, call, broken)
        kiosk.reader.lay_card(population.DEMO_KEYS[0])
        failed = kiosk.wait_for(State.FAILED)
        assert failed.failure is not None
        assert (failed.failure.reason, failed.failure.code) == (
            FailureReason.PLATFORM_REJECTED,
            "LOCAL_ERROR",
        )
        assert "RuntimeError: client state lost" in caplog.text
    finally:
        kiosk.runtime.stop()


def test_a_session_holds_off_the_updater_and_the_heartbeat_says_when_it_began(
    kiosk: Kiosk, demo: DemoEnvironment
) -> None:
    from kiosk.updater.session_lock import no_session, session_lock_path

    assert demo.settings is not None
    lock = session_lock_path(demo.settings.terminal.state_dir)
    with no_session(lock) as free:
        assert free  # nobody at the kiosk
    kiosk.reader.lay_card(population.DEMO_KEYS[0])
    kiosk.wait_for(State.SHOWING)
    with no_session(lock) as free:
        assert not free
    kiosk.reader.remove_card()
    kiosk.wait_for(State.IDLE)
    with no_session(lock) as free:
        assert free
        kiosk.reader.lay_card(population.DEMO_KEYS[0])  # while the updater switches
        with pytest.raises(AssertionError, match="never reached reading"):
            kiosk.wait_for(State.READING, timeout=2.0)
    key = kiosk.runtime.drainer.queue_heartbeat()
    item = next(i for i in kiosk.runtime.outbox.peek(1000) if i.idempotency_key == key)
    heartbeat = msgspec.convert(item.payload, TerminalHeartbeat)
    assert heartbeat.last_session_at is not None
    assert heartbeat.update is None  # the demo has no [updater] section
