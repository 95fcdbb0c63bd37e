"""Findings, their status history, and good practices."""

from __future__ import annotations

from typing import TYPE_CHECKING

from db.rows import fetch_all, fetch_one

if TYPE_CHECKING:
    from sqlite_utils import Database


def get_finding(db: Database, finding_id: str) -> dict | None:
    return fetch_one(db, "SELECT * FROM findings WHERE id = ? AND deleted = 0", (finding_id,))


def list_findings(db: Database, visit_id: str) -> list[dict]:
    return fetch_all(
        db,
        "SELECT * FROM findings WHERE visit_id = ? AND deleted = 0 ORDER BY created_at, id",
        (visit_id,),
    )


def open_findings_of_unit(db: Database, unit_id: str) -> list[dict]:
    return fetch_all(
        db,
        "SELECT * FROM findings WHERE unit_id = ? AND deleted = 0 "
        "AND status IN ('open', 'reported_fixed', 'reopened') ORDER BY deadline, created_at",
        (unit_id,),
    )


def events(db: Database, finding_id: str) -> list[dict]:
    return fetch_all(
        db,
        "SELECT * FROM finding_events WHERE finding_id = ? AND deleted = 0 ORDER BY at, rev",
        (finding_id,),
    )


def list_practices(db: Database, visit_id: str) -> list[dict]:
    return fetch_all(
        db,
        "SELECT * FROM good_practices WHERE visit_id = ? AND deleted = 0 ORDER BY created_at, id",
        (visit_id,),
    )
