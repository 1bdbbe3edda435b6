"""The outbox: what the platform must learn, kept durably until it has learned it.

One SQLite file in WAL mode, one connection, one lock; one ``Outbox`` per file. Items are
acknowledged to the caller (``enqueue`` returns) only after their transaction has
committed. Each has an idempotency key, so a resend after a crash is harmless: delivery is
at-least-once on the wire and exactly-once in effect. Payloads must already be free of
personal data; ``enqueue`` refuses anything that looks like a full resident ID number
in a field that can hold one (not ``IDENTIFIER_FIELDS``).

Durability and the size cap, kind by kind:

======================================  ==============  ==================================
kind                                    commit          at the cap (``max_items``)
======================================  ==============  ==================================
``query_record``, ``print_record``      synchronous     never dropped, kept past the cap
                                        =FULL
``device_fault``, ``technician_action`` FULL            dropped once no heartbeat is
                                                        left, oldest first
``heartbeat``                           NORMAL          dropped first, oldest first
any other kind                          FULL            never dropped
======================================  ==============  ==================================

Why: a query or print record is what the platform bills and audits, so it is fsynced
before the caller hears "stored" and no cap ever drops it. A fault or technician action
matters but is worth less than a resident's record. A heartbeat is a snapshot the next one
(a minute later) replaces: losing the last one in a power cut costs nothing, so it saves
the flash an fsync (in WAL mode NORMAL still never corrupts the file, and the next FULL
commit makes it durable too). Housekeeping (acknowledge, record_attempt, defer, moves to
and from the dead letters) also commits with NORMAL: undone by a power cut, an item is
only sent again, which its idempotency key makes harmless.

A corrupt file is replaced and what can still be read of it salvaged (see
``offline_cache.outbox_recovery``). A full disk (or ``max_bytes``) raises ``OutboxFull``:
the item was NOT stored.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from offline_cache.outbox_recovery import (
    SQLITE_FULL,
    CorruptFile,
    Recovery,
    check_integrity,
    is_corruption,
    move_aside,
    recovery_fault,
    salvage,
    sqlite_code,
)
from offline_cache.outbox_schema import migrate

log = logging.getLogger(__name__)

T = TypeVar("T")

# 17 digits and a check character standing alone (not inside a longer token such as a hex
# digest): a full ID number.
_FULL_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])[1-9][0-9]{16}[0-9Xx](?![0-9A-Za-z])")

KEEP = 0
"""Priority of items the cap never drops."""
KIND_PRIORITY: Mapping[str, int] = {
    "query_record": KEEP,
    "print_record": KEEP,
    "device_fault": 1,
    "technician_action": 1,
    "heartbeat": 2,
}
"""Higher is dropped first at the cap; kinds not listed are kept (``KEEP``)."""
RELAXED_KINDS = frozenset({"heartbeat"})
"""Kinds committed with synchronous=NORMAL (see the module docstring)."""

IDENTIFIER_FIELDS = frozenset({"report_no", "verify_code"})
"""Payload fields the platform's own identifiers fill (``[A-Z0-9]{8,32}``): an all-digit
one of 18 characters is a valid report number, not a resident's ID number, so the personal
data guard skips them (as it skips field names)."""

DEFAULT_MAX_ITEMS = 20_000
NEAR_CAP_RATIO = 0.8


class OutboxError(Exception):
    """The outbox could not do what was asked."""


class PersonalDataRefused(OutboxError):
    """An outbox payload held what looks like a full ID number: the item was not stored."""


class OutboxFull(OutboxError):
    """The disk, or the outbox's ``max_bytes``, is full: the item was not stored."""


@dataclass(frozen=True)
class OutboxItem:
    idempotency_key: str
    kind: str
    payload: dict[str, Any]
    created_at: float
    attempts: int
    failures: int = 0
    """Failures blamed on this item (not outages); see ``Outbox.defer``."""


@dataclass(frozen=True)
class DeadLetter:
    idempotency_key: str
    kind: str
    reason: str
    moved_at: float
    attempts: int
    payload: dict[str, Any]


