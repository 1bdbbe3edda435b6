"""Public content (notices, red/black list publicity) kept for when the platform is away.

One row per content name with the platform's ETag and when it was last confirmed fresh, so
the screen can say how old what it shows is ("数据更新于 …").
"""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CachedContent:
    body: bytes
    etag: str | None
    fetched_at: float
    """When the platform last sent or confirmed this body (Unix time)."""


class ContentCache:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS public_content (name TEXT PRIMARY KEY, etag TEXT, "
            "body BLOB NOT NULL, fetched_at FLOAT NOT NULL)"
        )

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def store(self, name: str, body: bytes, etag: str | None) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO public_content (name, etag, body, fetched_at) "
                "VALUES (?, ?, ?, ?)",
                (name, etag, body, time.time()),
            )

    def confirm(self, name: str) -> None:
        """The platform said the cached body is still current (HTTP 304)."""
        with self._lock:
            self._db.execute(
                "UPDATE public_content SET fetched_at = ? WHERE name = ?", (time.time(), name)
            )

    def load(self, name: str) -> CachedContent | None:
        with self._lock:
            row = self._db.execute(
                "SELECT body, etag, fetched_at FROM public_content WHERE name = ?", (name,)
            ).fetchone()
        return None if row is None else CachedContent(bytes(row[0]), row[1], float(row[2]))
