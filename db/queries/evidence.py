"""Evidence rows (photos) and the media hashes every table refers to."""

from __future__ import annotations

from typing import TYPE_CHECKING

from db.keys import derived_key
from db.rows import RowMeta, fetch_all, fetch_one

if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from sqlite_utils import Database

# A photo as the services see it: the evidence row with its caption, annotations, links and order,
# each kept in a row of its own (migration 0005). A part not there yet (a photo pulled before its
# caption row) reads as the default.
PHOTO = (
    "SELECT e.*, coalesce(c.caption, '') AS caption, a.annotations, l.rubric_hash, l.item_code, "
    "l.finding_id, coalesce(p.position, 0) AS position FROM evidence e "
    "LEFT JOIN evidence_captions c ON c.evidence_id = e.id AND c.deleted = 0 "
    "LEFT JOIN evidence_annotations a ON a.evidence_id = e.id AND a.deleted = 0 "
    "LEFT JOIN evidence_links l ON l.evidence_id = e.id AND l.deleted = 0 "
    "LEFT JOIN evidence_positions p ON p.evidence_id = e.id AND p.deleted = 0"
)

# Which columns of a photo live in which part table.
PART_COLUMNS: dict[str, tuple[str, ...]] = {
    "evidence_captions": ("caption",),
    "evidence_annotations": ("annotations",),
    "evidence_links": ("rubric_hash", "item_code", "finding_id"),
    "evidence_positions": ("position",),
}


def get_evidence(db: Database, evidence_id: str) -> dict | None:
    """One photo, soft-deleted or not (undo needs the deleted ones)."""
    return fetch_one(db, f"{PHOTO} WHERE e.id = ?", (evidence_id,))


def write_part(db: Database, table: str, evidence_id: str, visit_id: str, values: Mapping[str, Any],
               meta: RowMeta) -> None:
    """Write one part of a photo (its caption, annotations, links or position) as a new revision
    of that part's row alone, so an edit of another part elsewhere never meets it."""
    columns = PART_COLUMNS[table]
    if set(values) != set(columns):
        raise ValueError(f"{table} holds {', '.join(columns)}")
    names = ", ".join(columns)
    marks = ", ".join(f":{c}" for c in columns)
    sets = ", ".join(f"{c} = excluded.{c}" for c in columns)
    db.execute(
        f"INSERT INTO {table} (id, evidence_id, visit_id, {names}, rev, device_id, dirty, deleted) "
        f"VALUES (:id, :evidence_id, :visit_id, {marks}, :rev, :device_id, 1, 0) "
        f"ON CONFLICT(id) DO UPDATE SET {sets}, rev = excluded.rev, device_id = excluded.device_id, "
        f"dirty = 1, deleted = 0",
        {**values, "id": derived_key(table, evidence_id), "evidence_id": evidence_id, "visit_id": visit_id,
         "rev": meta.rev, "device_id": meta.device_id},
    )


def list_evidence(
    db: Database, visit_id: str, *, item_code: str | None = None, rubric_hash: str | None = None,
    finding_id: str | None = None, deleted: bool = False,
) -> list[dict]:
    """Photos of a visit in display order; narrowed to an item and/or a finding when given.

    ``deleted=True`` lists the soft-deleted ones instead (the "recently deleted" view).
    """
    sql = f"{PHOTO} WHERE e.visit_id = :visit AND e.deleted = :deleted"
    params: dict = {"visit": visit_id, "deleted": int(deleted)}
    if item_code is not None:
        sql += " AND l.item_code = :item"
        params["item"] = item_code
    if rubric_hash is not None:
        sql += " AND l.rubric_hash = :rubric"
        params["rubric"] = rubric_hash
    if finding_id is not None:
        sql += " AND l.finding_id = :finding"
        params["finding"] = finding_id
    return fetch_all(db, sql + " ORDER BY position, e.imported_at, e.id", params)


def find_duplicate(db: Database, visit_id: str, sha: str) -> dict | None:
    """A live photo of this visit with these bytes, stored as is or as a reduced copy."""
    return fetch_one(
        db,
        f"{PHOTO} WHERE e.visit_id = :visit AND e.deleted = 0 "
        "AND (e.sha256 = :sha OR e.original_sha256 = :sha) ORDER BY position LIMIT 1",
        {"visit": visit_id, "sha": sha},
    )


def visit_hashes(db: Database, visit_id: str) -> set[str]:
    """Hashes (stored and original) of the visit's live photos: the "already imported" set."""
    rows = db.execute(
        "SELECT sha256, original_sha256 FROM evidence WHERE visit_id = ? AND deleted = 0", (visit_id,)
    ).fetchall()
    return {h for row in rows for h in row if h}


def next_position(db: Database, visit_id: str) -> int:
    row = db.execute("SELECT max(position) FROM evidence_positions WHERE visit_id = ?", (visit_id,)).fetchone()
    return 0 if row[0] is None else int(row[0]) + 1


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
