"""Inspectors and teams, for choosing who goes on a visit."""

from __future__ import annotations

from dataclasses import dataclass

from app.errors import NotFound
from app.ids import InspectorId, TeamId
from app.models import Member
from app.profile import INSPECTOR_KEY, Profile
from db.queries import meta, people


@dataclass(frozen=True)
class Inspector:
    id: InspectorId
    name: str
    title: str


@dataclass(frozen=True)
class Team:
    id: TeamId
    name: str
    members: tuple[Member, ...]


def list_inspectors(profile: Profile) -> list[Inspector]:
    return [Inspector(InspectorId(r["id"]), r["name"], r["title"]) for r in people.list_inspectors(profile.db)]


def list_teams(profile: Profile) -> list[Team]:
    return [
        Team(TeamId(t["id"]), t["name"], tuple(
            Member(InspectorId(m["id"]), m["name"], m["role"]) for m in people.team_members(profile.db, t["id"])))
        for t in people.list_teams(profile.db)
    ]


def set_profile_inspector(profile: Profile, inspector_id: str) -> None:
    """Make ``inspector_id`` the person this profile's changes are recorded as made by."""
    row = profile.db.execute("SELECT name FROM inspectors WHERE id = ? AND deleted = 0", [inspector_id]).fetchone()
    if row is None:
        raise NotFound(f"no inspector with id {inspector_id}")
    with profile.transaction() as tx:
        meta.put(tx.db, INSPECTOR_KEY, inspector_id)
        meta.put(tx.db, "setting.inspector_name", row[0])
    profile.inspector_id = inspector_id
