"""Visits, their pinned rubrics, members and the division of sections."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from db.keys import derived_key
from db.rows import RowMeta, fetch_all, fetch_one

if TYPE_CHECKING:
    from sqlite_utils import Database


@dataclass(frozen=True)
class VisitFilter:
    status: str | None = None
    campaign_id: str | None = None
    unit_id: str | None = None
    visit_type: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    text: str | None = None


def _where(f: VisitFilter) -> tuple[str, dict]:
    clauses = ["v.deleted = 0"]
    params: dict = {}
    if f.status:
        clauses.append("v.status = :status")
        params["status"] = f.status
    if f.campaign_id:
        clauses.append("v.assignment_id IN (SELECT id FROM assignments WHERE campaign_id = :campaign)")
        params["campaign"] = f.campaign_id
    if f.unit_id:
        clauses.append("v.unit_id = :unit")
        params["unit"] = f.unit_id
    if f.visit_type:
        clauses.append("v.visit_type = :vtype")
        params["vtype"] = f.visit_type
    if f.date_from:
        clauses.append("v.starts_on >= :dfrom")
        params["dfrom"] = f.date_from
    if f.date_to:
        clauses.append("v.starts_on <= :dto")
        params["dto"] = f.date_to
    if f.text:
        clauses.append("(u.name LIKE :text OR u.code LIKE :text)")
        params["text"] = f"%{f.text}%"
    return " AND ".join(clauses), params


def list_visits(db: Database, f: VisitFilter, *, limit: int = 50, offset: int = 0) -> list[dict]:
    """One page of visits, newest first, with the unit's name."""
    where, params = _where(f)
    return fetch_all(
        db,
        f"SELECT v.*, u.name AS unit_name, u.code AS unit_code FROM visits v "
        f"JOIN units u ON u.id = v.unit_id WHERE {where} "
        f"ORDER BY v.starts_on DESC, v.id LIMIT :limit OFFSET :offset",
        {**params, "limit": limit, "offset": offset},
    )


def count_visits(db: Database, f: VisitFilter) -> int:
    where, params = _where(f)
    sql = f"SELECT count(*) FROM visits v JOIN units u ON u.id = v.unit_id WHERE {where}"
    return db.execute(sql, params).fetchone()[0]


def get_visit(db: Database, visit_id: str) -> dict | None:
    return fetch_one(
        db,
        "SELECT v.*, u.name AS unit_name, u.code AS unit_code FROM visits v "
        "JOIN units u ON u.id = v.unit_id WHERE v.id = ? AND v.deleted = 0",
        (visit_id,),
    )


def _stamp(db: Database, visit_id: str, meta: RowMeta | None) -> RowMeta:
    """The revision a link row of the visit is written with: the action's, or else the visit's.

    Creating a visit writes its rubrics, members and 分工 in the same action as the visit row,
    so without a stamp of its own a link row takes the visit's (the same action's) revision.
    """
    if meta is not None:
        return meta
    row = db.execute("SELECT rev, device_id FROM visits WHERE id = ?", (visit_id,)).fetchone()
    if row is None:
        raise ValueError(f"no visit {visit_id} to link to")
    return RowMeta(row[0], row[1])


def _link(db: Database, table: str, key_columns: tuple[str, ...], values: dict, meta: RowMeta) -> None:
    # Upsert by the derived key: writing a link again (or after its tombstone) revives it.
    key = derived_key(table, *(values[c] for c in key_columns))
    columns = ", ".join(values)
    marks = ", ".join(f":{c}" for c in values)
    sets = ", ".join(f"{c} = excluded.{c}" for c in values if c not in key_columns)
    db.execute(
        f"INSERT INTO {table} (id, {columns}, rev, device_id, dirty, deleted) "
        f"VALUES (:_id, {marks}, :_rev, :_device, 1, 0) "
        f"ON CONFLICT(id) DO UPDATE SET {sets}, rev = excluded.rev, device_id = excluded.device_id, "
        f"dirty = 1, deleted = 0",
        {**values, "_id": key, "_rev": meta.rev, "_device": meta.device_id},
    )


def add_rubric(db: Database, visit_id: str, rubric_hash: str, position: int, *, meta: RowMeta | None = None) -> None:
    _link(db, "visit_rubrics", ("visit_id", "rubric_hash"),
          {"visit_id": visit_id, "rubric_hash": rubric_hash, "position": position}, _stamp(db, visit_id, meta))


def rubric_hashes(db: Database, visit_id: str) -> list[str]:
    rows = db.execute(
        "SELECT rubric_hash FROM visit_rubrics WHERE visit_id = ? AND deleted = 0 ORDER BY position", (visit_id,)
    ).fetchall()
    return [r[0] for r in rows]


def add_member(db: Database, visit_id: str, inspector_id: str, role: str, *, meta: RowMeta | None = None) -> None:
    _link(db, "visit_members", ("visit_id", "inspector_id"),
          {"visit_id": visit_id, "inspector_id": inspector_id, "role": role}, _stamp(db, visit_id, meta))


def members(db: Database, visit_id: str) -> list[dict]:
    return fetch_all(
        db,
        "SELECT i.id, i.name, m.role FROM visit_members m JOIN inspectors i ON i.id = m.inspector_id "
        "WHERE m.visit_id = ? AND m.deleted = 0 ORDER BY m.role = 'member', i.name",
        (visit_id,),
    )


def assign_section(db: Database, visit_id: str, rubric_hash: str, section: str, inspector_id: str, *,
                   meta: RowMeta | None = None) -> None:
    _link(db, "visit_sections", ("visit_id", "rubric_hash", "section_code"),
          {"visit_id": visit_id, "rubric_hash": rubric_hash, "section_code": section, "inspector_id": inspector_id},
          _stamp(db, visit_id, meta))


def sections(db: Database, visit_id: str) -> list[dict]:
    return fetch_all(
        db,
        "SELECT rubric_hash, section_code, inspector_id FROM visit_sections WHERE visit_id = ? AND deleted = 0 "
        "ORDER BY rubric_hash, section_code",
        (visit_id,),
    )


def status_counts(db: Database) -> dict[str, int]:
    rows = db.execute(
        "SELECT status, count(*) FROM visits WHERE deleted = 0 GROUP BY status"
    ).fetchall()
    return {status: n for status, n in rows}
