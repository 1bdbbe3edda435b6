"""The drain thread against the sandbox platform misbehaving on purpose: throttling with
Retry-After, outages, and items it refuses."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import msgspec
import pytest

from kiosk.contract import EventsAck, TerminalEvent
from kiosk.platform.client import PlatformClient
from kiosk.platform.outbox_drain import OutboxDrainer
from kiosk.platform.outbox_items import enqueue
from offline_cache.outbox import Outbox
from sandbox import population
from sandbox.server import Sandbox, start_sandbox
from tests.payloads import device_fault, heartbeat, print_record, query_record

TERMINAL = "XT-DRAIN-1"
EVENTS_PATH = "/api/v1/terminal-events"


class RecordingClient(PlatformClient):
    """The real client, noting when each terminal-events request was answered or failed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.calls: list[tuple[float, str]] = []

    def post_terminal_events(self, events: Sequence[TerminalEvent]) -> EventsAck:
        try:
            ack = super().post_terminal_events(events)
        except Exception as error:
            self.calls.append((time.monotonic(), getattr(error, "code", type(error).__name__)))
            raise
        self.calls.append((time.monotonic(), "OK"))
        return ack


@pytest.fixture
def secret() -> bytes:
    return secrets.token_bytes(32)


@pytest.fixture
def sandbox(secret: bytes) -> Iterator[Sandbox]:
    with start_sandbox({TERMINAL: secret}) as running:
        yield running


@pytest.fixture
def client(sandbox: Sandbox, secret: bytes) -> Iterator[RecordingClient]:
    with RecordingClient(sandbox.url, TERMINAL, secret, retries=0, read_timeout=5) as c:
        yield c


@pytest.fixture
def outbox(tmp_path: Path) -> Iterator[Outbox]:
    box = Outbox(tmp_path / "outbox.sqlite3")
    yield box
    box.close()


def wait_until(
    condition: Callable[[], bool], timeout: float, while_waiting: Callable[[], Any]
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        while_waiting()
        time.sleep(0.02)


def queue_events(outbox: Outbox, count: int) -> set[str]:
    return {enqueue(outbox, query_record(), f"q{n:03d}") for n in range(count)}


def test_retry_after_is_honoured_even_when_nudged(
    sandbox: Sandbox, client: RecordingClient, outbox: Outbox
) -> None:
    keys = queue_events(outbox, 20)
    sandbox.faults.inject("http_429", count=1, retry_after=1, path=EVENTS_PATH)
    drainer = OutboxDrainer(outbox, client, interval_s=0.02)
    drainer.start()
    try:
        # Nudged all along (as when the platform watch reports it back): still waits.
        wait_until(lambda: outbox.depth() == 0, 10, drainer.nudge)
    finally:
        drainer.stop()
    (refused, refusal_code), (delivered, code) = client.calls[:2]
    assert (refusal_code, code) == ("RATE_LIMITED", "OK")
    assert delivered - refused >= 1.0
    assert set(sandbox.accepted_keys(TERMINAL)) == keys


def test_outages_back_off_exponentially_then_everything_is_delivered(
    sandbox: Sandbox, client: RecordingClient, outbox: Outbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = queue_events(outbox, 120)
    sandbox.faults.inject("http_503", count=4, path=EVENTS_PATH)
    drainer = OutboxDrainer(outbox, client, interval_s=0.05)
    # The delays the drainer chose, not wall-clock gaps (a loaded machine stretches those).
    delays: list[float] = []
    back_off = drainer._back_off

    def noted_back_off(code: str, retry_after: float | None) -> float:
        delays.append(back_off(code, retry_after))
        return delays[-1]

    monkeypatch.setattr(drainer, "_back_off", noted_back_off)
    drainer.start()
    try:
        wait_until(lambda: outbox.depth() == 0, 15, lambda: None)
    finally:
        drainer.stop()
    codes = [code for _, code in client.calls]
    assert codes[:5] == ["SERVICE_UNAVAILABLE"] * 4 + ["OK"]
    assert len(delays) == 4
    for failures, delay in enumerate(delays, start=1):
        ceiling = 0.05 * 2**failures
        assert ceiling / 2 <= delay <= ceiling  # jittered, never shorter than half
    assert set(sandbox.accepted_keys(TERMINAL)) == keys
    assert drainer.status().consecutive_failures == 0


def issue_report(sandbox: Sandbox, secret: bytes) -> str:
    with PlatformClient(sandbox.url, TERMINAL, secret) as c:
        return c.fetch_report(
            c.open_resident_session(population.richest_resident().card())
        ).report_no


def test_poison_items_become_dead_letters_and_the_rest_is_delivered(
    sandbox: Sandbox, client: RecordingClient, outbox: Outbox, secret: bytes
) -> None:
    report_no = issue_report(sandbox, secret)
    good = queue_events(outbox, 70)
    good.add(enqueue(outbox, print_record(report_no, pages=3), "print-good"))
    enqueue(outbox, print_record("XT20990101000001"), "print-unknown")
    # Written by an older version: no longer a valid payload of its kind.
    outbox.enqueue("print_record", msgspec.to_builtins(print_record(pages=-1)), "print-invalid")
    outbox.enqueue("operator_note", {"text": "hello"}, "unknown-kind")
    enqueue(outbox, heartbeat({"dump": "x" * (1 << 20)}), "too-large")
    good.add(enqueue(outbox, device_fault(), "fault"))
    good |= {enqueue(outbox, heartbeat(), f"hb{n}") for n in range(5)}
    drainer = OutboxDrainer(outbox, client, interval_s=0.02)
    drainer.start()
    try:
        wait_until(lambda: outbox.depth() == 0, 15, lambda: None)
    finally:
        drainer.stop()
    assert set(sandbox.accepted_keys(TERMINAL)) == good
    reasons = {key: reason.split(":")[0] for key, _, reason in outbox.dead_letters()}
    assert reasons == {
        "print-unknown": "REPORT_NOT_FOUND",
        "print-invalid": "INVALID_PAYLOAD",
        "unknown-kind": "INVALID_PAYLOAD",
        "too-large": "PAYLOAD_TOO_LARGE",
    }
    assert drainer.status().consecutive_failures == 0
