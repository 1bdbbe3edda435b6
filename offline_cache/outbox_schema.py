"""The outbox database's schema, its versions and the migrations between them.

Migrations are sqlite-utils ``Migrations`` (recorded in its ``_sqlite_migrations`` table);
each one also sets ``PRAGMA user_version`` to its number, so a glance at a file tells which
version wrote it. ``migrate`` applies every pending migration in ONE transaction: a process
killed half-way leaves the file exactly as it was, and the next start migrates again.

Rules for new migrations (an automatic rollback may put an older release back on a newer
file, so it must still work there):

- additive only: new tables, new columns with defaults, new indexes; never rename or drop;
- append to the end, never edit one that has shipped (old terminals have applied it);
- no ``VACUUM`` or other statement that cannot run inside a transaction.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite_utils
    from sqlite_utils.migrations import Migrations

SCHEMA_VERSION = 2
"""The version this code writes; ``PRAGMA user_version`` of an up-to-date file."""


def _set_version(db: sqlite_utils.Database, version: int) -> None:
    db.execute(f"PRAGMA user_version = {int(version)}")


def create_v1(db: sqlite_utils.Database) -> None:
    """Version 1: the outbox and its dead letters, as the first release created them.

    A file from that release (user_version 0, these tables present) passes through
    unchanged (``if_not_exists``) and is only marked as version 1.
    """
    db.table("outbox").create(
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
    db.table("outbox").create_index(["idempotency_key"], unique=True, if_not_exists=True)
    db.table("dead_letter").create(
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
    _set_version(db, 1)


def v1_to_v2(db: sqlite_utils.Database) -> None:
    """Version 2: a priority per item (what the cap drops first), a per-item retry time
    and failure count (so one poison item cannot hold the drain), and a tally of what the
    cap dropped."""
    outbox = db.table("outbox")
    outbox.add_column("priority", int, not_null_default=0)
    outbox.add_column("next_attempt_at", float, not_null_default=0.0)
    outbox.add_column("failures", int, not_null_default=0)
    outbox.add_column("last_error", str)
    # The kinds and priorities as of version 2; later changes belong in a later migration.
    db.execute(
        "UPDATE outbox SET priority = CASE kind WHEN 'heartbeat' THEN 2 "
        "WHEN 'device_fault' THEN 1 WHEN 'technician_action' THEN 1 ELSE 0 END"
    )
    outbox.create_index(["priority", "seq"], if_not_exists=True)
    db.table("dead_letter").add_column("attempts", int, not_null_default=0)
    db.table("dropped").create(
        {"kind": str, "count": int, "last_at": float},
        pk="kind",
        not_null={"count", "last_at"},
        if_not_exists=True,
    )
    _set_version(db, 2)


def migrations() -> Migrations:
    """Every migration, in order. sqlite-utils is imported here, not at the top: an
    up-to-date file (every start but the first after an update) never needs it, and it costs
    a sixth of a second of start-up."""
    from sqlite_utils.migrations import Migrations

    steps = Migrations("taihaoban-outbox")
    steps(name="0001_outbox_and_dead_letters")(create_v1)
    steps(name="0002_priorities_retry_times_dropped")(v1_to_v2)
    return steps


def schema_version(conn: sqlite3.Connection) -> int:
    (version,) = conn.execute("PRAGMA user_version").fetchone()
    return int(version)


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the file up to ``SCHEMA_VERSION`` (all pending migrations, one transaction).

    ``conn`` must be in autocommit mode (``isolation_level=None``) with no transaction
    open. Returns the version the file had before. A newer file (after a rollback to this
    release) is left as it is.
    """
    before = schema_version(conn)
    if before >= SCHEMA_VERSION:
        return before
    import sqlite_utils

    db = sqlite_utils.Database(conn, recursive_triggers=False, execute_plugins=False)
    steps = migrations()
    conn.execute("BEGIN IMMEDIATE")
    try:
        if steps.pending(db):
            steps.apply(db)  # each migration is a savepoint inside this transaction
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return before
