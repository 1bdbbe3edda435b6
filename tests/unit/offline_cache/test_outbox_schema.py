"""Schema versions: a file from the first release opens and migrates; a failed migration
leaves the file as it was; a newer file is used as it is."""

import sqlite3
from pathlib import Path

import msgspec
import pytest

from offline_cache.outbox import Outbox
from offline_cache.outbox_schema import SCHEMA_VERSION, migrations
from tests import payloads

# The schema exactly as the first release (no user_version) created it.
V1_SCHEMA = """
CREATE TABLE "outbox" (
   "seq" INTEGER PRIMARY KEY,
   "idempotency_key" TEXT NOT NULL,
   "kind" TEXT NOT NULL,
   "payload" TEXT NOT NULL,
   "created_at" REAL NOT NULL,
   "attempts" INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX "idx_outbox_idempotency_key"
    ON "outbox" ("idempotency_key");
CREATE TABLE "dead_letter" (
   "idempotency_key" TEXT PRIMARY KEY,
   "kind" TEXT,
   "payload" TEXT,
   "created_at" REAL,
   "reason" TEXT,
   "moved_at" REAL
);
"""


def make_v1_file(path: Path, extra_sql: str = "") -> None:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.executescript(V1_SCHEMA + extra_sql)
    # Payloads valid under the current contract, so the crash test's drain delivers them.
    rows = [
        ("hb-old", "heartbeat", payloads.heartbeat(), 1.0, 3),
        ("fault-old", "device_fault", payloads.device_fault("paper_out"), 2.0, 0),
        ("query-old", "query_record", payloads.query_record(payloads.REPORT_NO), 3.0, 1),
    ]
    db.executemany(
        "INSERT INTO outbox (idempotency_key, kind, payload, created_at, attempts) "
        "VALUES (?, ?, ?, ?, ?)",
        [(k, kind, msgspec.json.encode(p).decode(), c, a) for k, kind, p, c, a in rows],
    )
    db.execute(
        "INSERT INTO dead_letter VALUES ('dead-old', 'bogus', '{}', 0.5, 'UNKNOWN_KIND', 4.0)"
    )
    db.close()


def version_of(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute("PRAGMA user_version").fetchone()[0])


def test_a_first_release_file_migrates_and_keeps_everything(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    make_v1_file(path)
    assert version_of(path) == 0
    box = Outbox(path)
    try:
        items = box.peek(10)
        assert [i.idempotency_key for i in items] == ["query-old", "fault-old", "hb-old"]
        assert [i.attempts for i in items] == [1, 0, 3]
        assert items[0].payload["report_no"] == payloads.REPORT_NO
        assert box.dead_letters() == [("dead-old", "bogus", "UNKNOWN_KIND")]
        assert box.depth() == 3
        box.enqueue("query_record", {}, "query-new")
        assert box.depth() == 4
    finally:
        box.close()
    assert version_of(path) == SCHEMA_VERSION == 2
    with sqlite3.connect(path) as db:
        applied = [r[0] for r in db.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
        priorities = dict(db.execute("SELECT idempotency_key, priority FROM outbox"))
    assert applied == [m.name for m in migrations()._migrations]
    assert priorities == {"query-old": 0, "fault-old": 1, "hb-old": 2, "query-new": 0}


def test_a_new_file_is_created_at_the_current_version(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    Outbox(path).close()
    assert version_of(path) == SCHEMA_VERSION
    Outbox(path).close()  # opening again applies nothing
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM _sqlite_migrations").fetchone()[0] == 2


def test_a_failed_migration_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    # A column the v2 migration will try to add: ALTER TABLE fails half-way through.
    make_v1_file(path, 'ALTER TABLE outbox ADD COLUMN "failures" INTEGER;')
    with sqlite3.connect(path) as db:
        before = db.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall()
    with pytest.raises(sqlite3.OperationalError, match="duplicate column"):
        Outbox(path)
    assert version_of(path) == 0
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall() == before
        assert db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 3


def test_a_newer_file_is_used_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    Outbox(path).close()
    with sqlite3.connect(path, isolation_level=None) as db:
        # What a later release might add: a column with a default, a recorded migration.
        db.execute("ALTER TABLE outbox ADD COLUMN trace_id TEXT DEFAULT ''")
        db.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
            "VALUES ('taihaoban-outbox', '0003_trace_ids', 'later')"
        )
        db.execute("PRAGMA user_version = 3")
    box = Outbox(path)
    try:
        box.enqueue("query_record", {}, "q")
        assert [i.idempotency_key for i in box.peek(5)] == ["q"]
    finally:
        box.close()
    assert version_of(path) == 3
