"""The drainer's decisions, against a scripted platform: what is acknowledged, what becomes a
dead letter, what is held back, and that no item can hold the rest."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from kiosk.contract import (
    DeviceFaultEvent,
    EventsAck,
    PrintRecordReceipt,
    PrintRecordRequest,
    RejectedEvent,
    TerminalEvent,
)
from kiosk.platform.client import PlatformRejected, PlatformUnavailable, TerminalAuthFailed
from kiosk.platform.outbox_drain import MAX_EVENT_BYTES, MAX_ITEM_FAILURES, Heartbeat, OutboxDrainer
from kiosk.platform.outbox_items import enqueue
from offline_cache.outbox import Outbox
from tests.clock import FakeClock
from tests.payloads import device_fault, heartbeat, print_record, query_record


class ScriptedPlatform:
    """Accepts every event unless ``judge`` says otherwise; records every request."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.prints: list[str] = []
        self.judge: Callable[[Sequence[TerminalEvent]], EventsAck | Exception] | None = None
        self.print_error: Exception | None = None

    def post_terminal_events(self, events: Sequence[TerminalEvent]) -> EventsAck:
        self.batches.append([e.idempotency_key for e in events])
        verdict = self.judge(events) if self.judge else None
        if isinstance(verdict, Exception):
            raise verdict
        if verdict is not None:
            return verdict
        return EventsAck(tuple(e.idempotency_key for e in events), (), ())

    def post_print_record(
        self, report_no: str, idempotency_key: str, record: PrintRecordRequest
    ) -> PrintRecordReceipt:
        self.prints.append(idempotency_key)
        if self.print_error is not None:
            raise self.print_error
        return PrintRecordReceipt(idempotency_key, "recorded")


@pytest.fixture
def platform() -> ScriptedPlatform:
    return ScriptedPlatform()


def drainer(outbox: Outbox, platform: ScriptedPlatform, **kwargs: Any) -> OutboxDrainer:
    return OutboxDrainer(outbox, platform, interval_s=1.0, **kwargs)  # type: ignore[arg-type]


def test_everything_accepted_is_acknowledged(outbox: Outbox, platform: ScriptedPlatform) -> None:
    for n in range(60):
        enqueue(outbox, query_record(), f"q{n:02d}")
    enqueue(outbox, print_record(), "p0")
    drain = drainer(outbox, platform)
    assert drain.drain_once() == 50
    assert drain.drain_once() == 11
    assert drain.drain_once() == 0
    assert outbox.depth() == 0 and platform.prints == ["p0"]
    assert [len(b) for b in platform.batches] == [50, 10]
    assert drain.last_success is not None and drain.status().consecutive_failures == 0


def test_a_batch_refused_as_a_whole_is_split_until_the_poison_is_alone(
    outbox: Outbox, platform: ScriptedPlatform
) -> None:
    for n in range(40):
        enqueue(outbox, device_fault("poison" if n == 17 else "paper_low"), f"f{n:02d}")

    def judge(events: Sequence[TerminalEvent]) -> Exception | None:
        if any(isinstance(e, DeviceFaultEvent) and e.payload.code == "poison" for e in events):
            return PlatformRejected("PAYLOAD_TOO_LARGE", "body too large")
        return None

    platform.judge = judge
    assert drainer(outbox, platform).drain_once() == 40
    assert outbox.depth() == 0
    assert outbox.dead_letters() == [("f17", "device_fault", "PAYLOAD_TOO_LARGE: body too large")]
    assert len(platform.batches) <= 2 * 6 + 1  # a binary search, not one request per item


def test_items_the_platform_refuses_one_by_one_become_dead_letters(
    outbox: Outbox, platform: ScriptedPlatform
) -> None:
    enqueue(outbox, query_record(), "good")
    enqueue(outbox, device_fault(), "bad")
    platform.judge = lambda events: EventsAck(
        ("good",), (), (RejectedEvent("bad", "INVALID_EVENT", "not on this platform"),)
    )
    drainer(outbox, platform).drain_once()
    assert outbox.depth() == 0
    assert outbox.dead_letters() == [("bad", "device_fault", "INVALID_EVENT: not on this platform")]


def test_an_item_stored_by_an_older_version_that_no_longer_decodes_is_a_dead_letter(
    outbox: Outbox, platform: ScriptedPlatform
) -> None:
    outbox.enqueue("query_record", {"outcome": "shown"}, "old")  # written without the Struct
    outbox.enqueue("bogus_kind", {}, "unknown")
    enqueue(outbox, query_record(), "new")
    drainer(outbox, platform).drain_once()
    assert platform.batches == [["new"]] and outbox.depth() == 0
    reasons = {key: reason for key, _, reason in outbox.dead_letters()}
    assert reasons["old"].startswith("INVALID_PAYLOAD: query_record: Object missing required")
    assert reasons["unknown"].startswith("INVALID_PAYLOAD: bogus_kind: ")


def test_an_item_never_answered_for_is_held_back_then_given_up(
    outbox: Outbox, platform: ScriptedPlatform, clock: FakeClock
) -> None:
    enqueue(outbox, query_record(), "ignored")
    enqueue(outbox, query_record(), "fine")
    platform.judge = lambda events: EventsAck(
        tuple(e.idempotency_key for e in events if e.idempotency_key != "ignored"), (), ()
    )
    drain = drainer(outbox, platform)
    assert drain.drain_once() == 2
    assert drain.drain_once() == 0  # held back: the drain does not spin on it
    for _ in range(MAX_ITEM_FAILURES - 1):
        clock.now += 10_000
        assert drain.drain_once() == 1
    assert outbox.depth() == 0
    assert outbox.dead_letters() == [
        ("ignored", "query_record", f"NOT_ACKNOWLEDGED ({MAX_ITEM_FAILURES} times)")
    ]


