"""Assignments: which team visits which units, in which date window, with which rubrics.

Inspectors and team leaders see the assignments of their teams; office staff and admins see
every assignment; all of them only inside their scope.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, insert, select, update

from app.ids import new_id
from db.codes import VISIT_TYPES
from server.accounts import Account, get_account
from server.areas import units_by_code
from server.errors import BadInput, Conflict
from server.rubrics import resolve
from server.store.schema import admin_areas, assignments, campaigns, team_members, teams, units
from server.sync.sequence import stamp


@dataclass(frozen=True)
class NewAssignments:
    campaign: str
    team: str
    unit_codes: list[str]
    window_start: date
    window_end: date
    rubrics: list[str]
    visit_type: str = "routine"
    members: list[str] | None = None


@dataclass(frozen=True)
class Assignment:
    id: str
    campaign: str
    team: str
    unit_id: str
    unit_code: str
    visit_type: str
    window_start: str
    window_end: str
    rubric_hashes: list[str]


def _named(conn: Connection, table: Any, name: str) -> str:
    """The id of the campaign or team with this name, made on first use."""
    row = conn.execute(select(table.c.id).where(table.c.name == name)).first()
    if row is not None:
        return str(row.id)
    new = new_id()
    conn.execute(insert(table).values(id=new, name=name, created_at=time.time(), server_seq=stamp(conn)))
    return new


def assign(conn: Connection, spec: NewAssignments) -> list[Assignment]:
    """One assignment per unit; all or none (the caller's transaction)."""
    if not spec.campaign.strip() or not spec.team.strip():
        raise BadInput("an assignment needs a campaign and a team")
    if spec.window_start > spec.window_end:
        raise BadInput(f"the window starts ({spec.window_start}) after it ends ({spec.window_end})")
    if spec.visit_type not in VISIT_TYPES:
        raise BadInput(f"unknown visit type {spec.visit_type!r}; one of {', '.join(VISIT_TYPES)}")
    if not spec.unit_codes or not spec.rubrics:
        raise BadInput("an assignment needs at least one unit and one rubric")
    found = units_by_code(conn, spec.unit_codes)
    missing = [c for c in spec.unit_codes if c not in found]
    if missing:
        raise BadInput(f"no unit with code {', '.join(missing)}")
    hashes = [resolve(conn, r).hash for r in spec.rubrics]
    members = [get_account(conn, login) for login in spec.members or []]
    for m in members:
        if m.role not in ("inspector", "team_leader"):
            raise BadInput(f"{m.login} is {m.role}; a team holds inspectors and team leaders")
    campaign_id = _named(conn, campaigns, spec.campaign)
    team_id = _named(conn, teams, spec.team)
    have = {r.account_id for r in conn.execute(select(team_members.c.account_id)
                                                .where(team_members.c.team_id == team_id))}
    joined = [m for m in members if m.id not in have]
    for m in joined:
        conn.execute(insert(team_members).values(team_id=team_id, account_id=m.id))
    if joined:
        # Numbered again, so a pull brings the team's assignments to its new members too.
        for (earlier,) in conn.execute(select(assignments.c.id).where(assignments.c.team_id == team_id)
                                       .order_by(assignments.c.created_at, assignments.c.id)).all():
            conn.execute(update(assignments).where(assignments.c.id == earlier).values(server_seq=stamp(conn)))
    done = {r.unit_id for r in conn.execute(select(assignments.c.unit_id).where(
        (assignments.c.campaign_id == campaign_id) & (assignments.c.team_id == team_id)))}
    twice = [c for c in spec.unit_codes if found[c].id in done]
    if twice:
        raise Conflict(f"already assigned to {spec.team} in {spec.campaign}: {', '.join(twice)}")
    made = []
    for code in dict.fromkeys(spec.unit_codes):
        made.append(Assignment(new_id(), spec.campaign, spec.team, found[code].id, code, spec.visit_type,
                               spec.window_start.isoformat(), spec.window_end.isoformat(), hashes))
    conn.execute(insert(assignments), [
        {"id": a.id, "campaign_id": campaign_id, "unit_id": a.unit_id, "team_id": team_id,
         "visit_type": a.visit_type, "window_start": a.window_start, "window_end": a.window_end,
         "rubric_hashes": json.dumps(hashes), "created_at": time.time(), "server_seq": stamp(conn)}
        for a in made])
    return made


def list_assignments(conn: Connection, account: Account) -> list[Assignment]:
    query = (select(assignments, campaigns.c.name.label("campaign"), teams.c.name.label("team"),
                    units.c.code.label("unit_code"))
             .join(campaigns, campaigns.c.id == assignments.c.campaign_id)
             .join(teams, teams.c.id == assignments.c.team_id)
             .join(units, units.c.id == assignments.c.unit_id)
             .join(admin_areas, admin_areas.c.id == units.c.area_id)
             .where(admin_areas.c.path.like(account.scope + "%"))
             .order_by(assignments.c.window_start, units.c.code))
    if not account.is_office:
        query = query.where(assignments.c.team_id.in_(
            select(team_members.c.team_id).where(team_members.c.account_id == account.id)))
    return [Assignment(r.id, r.campaign, r.team, r.unit_id, r.unit_code, r.visit_type, r.window_start,
                       r.window_end, json.loads(r.rubric_hashes)) for r in conn.execute(query).all()]
