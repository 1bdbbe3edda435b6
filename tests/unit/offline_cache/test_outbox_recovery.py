"""A corrupt file is moved aside and replaced; a full disk is a clear ``OutboxFull``."""

import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from offline_cache.outbox import Outbox, OutboxFull


def fill(path: Path, count: int) -> list[str]:
    box = Outbox(path)
    keys = [
        box.enqueue("query_record", {"n": n, "pad": "x" * 60}, f"q{n:04d}") for n in range(count)
    ]
    box.close()
    return keys


def recovered_fault(box: Outbox) -> dict[str, object]:
    (fault,) = [i for i in box.peek(1000) if i.kind == "device_fault"]
    assert fault.idempotency_key.startswith("outbox-recovered-")
    return fault.payload


def test_a_file_that_is_not_a_database_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    garbage = os.urandom(8192)
    path.write_bytes(garbage)
    box = Outbox(path)
    try:
        assert box.recovery is not None and box.recovered_from is not None
        assert box.recovered_from.name.startswith("outbox.sqlite3.corrupt-")
        assert box.recovered_from.read_bytes() == garbage  # kept for inspection
        assert box.recovery.salvaged == 0
        fault = recovered_fault(box)
        assert fault["code"] == "outbox_recovered"
        assert box.recovered_from.name in str(fault["message"])
        assert box.health().recovered_from == box.recovered_from.name
        box.enqueue("query_record", {}, "after")
        assert box.depth() == 2
    finally:
        box.close()


def test_a_damaged_index_is_detected_and_every_readable_item_salvaged(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    keys = fill(path, 300)
    with sqlite3.connect(path) as db:
        (root,) = db.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'idx_outbox_idempotency_key'"
        ).fetchone()
        (page_size,) = db.execute("PRAGMA page_size").fetchone()
    with path.open("r+b") as file:
        file.seek((root - 1) * page_size)
        file.write(b"\xa5" * page_size)
    box = Outbox(path)
    try:
        assert box.recovery is not None and "quick_check" in box.recovery.reason
        assert box.recovery.salvaged == 300
        queued = {i.idempotency_key for i in box.peek(1000) if i.kind == "query_record"}
        assert queued == set(keys)
        assert box.depth() == 301
    finally:
        box.close()


def test_damaged_table_pages_lose_only_what_cannot_be_read(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    keys = fill(path, 400)
    size = path.stat().st_size
    with path.open("r+b") as file:
        file.seek(size // 2)
        file.write(b"\x00\xff" * 2048)
    box = Outbox(path)
    try:
        assert box.recovery is not None
        queued = {i.idempotency_key for i in box.peek(1000) if i.kind == "query_record"}
        assert queued <= set(keys)  # nothing invented
        assert len(queued) == box.recovery.salvaged
    finally:
        box.close()


def test_corruption_found_later_is_recovered_and_the_call_repeated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "outbox.sqlite3"
    box = Outbox(path)
    try:
        box.enqueue("query_record", {}, "before")
        real = box._transaction
        calls = []

        def damaged(*args: object, **kwargs: object) -> object:
            if not calls:
                calls.append(1)
                error = sqlite3.DatabaseError("database disk image is malformed")
                error.sqlite_errorcode = 11  # type: ignore[attr-defined]
                raise error
            return real(*args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(box, "_transaction", damaged)
        box.enqueue("query_record", {}, "after")
        assert box.recovery is not None and "malformed" in box.recovery.reason
        keys = {i.idempotency_key for i in box.peek(10)}
        assert {"before", "after"} <= keys
    finally:
        box.close()


def test_a_full_byte_budget_refuses_clearly_and_loses_nothing(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    box = Outbox(path, max_bytes=96 * 1024)
    stored = []
    with pytest.raises(OutboxFull):
        for n in range(10_000):
            stored.append(box.enqueue("query_record", {"n": n, "pad": "y" * 200}, f"q{n}"))
    assert len(stored) > 20
    assert box.health().storage_full
    assert box.depth() == len(stored)
    box.acknowledge(stored[:20])  # the drain frees room
    box.enqueue("query_record", {"n": -1}, "after")
    assert not box.health().storage_full
    box.close()
    again = Outbox(path)
    try:
        assert {i.idempotency_key for i in again.peek(10_000)} == {*stored[20:], "after"}
    finally:
        again.close()


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 320 KiB tmpfs mounted for the test (needs root, as on CI and the test bed)."""
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=320k", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        why = f"cannot mount a small tmpfs: {result.stderr.strip()}"
        if os.environ.get("CI") == "true":
            pytest.fail(why)
        pytest.skip(why)
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def test_a_full_disk_refuses_clearly_and_keeps_what_was_acknowledged(small_disk: Path) -> None:
    path = small_disk / "outbox.sqlite3"
    box = Outbox(path)
    stored = []
    with pytest.raises(OutboxFull):
        for n in range(100_000):
            stored.append(box.enqueue("print_record", {"n": n, "pad": "z" * 300}, f"p{n}"))
    assert stored and box.health().storage_full
    box.close()
    again = Outbox(path)  # opens and reads on the full disk
    try:
        assert {i.idempotency_key for i in again.peek(100_000)} == set(stored)
        subprocess.run(["mount", "-o", "remount,size=4m", str(small_disk)], check=True)
        again.enqueue("print_record", {"n": -1}, "after")
        assert again.depth() == len(stored) + 1
    finally:
        again.close()