@pytest.mark.parametrize(
    "error",
    [
        PlatformUnavailable("HTTP_503", "away", retry_after=None),
        TerminalAuthFailed("CLOCK_SKEW", "clock"),
        PlatformRejected("NOT_FOUND", "no such resource"),
        PlatformRejected("HTTP_404", "a proxy answered"),
    ],
)
def test_outages_and_refused_terminals_keep_every_item(
    outbox: Outbox, platform: ScriptedPlatform, error: Exception
) -> None:
    for n in range(5):
        enqueue(outbox, query_record(), f"q{n}")
    platform.judge = lambda events: error
    with pytest.raises(type(error)):
        drainer(outbox, platform).drain_once()
    assert outbox.depth() == 5 and outbox.dead_letters() == []
    assert [i.attempts for i in outbox.peek(5)] == [1] * 5


def test_back_off_grows_with_jitter_and_honours_retry_after(
    outbox: Outbox, platform: ScriptedPlatform
) -> None:
    enqueue(outbox, query_record(), "q")
    drain = drainer(outbox, platform, max_backoff_s=64.0)
    platform.judge = lambda events: PlatformUnavailable("HTTP_503", "away")
    delays = [drain._round() for _ in range(8)]
    for n, delay in enumerate(delays, start=1):
        ceiling = min(64.0, 2.0**n)
        assert ceiling / 2 <= delay <= ceiling
    platform.judge = lambda events: PlatformUnavailable("RATE_LIMITED", "slow", retry_after=90)
    assert drain._round() >= 90
    assert drain.status().last_error == "RATE_LIMITED"
    platform.judge = None
    assert drain._round() == 1.0
    assert drain.status().consecutive_failures == 0 and outbox.depth() == 0


def test_print_records_refused_become_dead_letters(
    outbox: Outbox, platform: ScriptedPlatform
) -> None:
    enqueue(outbox, print_record(), "unknown-report")
    enqueue(outbox, query_record(), "q")
    platform.print_error = PlatformRejected("REPORT_NOT_FOUND", "no report with this number")
    drainer(outbox, platform).drain_once()
    assert outbox.depth() == 0
    assert outbox.dead_letters() == [
        ("unknown-report", "print_record", "REPORT_NOT_FOUND: no report with this number"),
    ]


def test_a_print_record_on_a_route_that_is_not_there_is_held_back_alone(
    outbox: Outbox, platform: ScriptedPlatform
) -> None:
    enqueue(outbox, print_record(), "p")
    enqueue(outbox, query_record(), "q")
    platform.print_error = PlatformRejected("NOT_FOUND", "no such resource")
    drain = drainer(outbox, platform)
    drain.drain_once()
    assert [i.idempotency_key for i in outbox.peek(5)] == []  # q sent, p held back
    assert outbox.depth() == 1 and outbox.dead_letters() == []


def test_a_heartbeat_carries_version_queue_and_device_health(
    outbox: Outbox, platform: ScriptedPlatform
) -> None:
    enqueue(outbox, query_record(), "q")
    drain = drainer(outbox, platform, heartbeat=Heartbeat("1.2.3", lambda: {"card_reader": "IDLE"}))
    key = drain.queue_heartbeat()
    (beat,) = [i for i in outbox.peek(5) if i.kind == "heartbeat"]
    assert beat.idempotency_key == key
    assert beat.payload["version"] == "1.2.3"
    assert beat.payload["devices"] == {"card_reader": "IDLE"}
    assert beat.payload["outbox"]["depth"] == 1
    assert beat.payload["drain"]["consecutive_failures"] == 0


def test_a_failing_device_summary_is_reported_not_raised(
    outbox: Outbox, platform: ScriptedPlatform
) -> None:
    def broken() -> dict[str, Any]:
        raise RuntimeError("reader vanished")

    drain = drainer(outbox, platform, heartbeat=Heartbeat("1.2.3", broken))
    assert drain.queue_heartbeat() is not None
    (beat,) = outbox.peek(5)
    assert beat.payload["devices"] == {"error": "RuntimeError"}


def test_heartbeats_are_queued_on_schedule_by_the_thread(
    outbox: Outbox, platform: ScriptedPlatform
) -> None:
    platform.judge = lambda events: PlatformUnavailable("HTTP_503", "away")
    drain = OutboxDrainer(
        outbox,
        platform,  # type: ignore[arg-type]
        interval_s=0.01,
        heartbeat=Heartbeat("1.2.3", interval_s=0.05),
    )
    drain.start()
    try:
        deadline = time.monotonic() + 5
        while outbox.depth() < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        drain.stop()
    assert outbox.depth() >= 3  # queued while the platform is away


def test_an_event_too_large_to_send_is_a_dead_letter_without_a_request(
    outbox: Outbox, platform: ScriptedPlatform
) -> None:
    enqueue(outbox, heartbeat({"dump": "x" * (MAX_EVENT_BYTES + 1)}), "huge")
    for n in range(1, 5):
        enqueue(outbox, heartbeat({"dump": "y" * 200_000}), f"big{n}")
    enqueue(outbox, query_record(), "small")
    drainer(outbox, platform).drain_once()
    assert outbox.depth() == 0
    assert [(k, r.split(":")[0]) for k, _, r in outbox.dead_letters()] == [
        ("huge", "PAYLOAD_TOO_LARGE")
    ]
    assert all("huge" not in batch for batch in platform.batches)
    # Packed into requests that stay under MAX_REQUEST_BYTES.
    assert platform.batches == [["small", "big1", "big2", "big3"], ["big4"]]
