"""Evidence rows (photos) and the media hashes every table refers to."""

from __future__ import annotations

from typing import TYPE_CHECKING

from db.rows import fetch_all, fetch_one

if TYPE_CHECKING:
    from sqlite_utils import Database


def get_evidence(db: Database, evidence_id: str) -> dict | None:
    """One row, soft-deleted or not (undo needs the deleted ones)."""
    return fetch_one(db, "SELECT * FROM evidence WHERE id = ?", (evidence_id,))


def list_evidence(
    db: Database, visit_id: str, *, item_code: str | None = None, rubric_hash: str | None = None,
    finding_id: str | None = None, deleted: bool = False,
) -> list[dict]:
    """Photos of a visit in display order; narrowed to an item and/or a finding when given.

    ``deleted=True`` lists the soft-deleted ones instead (the "recently deleted" view).
    """
    sql = "SELECT * FROM evidence WHERE visit_id = :visit AND deleted = :deleted"
    params: dict = {"visit": visit_id, "deleted": int(deleted)}
    if item_code is not None:
        sql += " AND item_code = :item"
        params["item"] = item_code
    if rubric_hash is not None:
        sql += " AND rubric_hash = :rubric"
        params["rubric"] = rubric_hash
    if finding_id is not None:
        sql += " AND finding_id = :finding"
        params["finding"] = finding_id
    return fetch_all(db, sql + " ORDER BY position, imported_at, id", params)


def find_duplicate(db: Database, visit_id: str, sha: str) -> dict | None:
    """A live photo of this visit with these bytes, stored as is or as a reduced copy."""
    return fetch_one(
        db,
        "SELECT * FROM evidence WHERE visit_id = :visit AND deleted = 0 "
        "AND (sha256 = :sha OR original_sha256 = :sha) ORDER BY position LIMIT 1",
        {"visit": visit_id, "sha": sha},
    )


def visit_hashes(db: Database, visit_id: str) -> set[str]:
    """Hashes (stored and original) of the visit's live photos: the "already imported" set."""
    rows = db.execute(
        "SELECT sha256, original_sha256 FROM evidence WHERE visit_id = ? AND deleted = 0", (visit_id,)
    ).fetchall()
    return {h for row in rows for h in row if h}


def next_position(db: Database, visit_id: str) -> int:
    row = db.execute("SELECT max(position) FROM evidence WHERE visit_id = ?", (visit_id,)).fetchone()
    return 0 if row[0] is None else int(row[0]) + 1


def set_position(db: Database, evidence_id: str, position: int) -> None:
    # Ordering is local presentation, so it is written without a new revision of the row.
    db.execute("UPDATE evidence SET position = ? WHERE id = ?", (position, evidence_id))


def hash_in_use(db: Database, sha: str) -> bool:
    """Whether any row (evidence of any visit, deleted or not, or a signature) needs this file."""
    row = db.execute(
        "SELECT 1 FROM evidence WHERE sha256 = :sha "
        "UNION ALL SELECT 1 FROM signatures WHERE sha256 = :sha LIMIT 1",
        {"sha": sha},
    ).fetchone()
    return row is not None


def media_references(db: Database) -> list[dict]:
    """Every row that needs a media file: (table, id, sha256, size, visit_id, name)."""
    return fetch_all(
        db,
        "SELECT 'evidence' AS table_name, id, sha256, size, visit_id, original_name AS name "
        "FROM evidence "
        "UNION ALL SELECT 'signatures', id, sha256, NULL, visit_id, signer_name FROM signatures "
        "ORDER BY table_name, visit_id, id",
    )
