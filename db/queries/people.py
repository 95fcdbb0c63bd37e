"""Inspectors, teams and team membership."""

from __future__ import annotations

from typing import TYPE_CHECKING

from db.keys import derived_key
from db.rows import RowMeta, fetch_all, fetch_one

if TYPE_CHECKING:
    from sqlite_utils import Database


def get_inspector(db: Database, inspector_id: str) -> dict | None:
    return fetch_one(db, "SELECT * FROM inspectors WHERE id = ? AND deleted = 0", (inspector_id,))


def list_inspectors(db: Database) -> list[dict]:
    return fetch_all(db, "SELECT * FROM inspectors WHERE deleted = 0 ORDER BY name")


def add_team_member(db: Database, team_id: str, inspector_id: str, role: str, *,
                    meta: RowMeta | None = None) -> None:
    """Put an inspector in a team (again, after a removal), keyed by (team, inspector).

    Without ``meta`` the row takes the team row's revision: it is written in the action that
    wrote the team.
    """
    if meta is None:
        row = db.execute("SELECT rev, device_id FROM teams WHERE id = ?", (team_id,)).fetchone()
        if row is None:
            raise ValueError(f"no team {team_id}")
        meta = RowMeta(row[0], row[1])
    db.execute(
        "INSERT INTO team_members (id, team_id, inspector_id, role, rev, device_id, dirty, deleted) "
        "VALUES (?, ?, ?, ?, ?, ?, 1, 0) ON CONFLICT(id) DO UPDATE SET role = excluded.role, "
        "rev = excluded.rev, device_id = excluded.device_id, dirty = 1, deleted = 0",
        (derived_key("team_members", team_id, inspector_id), team_id, inspector_id, role, meta.rev, meta.device_id),
    )


def team_members(db: Database, team_id: str) -> list[dict]:
    return fetch_all(
        db,
        "SELECT i.*, m.role FROM team_members m JOIN inspectors i ON i.id = m.inspector_id "
        "WHERE m.team_id = ? AND m.deleted = 0 ORDER BY m.role = 'member', i.name",
        (team_id,),
    )


def list_teams(db: Database) -> list[dict]:
    return fetch_all(db, "SELECT * FROM teams WHERE deleted = 0 ORDER BY name")