@dataclass(frozen=True)
class OutboxHealth:
    """What diagnostics and the heartbeat say about the outbox."""

    depth: int
    cap: int
    near_cap: bool
    """At least ``NEAR_CAP_RATIO`` of the cap is used: heartbeats will soon be dropped."""
    over_cap: bool
    """Past the cap: only records that are never dropped are being added."""
    dead_letters: int
    by_kind: Mapping[str, int] = field(default_factory=dict)
    dropped: Mapping[str, int] = field(default_factory=dict)
    """Items the cap has dropped since the file was created, by kind."""
    oldest_age_s: float | None = None
    recovered_from: str | None = None
    """File name of a corrupt database moved aside when this one was opened."""
    storage_full: bool = False
    """The last write failed for want of space (``OutboxFull``)."""

    def as_payload(self) -> dict[str, Any]:
        return {
            "depth": self.depth,
            "cap": self.cap,
            "near_cap": self.near_cap,
            "over_cap": self.over_cap,
            "dead_letters": self.dead_letters,
            "by_kind": dict(self.by_kind),
            "dropped": dict(self.dropped),
            "oldest_age_s": None if self.oldest_age_s is None else round(self.oldest_age_s),
            "recovered_from": self.recovered_from,
            "storage_full": self.storage_full,
        }


def priority_of(kind: str) -> int:
    return KIND_PRIORITY.get(kind, KEEP)


