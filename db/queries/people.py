"""Inspectors, teams and team membership."""

from __future__ import annotations

from typing import TYPE_CHECKING

from db.rows import fetch_all, fetch_one

if TYPE_CHECKING:
    from sqlite_utils import Database


def get_inspector(db: Database, inspector_id: str) -> dict | None:
    return fetch_one(db, "SELECT * FROM inspectors WHERE id = ? AND deleted = 0", (inspector_id,))


def list_inspectors(db: Database) -> list[dict]:
    return fetch_all(db, "SELECT * FROM inspectors WHERE deleted = 0 ORDER BY name")


def add_team_member(db: Database, team_id: str, inspector_id: str, role: str) -> None:
    db.execute(
        "INSERT INTO team_members (team_id, inspector_id, role) VALUES (?, ?, ?)",
        (team_id, inspector_id, role),
    )


def team_members(db: Database, team_id: str) -> list[dict]:
    return fetch_all(
        db,
        "SELECT i.*, m.role FROM team_members m JOIN inspectors i ON i.id = m.inspector_id "
        "WHERE m.team_id = ? ORDER BY m.role = 'member', i.name",
        (team_id,),
    )


def list_teams(db: Database) -> list[dict]:
    return fetch_all(db, "SELECT * FROM teams WHERE deleted = 0 ORDER BY name")
