"""The size cap: heartbeats go first, then faults; query and print records never."""

import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from offline_cache.outbox import Outbox

Open = Callable[[int], Outbox]


@pytest.fixture
def open_outbox(tmp_path: Path) -> Iterator[Open]:
    opened: list[Outbox] = []

    def make(cap: int) -> Outbox:
        box = Outbox(tmp_path / "outbox.sqlite3", max_items=cap)
        opened.append(box)
        return box

    yield make
    for box in opened:
        box.close()


def keys(box: Outbox) -> list[str]:
    return sorted(i.idempotency_key for i in box.peek(1000))


def test_a_record_at_the_cap_displaces_the_oldest_heartbeat(open_outbox: Open) -> None:
    box = open_outbox(3)
    for n in range(3):
        box.enqueue("heartbeat", {}, f"h{n}")
    box.enqueue("query_record", {}, "q0")
    assert keys(box) == ["h1", "h2", "q0"]
    assert dict(box.health().dropped) == {"heartbeat": 1}


def test_heartbeats_go_before_faults_and_records_are_kept_past_the_cap(open_outbox: Open) -> None:
    box = open_outbox(4)
    box.enqueue("device_fault", {}, "f0")
    box.enqueue("technician_action", {}, "t0")
    box.enqueue("heartbeat", {}, "h0")
    box.enqueue("heartbeat", {}, "h1")
    box.enqueue("print_record", {}, "p0")
    box.enqueue("query_record", {}, "q0")
    assert keys(box) == ["f0", "p0", "q0", "t0"]
    box.enqueue("query_record", {}, "q1")
    assert keys(box) == ["p0", "q0", "q1", "t0"]  # the oldest fault-class item went
    for n in range(2, 6):
        box.enqueue("query_record", {}, f"q{n}")
    assert box.depth() == 7 and keys(box) == ["p0", "q0", "q1", "q2", "q3", "q4", "q5"]
    health = box.health()
    assert health.over_cap and health.near_cap
    assert dict(health.dropped) == {"heartbeat": 2, "device_fault": 1, "technician_action": 1}


def test_a_heartbeat_with_nothing_below_it_is_dropped_itself(open_outbox: Open) -> None:
    box = open_outbox(2)
    box.enqueue("query_record", {}, "q0")
    box.enqueue("device_fault", {}, "f0")
    box.enqueue("heartbeat", {}, "h0")
    assert keys(box) == ["f0", "q0"]
    assert box.depth() == 2


def test_a_new_fault_at_a_full_cap_replaces_the_oldest_fault(open_outbox: Open) -> None:
    box = open_outbox(2)
    box.enqueue("query_record", {}, "q0")
    box.enqueue("device_fault", {}, "f0")
    box.enqueue("device_fault", {}, "f1")
    assert keys(box) == ["f1", "q0"]


def test_a_repeated_key_at_the_cap_drops_nothing(open_outbox: Open) -> None:
    box = open_outbox(2)
    box.enqueue("heartbeat", {}, "h0")
    box.enqueue("query_record", {}, "q0")
    box.enqueue("query_record", {}, "q0")
    assert keys(box) == ["h0", "q0"]


def test_near_cap_is_reported_from_eighty_percent(open_outbox: Open) -> None:
    box = open_outbox(10)
    for n in range(7):
        box.enqueue("query_record", {}, f"q{n}")
    assert not box.health().near_cap
    box.enqueue("query_record", {}, "q7")
    assert box.health().near_cap and not box.health().over_cap


def test_a_lower_cap_on_reopening_applies_at_the_next_item(open_outbox: Open) -> None:
    box = open_outbox(10)
    for n in range(6):
        box.enqueue("heartbeat", {}, f"h{n}")
    box.close()
    smaller = open_outbox(3)
    smaller.enqueue("query_record", {}, "q0")
    assert keys(smaller) == ["h4", "h5", "q0"]
    assert dict(smaller.health().dropped) == {"heartbeat": 4}


def test_depth_and_cap_hold_while_threads_enqueue_and_acknowledge(tmp_path: Path) -> None:
    """The depth that drives the cap, the near-cap warning and the heartbeat's backlog is
    the real number of items however enqueues and acknowledgements interleave."""
    box = Outbox(tmp_path / "outbox.sqlite3", max_items=40)
    start = threading.Barrier(4)
    enqueued = threading.Event()

    def enqueue_heartbeats() -> None:
        start.wait()
        for _ in range(400):
            box.enqueue("heartbeat", {})

    def acknowledge_some() -> None:
        start.wait()
        while not enqueued.is_set():
            box.acknowledge([i.idempotency_key for i in box.peek(3)])

    enqueuers = [threading.Thread(target=enqueue_heartbeats) for _ in range(2)]
    ackers = [threading.Thread(target=acknowledge_some) for _ in range(2)]
    for thread in enqueuers + ackers:
        thread.start()
    for thread in enqueuers:
        thread.join()
    enqueued.set()
    for thread in ackers:
        thread.join()
    depth = box.depth()
    box.close()
    with sqlite3.connect(box.path) as db:
        (real,) = db.execute("SELECT COUNT(*) FROM outbox").fetchone()
    assert (depth, real <= box.max_items) == (real, True)