class Outbox:
    """The durable queue. Every method is thread-safe.

    Arguments:
        path: the SQLite file (created with its folder if missing).
        max_items: the cap (see the module docstring for what it drops).
        max_bytes: an upper bound for the file (``PRAGMA max_page_count``); reaching it
            raises ``OutboxFull`` like a full disk. None: only the disk limits it.
        clock: wall-clock seconds, for created/retry times.

    Raises ``OutboxFull`` when even a new file cannot be created; other ``sqlite3``
    errors (permissions, a failed migration) propagate.
    """

    _HOUSEKEEPING_SYNC = "NORMAL"
    """synchronous= for commits that store no new item (see the module docstring)."""

    def __init__(
        self,
        path: Path,
        max_items: int = DEFAULT_MAX_ITEMS,
        max_bytes: int | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if max_items < 1:
            raise ValueError("max_items must be at least 1")
        self.path = path
        self.max_items = max_items
        self._max_bytes = max_bytes
        self._clock = clock
        self._lock = threading.Lock()
        self._sync = ""
        self._near_cap_logged = False
        self._storage_full = False
        self.recovery: Recovery | None = None
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = self._connect()
        except (sqlite3.DatabaseError, CorruptFile) as error:
            if not is_corruption(error):
                _raise_translated(error)
            self._db = self._recover(str(error))

    @property
    def recovered_from(self) -> Path | None:
        """The corrupt file moved aside by this outbox, if any."""
        return None if self.recovery is None else self.recovery.moved_to

    # --- the queue ---
    def enqueue(self, kind: str, payload: dict[str, Any], idempotency_key: str = "") -> str:
        """Store one item and return its idempotency key once the item is committed.

        A repeated key is stored once (the first payload wins). At the cap, the item may
        make room by dropping lower-priority items, or be dropped itself when it is the
        least important (a heartbeat when nothing else can go): see the module docstring.
        Raises PersonalDataRefused, OutboxFull.
        """
        if _holds_full_id_number(payload):
            raise PersonalDataRefused(f"{kind} payload holds a full ID number")
        text = json.dumps(payload, ensure_ascii=False, sort_keys=True)
        key = idempotency_key or uuid.uuid4().hex
        priority = priority_of(kind)
        now = self._clock()

        def insert(db: sqlite3.Connection) -> dict[str, int]:
            added = db.execute(
                "INSERT OR IGNORE INTO outbox (idempotency_key, kind, payload, created_at, "
                "attempts, priority) VALUES (?, ?, ?, ?, 0, ?)",
                (key, kind, text, now, priority),
            ).rowcount
            depth = _count(db)
            excess = depth - self.max_items
            dropped = {} if excess <= 0 or not added else self._evict(db, priority, excess, now)
            self._watch_cap(depth - sum(dropped.values()))
            return dropped

        sync = "NORMAL" if kind in RELAXED_KINDS else "FULL"
        dropped = self._run(insert, sync)
        if dropped:
            log.info("outbox at its cap of %d: dropped %s", self.max_items, dropped)
        return key

    def peek(self, limit: int) -> list[OutboxItem]:
        """Up to ``limit`` items due for sending (most important, then oldest, first), left
        in place until acknowledged. Items ``defer``red until later are not due."""
        now = self._clock()

        def select(db: sqlite3.Connection) -> list[Any]:
            return db.execute(
                "SELECT idempotency_key, kind, payload, created_at, attempts, failures "
                "FROM outbox WHERE next_attempt_at <= ? ORDER BY priority, seq LIMIT ?",
                (now, limit),
            ).fetchall()

        return [
            OutboxItem(str(k), str(kind), json.loads(p), float(c), int(a), int(f))
            for k, kind, p, c, a, f in self._run(select, None)
        ]

    def acknowledge(self, keys: list[str]) -> None:
        """The platform has these: forget them."""
        if not keys:
            return

        def delete(db: sqlite3.Connection) -> None:
            db.executemany("DELETE FROM outbox WHERE idempotency_key = ?", [(k,) for k in keys])
            self._watch_cap(_count(db))

        self._run(delete, self._HOUSEKEEPING_SYNC)

    def record_attempt(self, keys: list[str]) -> None:
        if not keys:
            return

        def update(db: sqlite3.Connection) -> None:
            db.executemany(
                "UPDATE outbox SET attempts = attempts + 1 WHERE idempotency_key = ?",
                [(k,) for k in keys],
            )

        self._run(update, self._HOUSEKEEPING_SYNC)

    def defer(self, key: str, reason: str, delay_s: float) -> int:
        """This item itself failed (not an outage): hold it back ``delay_s`` seconds so the
        rest can go. Returns how many failures it now has (0: no such item)."""
        until = self._clock() + max(0.0, delay_s)

        def update(db: sqlite3.Connection) -> int:
            row = db.execute(
                "UPDATE outbox SET failures = failures + 1, next_attempt_at = ?, last_error = ? "
                "WHERE idempotency_key = ? RETURNING failures",
                (until, reason[:500], key),
            ).fetchone()
            return 0 if row is None else int(row[0])

        return self._run(update, self._HOUSEKEEPING_SYNC)

    def move_to_dead_letter(self, key: str, reason: str) -> None:
        """The platform refused this item as invalid: keep it for a technician, stop sending."""
        now = self._clock()

        def move(db: sqlite3.Connection) -> None:
            db.execute(
                "INSERT OR REPLACE INTO dead_letter (idempotency_key, kind, payload, "
                "created_at, reason, moved_at, attempts) SELECT idempotency_key, kind, "
                "payload, created_at, ?, ?, attempts FROM outbox WHERE idempotency_key = ?",
                (reason[:500], now, key),
            )
            db.execute("DELETE FROM outbox WHERE idempotency_key = ?", (key,))

        self._run(move, self._HOUSEKEEPING_SYNC)

    def requeue_dead_letter(self, key: str) -> bool:
        """A technician sends a dead letter again (after the cause was fixed)."""

        def move(db: sqlite3.Connection) -> int:
            row = db.execute(
                "SELECT kind FROM dead_letter WHERE idempotency_key = ?", (key,)
            ).fetchone()
            if row is None:
                return 0
            added = db.execute(
                "INSERT OR IGNORE INTO outbox (idempotency_key, kind, payload, created_at, "
                "attempts, priority) SELECT idempotency_key, kind, payload, created_at, 0, ? "
                "FROM dead_letter WHERE idempotency_key = ?",
                (priority_of(str(row[0])), key),
            ).rowcount
            db.execute("DELETE FROM dead_letter WHERE idempotency_key = ?", (key,))
            return int(added)

        return self._run(move, "FULL") > 0

    def make_all_due(self) -> int:
        """A technician's "retry now": items held back by ``defer`` are due at once.
        Returns how many were held back."""
        now = self._clock()

        def update(db: sqlite3.Connection) -> int:
            return db.execute(
                "UPDATE outbox SET next_attempt_at = ? WHERE next_attempt_at > ?", (now, now)
            ).rowcount

        return int(self._run(update, self._HOUSEKEEPING_SYNC))

    # --- what technicians and the heartbeat see ---
    def depth(self) -> int:
        """How many items wait. Counted, never cached: a cached count drifted when threads
        interleaved, and ``COUNT(*)`` costs 15-50 µs at 20,000 items (an enqueue: 200-900)."""
        return self._run(_count, None)

    def dead_letters(self) -> list[tuple[str, str, str]]:
        """(idempotency key, kind, reason) of every refused item."""
        return [(d.idempotency_key, d.kind, d.reason) for d in self.dead_letter_items()]

    def dead_letter_items(self) -> list[DeadLetter]:
        def select(db: sqlite3.Connection) -> list[Any]:
            return db.execute(
                "SELECT idempotency_key, kind, reason, moved_at, attempts, payload "
                "FROM dead_letter ORDER BY moved_at"
            ).fetchall()

        return [
            DeadLetter(str(k), str(kind), str(r), float(m), int(a), json.loads(p))
            for k, kind, r, m, a, p in self._run(select, None)
        ]

    def health(self) -> OutboxHealth:
        def select(db: sqlite3.Connection) -> tuple[Any, ...]:
            kinds = db.execute("SELECT kind, COUNT(*) FROM outbox GROUP BY kind").fetchall()
            dropped = db.execute("SELECT kind, count FROM dropped").fetchall()
            (dead,) = db.execute("SELECT COUNT(*) FROM dead_letter").fetchone()
            (oldest,) = db.execute("SELECT MIN(created_at) FROM outbox").fetchone()
            return kinds, dropped, dead, oldest

        kinds, dropped, dead, oldest = self._run(select, None)
        depth = sum(int(n) for _, n in kinds)
        return OutboxHealth(
            depth=depth,
            cap=self.max_items,
            near_cap=depth >= NEAR_CAP_RATIO * self.max_items,
            over_cap=depth > self.max_items,
            dead_letters=int(dead),
            by_kind={str(k): int(n) for k, n in kinds},
            dropped={str(k): int(n) for k, n in dropped},
            oldest_age_s=None if oldest is None else max(0.0, self._clock() - float(oldest)),
            recovered_from=None if self.recovery is None else self.recovery.moved_to.name,
            storage_full=self._storage_full,
        )

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # --- plumbing ---
    def _run(self, op: Callable[[sqlite3.Connection], T], sync: str | None) -> T:
        """Run ``op`` in one transaction (a write transaction when ``sync`` is given, committed
        with that synchronous setting). A corrupt file is replaced and ``op`` run once more."""
        with self._lock:
            for attempt in (1, 2):
                try:
                    result = self._transaction(op, sync)
                except sqlite3.DatabaseError as error:
                    if sqlite_code(error) == SQLITE_FULL and not self._storage_full:
                        self._storage_full = True
                        log.error("outbox storage is full: %s", error)
                    if attempt == 2 or not is_corruption(error):
                        _raise_translated(error)
                    self._db.close()
                    self._db = self._recover(str(error))
                else:
                    if sync is not None and self._storage_full:
                        self._storage_full = False
                        log.info("outbox storage has room again")
                    return result
        raise AssertionError("unreachable")

    def _transaction(self, op: Callable[[sqlite3.Connection], T], sync: str | None) -> T:
        db = self._db
        if sync is not None and sync != self._sync:
            db.execute(f"PRAGMA synchronous={sync}")
            self._sync = sync
        db.execute("BEGIN IMMEDIATE" if sync is not None else "BEGIN")
        try:
            result = op(db)
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        return result

    def _evict(
        self, db: sqlite3.Connection, priority: int, count: int, now: float
    ) -> dict[str, int]:
        """Drop up to ``count`` items that an item of ``priority`` may displace: the least
        important first, then the oldest. Records the tally; returns {kind: dropped}."""
        rows = db.execute(
            "SELECT seq, kind FROM outbox WHERE priority >= ? ORDER BY priority DESC, seq LIMIT ?",
            (max(priority, KEEP + 1), count),
        ).fetchall()
        dropped: dict[str, int] = {}
        for seq, kind in rows:
            db.execute("DELETE FROM outbox WHERE seq = ?", (seq,))
            dropped[str(kind)] = dropped.get(str(kind), 0) + 1
        for kind, n in dropped.items():
            db.execute(
                "INSERT INTO dropped (kind, count, last_at) VALUES (?, ?, ?) ON CONFLICT(kind) "
                "DO UPDATE SET count = count + excluded.count, last_at = excluded.last_at",
                (kind, n, now),
            )
        return dropped

    def _watch_cap(self, depth: int) -> None:
        """Log crossing the near-cap line; called inside a transaction (under the lock)."""
        near = depth >= NEAR_CAP_RATIO * self.max_items
        if near and not self._near_cap_logged:
            log.warning("outbox holds %d items, near its cap of %d", depth, self.max_items)
        elif not near and self._near_cap_logged:
            log.info("outbox back to %d items (cap %d)", depth, self.max_items)
        self._near_cap_logged = near

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=10)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            self._sync = "FULL"
            if self._max_bytes is not None:
                (page_size,) = db.execute("PRAGMA page_size").fetchone()
                pages = max(8, self._max_bytes // int(page_size))
                db.execute(f"PRAGMA max_page_count = {pages}")
            check_integrity(db)
            before = migrate(db)
            if before and before < 2:
                log.info("outbox %s migrated from schema version %d", self.path.name, before)
        except BaseException:
            db.close()
            raise
        return db

    def _recover(self, reason: str) -> sqlite3.Connection:
        """Move the corrupt file aside, start a new one, salvage what can be read."""
        moved_to = move_aside(self.path)
        log.error("outbox %s was corrupt (%s); moved aside as %s", self.path, reason, moved_to)
        db = self._connect()
        salvaged = salvage(moved_to, db, priority_of)
        now = self._clock()
        fault = recovery_fault(reason, moved_to, salvaged, now)
        db.execute(
            "INSERT OR IGNORE INTO outbox (idempotency_key, kind, payload, created_at, "
            "attempts, priority) VALUES (?, 'device_fault', ?, ?, 0, ?)",
            (f"outbox-recovered-{uuid.uuid4().hex}", json.dumps(fault), now, KEEP),
        )
        self.recovery = Recovery(moved_to, reason, salvaged, now)
        return db


def _holds_full_id_number(value: Any) -> bool:
    """Whether a value that can hold personal data (any but ``IDENTIFIER_FIELDS``) holds
    what looks like a full ID number."""
    if isinstance(value, Mapping):
        return any(_holds_full_id_number(v) for k, v in value.items() if k not in IDENTIFIER_FIELDS)
    if isinstance(value, list | tuple):
        return any(_holds_full_id_number(v) for v in value)
    if isinstance(value, str | int) and not isinstance(value, bool):
        return _FULL_ID_NUMBER.search(str(value)) is not None
    return False


def _count(db: sqlite3.Connection) -> int:
    (count,) = db.execute("SELECT COUNT(*) FROM outbox").fetchone()
    return int(count)


def _raise_translated(error: BaseException) -> NoReturn:
    """Raise ``error``, as ``OutboxFull`` when SQLite says the storage is full."""
    if isinstance(error, sqlite3.DatabaseError) and sqlite_code(error) == SQLITE_FULL:
        raise OutboxFull(f"outbox storage is full ({error}); the item was not stored") from error
    raise error
