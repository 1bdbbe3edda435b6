"""A corrupt outbox file: how it is recognised, moved aside and salvaged.

The outbox checks its file when it opens it (``PRAGMA quick_check``) and treats SQLite's
"corrupt" and "not a database" errors on any later statement the same way: the damaged
file is moved aside (``<name>.corrupt-<UTC time>``, with its ``-wal`` and ``-shm``, kept
for inspection), a new one is created, the items still readable in the old one are
salvaged into it, and a ``device_fault`` item (``outbox_recovered``) is queued so the
platform hears of it. ``Outbox.recovery`` says what happened.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

SQLITE_CORRUPT, SQLITE_FULL, SQLITE_NOTADB = 11, 13, 26


class CorruptFile(Exception):
    """``PRAGMA quick_check`` found damage."""


@dataclass(frozen=True)
class Recovery:
    """A corrupt outbox file was replaced."""

    moved_to: Path
    reason: str
    salvaged: int
    """Items read back from the damaged file into the new one."""
    at: float


def sqlite_code(error: sqlite3.Error) -> int:
    """SQLite's primary result code of ``error`` (0 when it has none)."""
    return int(getattr(error, "sqlite_errorcode", 0) or 0) & 0xFF


def is_corruption(error: BaseException) -> bool:
    return isinstance(error, CorruptFile) or (
        isinstance(error, sqlite3.DatabaseError)
        and sqlite_code(error) in (SQLITE_CORRUPT, SQLITE_NOTADB)
    )


def check_integrity(db: sqlite3.Connection) -> None:
    """Raise ``CorruptFile`` when ``PRAGMA quick_check`` finds damage."""
    (verdict,) = db.execute("PRAGMA quick_check").fetchone()
    if verdict != "ok":
        raise CorruptFile(f"quick_check: {str(verdict)[:200]}")


def move_aside(path: Path) -> Path:
    """Rename the database at ``path`` (and its WAL and shared-memory files) to a name no
    other file has; returns the new name of the database."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    moved_to = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while moved_to.exists():
        n += 1
        moved_to = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{path}{suffix}")
        if source.exists():
            os.replace(source, Path(f"{moved_to}{suffix}"))
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    return moved_to


def salvage(damaged: Path, into: sqlite3.Connection, priority_of: Callable[[str], int]) -> int:
    """Copy every outbox item still readable in ``damaged`` into ``into``; stops at the
    first unreadable page. Returns how many were copied."""
    rows: list[tuple[str, str, str, float, int]] = []
    try:
        source = sqlite3.connect(f"{damaged.as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return 0
    try:
        cursor = source.execute(
            "SELECT idempotency_key, kind, payload, created_at FROM outbox ORDER BY seq"
        )
        while True:
            row = cursor.fetchone()
            if row is None:
                break
            key, kind, payload, created_at = row
            if not (isinstance(key, str) and isinstance(kind, str) and isinstance(payload, str)):
                continue
            try:
                json.loads(payload)
            except ValueError:
                continue
            created = float(created_at) if isinstance(created_at, int | float) else time.time()
            rows.append((key, kind, payload, created, priority_of(kind)))
    except sqlite3.Error:
        pass  # the rest is unreadable
    finally:
        source.close()
    into.execute("BEGIN IMMEDIATE")
    try:
        before = into.total_changes
        into.executemany(
            "INSERT OR IGNORE INTO outbox (idempotency_key, kind, payload, created_at, "
            "attempts, priority) VALUES (?, ?, ?, ?, 0, ?)",
            rows,
        )
        salvaged = into.total_changes - before
        into.execute("COMMIT")
    except BaseException:
        if into.in_transaction:
            into.execute("ROLLBACK")
        raise
    return salvaged


def recovery_fault(reason: str, moved_to: Path, salvaged: int, at: float) -> dict[str, str]:
    """The ``device_fault`` payload that tells the platform (and a technician) about it."""
    return {
        "code": "outbox_recovered",
        "message": f"outbox database was unreadable ({reason[:200]}); moved aside as "
        f"{moved_to.name}; {salvaged} items salvaged",
        "hint": "keep the moved file for inspection; check the storage (SMART, dmesg)",
        "at": dt.datetime.fromtimestamp(at, dt.UTC).isoformat(),
    }
