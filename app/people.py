"""Inspectors and teams, for choosing who goes on a visit."""

from __future__ import annotations

from dataclasses import dataclass

from app.ids import InspectorId, TeamId
from app.models import Member
from app.profile import Profile
from db.queries import people


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
