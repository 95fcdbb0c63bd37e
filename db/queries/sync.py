"""Sync bookkeeping: pending (dirty) rows, acknowledged and pulled rows, receipts and conflicts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from db.codes import SYNCED_TABLES
from db.rows import fetch_all, fetch_one

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


# --- rows in and out -------------------------------------------------------------------------
# Table names come from code or from a message validated against the protocol's table list, and
# every one is checked against SYNCED_TABLES before it reaches SQL; column names from a pulled
# row are checked against the table's own columns.

BOOKKEEPING = ("id", "rev", "device_id", "dirty", "deleted", "base_rev")


def _synced(table: str) -> str:
    if table not in SYNCED_TABLES:
        raise ValueError(f"{table} is not a synced table")
    return table


def columns(db: Database, table: str) -> list[str]:
    return [r[1] for r in db.execute(f"PRAGMA table_info({_synced(table)})")]


def dirty_rows(db: Database, table: str) -> list[dict]:
    """Rows of ``table`` changed here since the server last acknowledged them, oldest first."""
    return fetch_all(db, f"SELECT * FROM {_synced(table)} WHERE dirty = 1 ORDER BY rev, id")


def get_row(db: Database, table: str, key: str) -> dict | None:
    return fetch_one(db, f"SELECT * FROM {_synced(table)} WHERE id = ?", (key,))


def acknowledge(db: Database, table: str, key: str, rev: str) -> bool:
    """Record that the server applied revision ``rev`` of a row; True when the row is clean now.

    The dirty flag is cleared only if the row still holds that revision. An edit made after the
    changeset was built has a newer one: it stays dirty and goes in the next push, with the
    acknowledged revision as its base (the server holds that one now, so the edit is not taken
    for a conflict with itself).
    """
    cursor = db.execute(
        f"UPDATE {_synced(table)} SET base_rev = :rev, dirty = CASE WHEN rev = :rev THEN 0 ELSE 1 END "
        "WHERE id = :key AND (rev = :rev OR dirty = 1)",
        {"key": key, "rev": rev},
    )
    if cursor.rowcount != 1:
        return False
    return db.execute(f"SELECT dirty FROM {table} WHERE id = ?", (key,)).fetchone()[0] == 0


def put_row(db: Database, table: str, key: str, values: Mapping[str, Any], *, rev: str, device_id: str,
            deleted: bool) -> None:
    """Store a row as a server holds it: clean, its base the revision it came with."""
    known = set(columns(db, table)) - set(BOOKKEEPING)
    unknown = set(values) - known
    if unknown:
        raise ValueError(f"{table} has no column {', '.join(sorted(unknown))}")
    row = {**values, "id": key, "rev": rev, "device_id": device_id, "dirty": 0, "deleted": int(deleted),
           "base_rev": rev}
    names = ", ".join(row)
    marks = ", ".join(f":{c}" for c in row)
    sets = ", ".join(f"{c} = excluded.{c}" for c in row if c != "id")
    db.execute(f"INSERT INTO {table} ({names}) VALUES ({marks}) ON CONFLICT(id) DO UPDATE SET {sets}", row)


# --- conflicts ---------------------------------------------------------------------------------


def put_conflict(db: Database, conflict: Mapping[str, Any]) -> None:
    """Keep a conflict (both versions as JSON text); a known one only takes its new status."""
    db.execute(
        "INSERT INTO sync_conflicts (id, table_name, row_key, visit_id, base_rev, current, incoming, "
        "detected_at, origin, status, resolved_by_rev) VALUES (:id, :table_name, :row_key, :visit_id, "
        ":base_rev, :current, :incoming, :detected_at, :origin, :status, :resolved_by_rev) "
        "ON CONFLICT(id) DO UPDATE SET status = excluded.status, resolved_by_rev = excluded.resolved_by_rev",
        dict(conflict),
    )


def open_conflicts(db: Database, visit_id: str | None = None) -> list[dict]:
    """Open conflicts, of one visit when given, oldest first."""
    if visit_id is None:
        return fetch_all(db, "SELECT * FROM sync_conflicts WHERE status = 'open' ORDER BY detected_at, id")
    return fetch_all(
        db, "SELECT * FROM sync_conflicts WHERE status = 'open' AND visit_id = ? ORDER BY detected_at, id",
        (visit_id,),
    )


def record_receipt(db: Database, receipt_id: str, changeset_id: str, server_seq: int, pushed_at: str,
                   accepted: int, conflict_ids: str) -> None:
    """One row per acknowledged push; the same receipt again changes nothing."""
    db.execute(
        "INSERT INTO sync_receipts (id, changeset_id, server_seq, pushed_at, accepted, conflicts) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(changeset_id) DO NOTHING",
        (receipt_id, changeset_id, server_seq, pushed_at, accepted, conflict_ids),
    )


# --- for the sync engine -------------------------------------------------------------------------


def finalized_visits(db: Database) -> list[tuple[str, int, str, str | None, str | None]]:
    """(id, amendment_no, content_hash, finalized_at, amended_at) of every live finalized visit."""
    return [tuple(r) for r in db.execute(
        "SELECT id, amendment_no, content_hash, finalized_at, amended_at FROM visits "
        "WHERE status IN ('finalized', 'amended') AND deleted = 0 AND content_hash IS NOT NULL ORDER BY id")]


def visit_rubric_hashes(db: Database, visit_id: str) -> list[str]:
    return [r[0] for r in db.execute(
        "SELECT rubric_hash FROM visit_rubrics WHERE visit_id = ? AND deleted = 0 ORDER BY position", (visit_id,))]


def live_blob_hashes(db: Database) -> list[str]:
    """The blobs that live photos and signatures name, sorted."""
    return [r[0] for r in db.execute(
        "SELECT sha256 FROM evidence WHERE deleted = 0 AND sha256 IS NOT NULL "
        "UNION SELECT sha256 FROM signatures WHERE deleted = 0 AND sha256 IS NOT NULL ORDER BY 1")]


def open_conflicts_of_row(db: Database, table: str, key: str) -> list[dict]:
    return fetch_all(db, "SELECT * FROM sync_conflicts WHERE status = 'open' AND table_name = ? AND row_key = ?",
                     (table, key))


def resolved_conflicts_of_row(db: Database, table: str, key: str, resolved_by_rev: str) -> list[dict]:
    """The row's conflicts that the revision ``resolved_by_rev`` settled."""
    return fetch_all(db, "SELECT * FROM sync_conflicts WHERE status = 'resolved' AND table_name = ? AND "
                         "row_key = ? AND resolved_by_rev = ?", (table, key, resolved_by_rev))


