"""Sync bookkeeping: pending (dirty) rows and receipts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from db.codes import SYNCED_TABLES

if TYPE_CHECKING:
    from sqlite_utils import Database


def pending_counts(db: Database) -> dict[str, int]:
    """Rows changed on this device and not yet acknowledged by a server, per table."""
    counts = {}
    for table in SYNCED_TABLES:
        n = db.execute(f"SELECT count(*) FROM {table} WHERE dirty = 1").fetchone()[0]
        if n:
            counts[table] = n
    return counts


def last_receipt(db: Database) -> dict | None:
    row = db.execute(
        "SELECT changeset_id, server_seq, pushed_at FROM sync_receipts ORDER BY server_seq DESC LIMIT 1"
    ).fetchone()
    if row is None:
        return None
    return {"changeset_id": row[0], "server_seq": row[1], "pushed_at": row[2]}
