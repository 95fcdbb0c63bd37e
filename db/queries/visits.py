"""Visits, their pinned rubrics, members and the division of sections."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from db.rows import fetch_all, fetch_one

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


def add_rubric(db: Database, visit_id: str, rubric_hash: str, position: int) -> None:
    db.execute(
        "INSERT INTO visit_rubrics (visit_id, rubric_hash, position) VALUES (?, ?, ?)",
        (visit_id, rubric_hash, position),
    )


def rubric_hashes(db: Database, visit_id: str) -> list[str]:
    rows = db.execute(
        "SELECT rubric_hash FROM visit_rubrics WHERE visit_id = ? ORDER BY position", (visit_id,)
    ).fetchall()
    return [r[0] for r in rows]


def add_member(db: Database, visit_id: str, inspector_id: str, role: str) -> None:
    db.execute(
        "INSERT INTO visit_members (visit_id, inspector_id, role) VALUES (?, ?, ?)",
        (visit_id, inspector_id, role),
    )


def members(db: Database, visit_id: str) -> list[dict]:
    return fetch_all(
        db,
        "SELECT i.id, i.name, m.role FROM visit_members m JOIN inspectors i ON i.id = m.inspector_id "
        "WHERE m.visit_id = ? ORDER BY m.role = 'member', i.name",
        (visit_id,),
    )


def assign_section(db: Database, visit_id: str, rubric_hash: str, section: str, inspector_id: str) -> None:
    db.execute(
        "INSERT INTO visit_sections (visit_id, rubric_hash, section_code, inspector_id) "
        "VALUES (?, ?, ?, ?) ON CONFLICT(visit_id, rubric_hash, section_code) "
        "DO UPDATE SET inspector_id = excluded.inspector_id",
        (visit_id, rubric_hash, section, inspector_id),
    )


def sections(db: Database, visit_id: str) -> list[dict]:
    return fetch_all(
        db,
        "SELECT rubric_hash, section_code, inspector_id FROM visit_sections WHERE visit_id = ? "
        "ORDER BY rubric_hash, section_code",
        (visit_id,),
    )


def status_counts(db: Database) -> dict[str, int]:
    rows = db.execute(
        "SELECT status, count(*) FROM visits WHERE deleted = 0 GROUP BY status"
    ).fetchall()
    return {status: n for status, n in rows}