# --- finalized versions (migration 0006) ---------------------------------------------------------


def version_hash(db: Database, visit_id: str, amendment_no: int) -> str | None:
    row = db.execute("SELECT content_hash FROM finalized_versions WHERE visit_id = ? AND amendment_no = ?",
                     (visit_id, amendment_no)).fetchone()
    return None if row is None else str(row[0])


def version_status(db: Database, visit_id: str, amendment_no: int) -> str | None:
    row = db.execute("SELECT status FROM finalized_versions WHERE visit_id = ? AND amendment_no = ?",
                     (visit_id, amendment_no)).fetchone()
    return None if row is None else str(row[0])


def put_version(db: Database, version: Mapping[str, Any]) -> None:
    """Keep a version made here. The same number again (an amendment made of several
    transactions, one per imported photo) takes the latest content and is pending again."""
    db.execute(
        "INSERT INTO finalized_versions (visit_id, amendment_no, content_hash, replaces, finalized_at, "
        "score_total, score_maximum, score_band, status) VALUES (:visit_id, :amendment_no, :content_hash, "
        ":replaces, :finalized_at, :score_total, :score_maximum, :score_band, 'pending') "
        "ON CONFLICT (visit_id, amendment_no) DO UPDATE SET content_hash = excluded.content_hash, "
        "finalized_at = excluded.finalized_at, score_total = excluded.score_total, "
        "score_maximum = excluded.score_maximum, score_band = excluded.score_band, "
        "status = CASE WHEN finalized_versions.content_hash = excluded.content_hash "
        "THEN finalized_versions.status ELSE 'pending' END, reason = NULL",
        dict(version),
    )


def held_version(db: Database, visit_id: str, amendment_no: int, content_hash: str, replaces: str | None,
                 finalized_at: str | None) -> None:
    """A version a server holds (pulled, or recorded from a receipt): recorded. A different
    version of that number made here is left as it is: the server will say which stands."""
    db.execute(
        "INSERT INTO finalized_versions (visit_id, amendment_no, content_hash, replaces, finalized_at, status) "
        "VALUES (?, ?, ?, ?, ?, 'recorded') ON CONFLICT (visit_id, amendment_no) DO UPDATE SET "
        "status = 'recorded' WHERE finalized_versions.content_hash = excluded.content_hash",
        (visit_id, amendment_no, content_hash, replaces, finalized_at),
    )


def pending_versions(db: Database) -> list[dict]:
    """Versions no server has recorded yet, of live visits, each visit's in order."""
    return fetch_all(
        db, "SELECT f.* FROM finalized_versions f JOIN visits v ON v.id = f.visit_id "
            "WHERE f.status = 'pending' AND v.deleted = 0 ORDER BY f.visit_id, f.amendment_no")


def set_version_status(db: Database, visit_id: str, amendment_no: int, content_hash: str, status: str,
                       reason: str | None = None) -> None:
    db.execute("UPDATE finalized_versions SET status = ?, reason = ? WHERE visit_id = ? AND amendment_no = ? "
               "AND content_hash = ?", (status, reason, visit_id, amendment_no, content_hash))


def versions_of(db: Database, visit_id: str) -> list[dict]:
    return fetch_all(db, "SELECT * FROM finalized_versions WHERE visit_id = ? ORDER BY amendment_no", (visit_id,))
