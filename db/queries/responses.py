"""Responses: one row per (visit, rubric, item)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from db.keys import derived_key
from db.rows import RowMeta, fetch_all, fetch_one

if TYPE_CHECKING:
    from sqlite_utils import Database


def get_response(db: Database, visit_id: str, rubric_hash: str, item_code: str) -> dict | None:
    return fetch_one(
        db,
        "SELECT * FROM responses WHERE visit_id = ? AND rubric_hash = ? AND item_code = ?",
        (visit_id, rubric_hash, item_code),
    )


def upsert_response(db: Database, row: dict, meta: RowMeta) -> None:
    """Write the answer of one item. Its id is the item's derived key, whatever ``row`` says, so
    two laptops answering the same item write the same row."""
    key = derived_key("responses", row["visit_id"], row["rubric_hash"], row["item_code"])
    values = {**row, "id": key, "rev": meta.rev, "device_id": meta.device_id}
    db.execute(
        "INSERT INTO responses (id, visit_id, rubric_hash, item_code, value, na, evidence_methods, "
        "note, reason, answered_by, answered_at, rev, device_id, dirty, deleted) VALUES "
        "(:id, :visit_id, :rubric_hash, :item_code, :value, :na, :evidence_methods, :note, "
        ":reason, :answered_by, :answered_at, :rev, :device_id, 1, :deleted) "
        "ON CONFLICT(visit_id, rubric_hash, item_code) DO UPDATE SET value = excluded.value, "
        "na = excluded.na, evidence_methods = excluded.evidence_methods, note = excluded.note, "
        "reason = excluded.reason, answered_by = excluded.answered_by, "
        "answered_at = excluded.answered_at, rev = excluded.rev, device_id = excluded.device_id, "
        "dirty = 1, deleted = excluded.deleted",
        values,
    )


def list_responses(db: Database, visit_id: str) -> list[dict]:
    return fetch_all(
        db,
        "SELECT * FROM responses WHERE visit_id = ? AND deleted = 0 ORDER BY rubric_hash, item_code",
        (visit_id,),
    )


def photo_counts(db: Database, visit_id: str, rubric_hash: str) -> dict[str, int]:
    """Photos attached to each item of one rubric of a visit (soft-deleted ones excluded)."""
    rows = db.execute(
        "SELECT l.item_code, count(*) FROM evidence e JOIN evidence_links l ON l.evidence_id = e.id "
        "WHERE e.visit_id = ? AND l.rubric_hash = ? AND l.item_code IS NOT NULL AND e.deleted = 0 "
        "AND l.deleted = 0 GROUP BY l.item_code",
        (visit_id, rubric_hash),
    ).fetchall()
    return {code: n for code, n in rows}
