"""The outbox: what the platform must learn, kept durably until it has learned it.

Items are acknowledged to the caller only after their transaction is durable (WAL with
synchronous=FULL). Each has an idempotency key, so a resend after a crash is harmless.
Payloads must already be free of personal data; ``enqueue`` refuses anything that looks
like a full resident ID number.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

# 17 digits and a check character standing alone (not inside a longer token such as a hex
# digest): a full ID number.
_FULL_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])[1-9][0-9]{16}[0-9Xx](?![0-9A-Za-z])")


class PersonalDataRefused(ValueError):
    """An outbox payload held what looks like a full ID number."""


@dataclass(frozen=True)
class OutboxItem:
    idempotency_key: str
    kind: str
    payload: dict[str, Any]
    created_at: float
    attempts: int


class Outbox:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        schema = sqlite_utils.Database(self._db)
        schema.table("outbox").create(
            {
                "seq": int,
                "idempotency_key": str,
                "kind": str,
                "payload": str,
                "created_at": float,
                "attempts": int,
            },
            pk="seq",
            not_null={"idempotency_key", "kind", "payload", "created_at", "attempts"},
            defaults={"attempts": 0},
            if_not_exists=True,
        )
        schema.table("outbox").create_index(["idempotency_key"], unique=True, if_not_exists=True)
        schema.table("dead_letter").create(
            {
                "idempotency_key": str,
                "kind": str,
                "payload": str,
                "created_at": float,
                "reason": str,
                "moved_at": float,
            },
            pk="idempotency_key",
            if_not_exists=True,
        )

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def enqueue(self, kind: str, payload: dict[str, Any], idempotency_key: str = "") -> str:
        """Store one item durably and return its idempotency key."""
        text = json.dumps(payload, ensure_ascii=False, sort_keys=True)
        if _FULL_ID_NUMBER.search(text):
            raise PersonalDataRefused(f"{kind} payload holds a full ID number")
        key = idempotency_key or uuid.uuid4().hex
        with self._lock:
            self._db.execute(
                "INSERT OR IGNORE INTO outbox (idempotency_key, kind, payload, created_at, "
                "attempts) VALUES (?, ?, ?, ?, 0)",
                (key, kind, text, time.time()),
            )
        return key

    def peek(self, limit: int) -> list[OutboxItem]:
        """The oldest ``limit`` items, left in place until acknowledged."""
        with self._lock:
            rows = self._db.execute(
                "SELECT idempotency_key, kind, payload, created_at, attempts FROM outbox "
                "ORDER BY seq LIMIT ?",
                (limit,),
            ).fetchall()
        return [OutboxItem(k, kind, json.loads(p), c, a) for k, kind, p, c, a in rows]

    def acknowledge(self, keys: list[str]) -> None:
        """The platform has these: forget them."""
        with self._lock:
            self._db.executemany(
                "DELETE FROM outbox WHERE idempotency_key = ?", [(k,) for k in keys]
            )

    def record_attempt(self, keys: list[str]) -> None:
        with self._lock:
            self._db.executemany(
                "UPDATE outbox SET attempts = attempts + 1 WHERE idempotency_key = ?",
                [(k,) for k in keys],
            )

    def move_to_dead_letter(self, key: str, reason: str) -> None:
        """The platform refused this item as invalid: keep it for a technician, stop sending."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute(
                    "INSERT OR REPLACE INTO dead_letter SELECT idempotency_key, kind, payload, "
                    "created_at, ?, ? FROM outbox WHERE idempotency_key = ?",
                    (reason, time.time(), key),
                )
                self._db.execute("DELETE FROM outbox WHERE idempotency_key = ?", (key,))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def depth(self) -> int:
        with self._lock:
            (count,) = self._db.execute("SELECT COUNT(*) FROM outbox").fetchone()
        return int(count)

    def dead_letters(self) -> list[tuple[str, str, str]]:
        """(idempotency key, kind, reason) of every refused item."""
        with self._lock:
            rows = self._db.execute(
                "SELECT idempotency_key, kind, reason FROM dead_letter ORDER BY moved_at"
            ).fetchall()
        return [(str(k), str(kind), str(r)) for k, kind, r in rows]
