"""The outbox against persist-queue's SQLite ack queue, in the same run, on the same disk.

Both in WAL mode with ``synchronous=FULL`` on every commit that stores an item. Enqueue is
one durable transaction per item (``Outbox.enqueue`` / ``SQLiteAckQueue.put``). Drain is
local (no network): ``peek`` + ``record_attempt`` + ``acknowledge`` against ``get`` + ``ack``.
The outbox drains in batches of 50 (as ``OutboxDrainer`` does) and commits that
housekeeping with ``synchronous=NORMAL`` (its chosen durability, see
``offline_cache/outbox.py``); it is also measured with FULL housekeeping and one item at a
time, which is what persist-queue does. A last figure drains to the sandbox platform (its own
process, on loopback) through ``OutboxDrainer`` (signing, HTTP, JSON), to show where the time
goes.
"""

from __future__ import annotations

import secrets
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from offline_cache.outbox import Outbox

ITEMS = 2000
ROUNDS = 3


def _payload(n: int) -> dict[str, Any]:
    """About the size of a real query record."""
    return {
        "terminal_id": "XT-BENCH-0001",
        "outcome": "shown",
        "report_no": f"XT20261124{n:06d}",
        "id_masked": "3709**********123X",
        "at": "2026-11-24T08:00:00+00:00",
    }


class _FullHousekeepingOutbox(Outbox):
    """The outbox with every commit at synchronous=FULL (for a like-for-like figure)."""

    _HOUSEKEEPING_SYNC = "FULL"


def _rate(count: int, run: Callable[[], None]) -> float:
    started = time.perf_counter()
    run()
    return count / (time.perf_counter() - started)


def _ours(folder: Path, outbox_class: type[Outbox], batch: int) -> tuple[float, float]:
    box = outbox_class(folder / f"outbox-{outbox_class.__name__}-{batch}.sqlite3")
    try:

        def enqueue() -> None:
            for n in range(ITEMS):
                box.enqueue("query_record", _payload(n))

        def drain() -> None:
            while True:
                items = box.peek(batch)
                if not items:
                    return
                keys = [i.idempotency_key for i in items]
                box.record_attempt(keys)
                box.acknowledge(keys)

        return _rate(ITEMS, enqueue), _rate(ITEMS, drain)
    finally:
        box.close()


def _persist_queue(folder: Path) -> tuple[float, float]:
    from persistqueue import SQLiteAckQueue
    from persistqueue.serializers import json as json_serializer

    queue = SQLiteAckQueue(
        str(folder / "persist-queue"), serializer=json_serializer, multithreading=False
    )
    try:
        for conn in {id(c): c for c in (queue._conn, queue._putter, queue._getter)}.values():
            conn.execute("PRAGMA synchronous=FULL")
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"

        def put() -> None:
            for n in range(ITEMS):
                queue.put(_payload(n))

        def drain() -> None:
            for _ in range(ITEMS):
                queue.ack(queue.get(block=False))

        return _rate(ITEMS, put), _rate(ITEMS, drain)
    finally:
        queue.close()


def _sandbox_drain(folder: Path) -> float:
    from kiosk.demo import start_sandbox_process
    from kiosk.platform.client import PlatformClient
    from kiosk.platform.outbox_drain import OutboxDrainer

    secret = secrets.token_bytes(32)
    secret_file = folder / "terminal.secret"
    secret_file.write_text(secret.hex(), encoding="ascii")
    box = Outbox(folder / "outbox-sandbox.sqlite3")
    sandbox = start_sandbox_process(folder, "XT-BENCH-0001", secret_file, folder / "sandbox.log")
    try:
        for n in range(ITEMS):
            box.enqueue("query_record", _payload(n))
        with PlatformClient(sandbox.url, "XT-BENCH-0001", secret) as client:
            drainer = OutboxDrainer(box, client)

            def drain() -> None:
                while drainer.drain_once():
                    pass

            rate = _rate(ITEMS, drain)
            assert sum(sandbox.state()["events_by_kind"].values()) == ITEMS
        return rate
    finally:
        sandbox.stop()
        box.close()


def run(emit: Callable[..., None]) -> None:
    """Durable enqueues/s and drains/s: the outbox and persist-queue, side by side."""
    figures: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="outbox-bench-") as tmp:
        for round_ in range(ROUNDS):
            folder = Path(tmp) / str(round_)
            folder.mkdir()
            runs = {
                "outbox": _ours(folder, Outbox, 50),
                "outbox_full_housekeeping": _ours(folder, _FullHousekeepingOutbox, 50),
                "outbox_full_one_at_a_time": _ours(folder, _FullHousekeepingOutbox, 1),
                "persist_queue": _persist_queue(folder),
            }
            for name, (enqueues, drains) in runs.items():
                figures.setdefault(f"{name}_enqueue", []).append(enqueues)
                figures.setdefault(f"{name}_drain", []).append(drains)
        sandbox_drains = _sandbox_drain(Path(tmp))
    median = {name: statistics.median(values) for name, values in figures.items()}
    pq_enqueue, pq_drain = median["persist_queue_enqueue"], median["persist_queue_drain"]
    emit(
        "outbox_vs_persist_queue",
        items=ITEMS,
        rounds=ROUNDS,
        synchronous="FULL for items (WAL); outbox housekeeping NORMAL unless noted",
        drain="local: peek+record_attempt+acknowledge vs get+ack; outbox in batches of 50",
        outbox_enqueues_per_s=round(median["outbox_enqueue"]),
        persist_queue_puts_per_s=round(pq_enqueue),
        enqueue_ratio=round(median["outbox_enqueue"] / pq_enqueue, 2),
        outbox_drains_per_s=round(median["outbox_drain"]),
        outbox_full_housekeeping_drains_per_s=round(median["outbox_full_housekeeping_drain"]),
        outbox_full_one_at_a_time_drains_per_s=round(median["outbox_full_one_at_a_time_drain"]),
        persist_queue_get_ack_per_s=round(pq_drain),
        drain_ratio=round(median["outbox_drain"] / pq_drain, 2),
        drain_ratio_full_housekeeping=round(median["outbox_full_housekeeping_drain"] / pq_drain, 2),
        drain_ratio_one_at_a_time=round(median["outbox_full_one_at_a_time_drain"] / pq_drain, 2),
    )
    emit(
        "outbox_drain_to_sandbox",
        items=ITEMS,
        drains_per_s=round(sandbox_drains),
        note="OutboxDrainer.drain_once to the sandbox process on loopback, batches of 50",
    )
