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

from sqlalchemy import Connection, delete, func, insert, select, update

from app.ids import new_id
from db.codes import VISIT_TYPES
from server.accounts import Account, get_account
from server.areas import units_by_code
from server.errors import BadInput, Conflict, NotFound
from server.rubrics import resolve
from server.store.schema import (
    admin_areas,
    assignment_removals,
    assignments,
    campaigns,
    sync_rows,
    team_members,
    teams,
    units,
)
from server.sync.sequence import stamp

# The roles a team holds.
MEMBER_ROLES = ("inspector", "team_leader")


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


def join_team(conn: Connection, team_id: str, members: list[Account]) -> int:
    """Put ``members`` in the team; returns how many were not in it already."""
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
    return len(joined)


def assign(conn: Connection, spec: NewAssignments, *, scope: str = "/") -> list[Assignment]:
    """One assignment per unit; all or none (the caller's transaction). With ``scope``, a unit
    outside it is refused as unknown (NotFound) and nothing is stored."""
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
    inside = units_within(conn, scope, [u.id for u in found.values()])
    outside = [c for c in spec.unit_codes if found[c].id not in inside]
    if outside:
        # As if they did not exist: a scope never learns what lies outside it.
        raise NotFound(f"no unit with code {', '.join(outside)}")
    hashes = [resolve(conn, r).hash for r in spec.rubrics]
    members = [get_account(conn, login) for login in spec.members or []]
    for m in members:
        if m.role not in MEMBER_ROLES:
            raise BadInput(f"{m.login} is {m.role}; a team holds inspectors and team leaders")
    campaign_id = _named(conn, campaigns, spec.campaign)
    team_id = _named(conn, teams, spec.team)
    join_team(conn, team_id, members)
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


def units_within(conn: Connection, scope: str, unit_ids: list[str]) -> set[str]:
    """Those of ``unit_ids`` whose area lies inside ``scope``."""
    if not unit_ids:
        return set()
    return {r.id for r in conn.execute(select(units.c.id).join(admin_areas, admin_areas.c.id == units.c.area_id)
                                       .where(units.c.id.in_(unit_ids), admin_areas.c.path.like(scope + "%")))}


# --- the planner: one campaign's assignments, changed and removed ---------------------------


# Units per query when looking up begun visits (well under SQLite's limit on parameters).
_CHUNK = 5000


@dataclass(frozen=True)
class Planned:
    """An assignment as the planner lists it, with whether its visit has begun."""

    id: str
    campaign_id: str
    team_id: str
    team: str
    unit_id: str
    unit_code: str
    unit_name: str
    unit_type: str
    visit_type: str
    window_start: str
    window_end: str
    rubric_hashes: list[str]
    # The date and status of the visit begun from it, as the server holds it (None: not begun).
    visit_date: str | None
    visit_status: str | None

    @property
    def started(self) -> bool:
        return self.visit_status is not None


def _started(conn: Connection, rows: list[Any]) -> dict[str, tuple[str, str]]:
    """The visits begun from these assignments (rows with id and unit_id) that the server holds
    (pushed, not deleted): assignment id -> (visit date, status). The visits are found by their
    units' index and matched in Python: no JSON is read in SQL for the units' other rows."""
    wanted = {r.id for r in rows}
    if not wanted:
        return {}
    found: dict[str, tuple[str, str]] = {}
    unit_ids = sorted({r.unit_id for r in rows})
    held: list[Any] = []
    for start in range(0, len(unit_ids), _CHUNK):
        held += conn.execute(select(sync_rows.c.row_values).where(
            sync_rows.c.unit_id.in_(unit_ids[start:start + _CHUNK]), sync_rows.c.table_name == "visits",
            sync_rows.c.deleted.is_(False))).all()
    for (values,) in held:
        visit = json.loads(values)
        if visit.get("assignment_id") not in wanted:
            continue
        earlier = found.get(visit["assignment_id"])
        if earlier is None or visit.get("starts_on", "") < earlier[0]:
            found[visit["assignment_id"]] = (str(visit.get("starts_on", "")), str(visit.get("status", "")))
    return found


def _planned_query(scope: str) -> Any:
    return (select(assignments, teams.c.name.label("team"), units.c.code.label("unit_code"),
                   units.c.name.label("unit_name"), units.c.unit_type)
            .join(teams, teams.c.id == assignments.c.team_id)
            .join(units, units.c.id == assignments.c.unit_id)
            .join(admin_areas, admin_areas.c.id == units.c.area_id)
            .where(admin_areas.c.path.like(scope + "%")))


def _planned(rows: list[Any], started: dict[str, tuple[str, str]]) -> list[Planned]:
    return [Planned(r.id, r.campaign_id, r.team_id, r.team, r.unit_id, r.unit_code, r.unit_name, r.unit_type,
                    r.visit_type, r.window_start, r.window_end, json.loads(r.rubric_hashes),
                    *started.get(r.id, (None, None))) for r in rows]


def campaign_plan(conn: Connection, scope: str, campaign_id: str) -> list[Planned]:
    """The campaign's assignments of units inside ``scope``, by window, then unit code."""
    rows = conn.execute(_planned_query(scope).where(assignments.c.campaign_id == campaign_id)
                        .order_by(assignments.c.window_start, units.c.code, teams.c.name)).all()
    return _planned(list(rows), _started(conn, list(rows)))


def plan_size(conn: Connection, scope: str, campaign_id: str) -> int:
    """How many assignments of units inside ``scope`` the campaign holds."""
    query = (select(func.count()).select_from(assignments).join(units, units.c.id == assignments.c.unit_id)
             .join(admin_areas, admin_areas.c.id == units.c.area_id)
             .where(assignments.c.campaign_id == campaign_id, admin_areas.c.path.like(scope + "%")))
    return int(conn.execute(query).scalar_one())


def planned(conn: Connection, scope: str, assignment_id: str) -> Planned:
    """One assignment of a unit inside ``scope``; any other is 'not found'."""
    rows = conn.execute(_planned_query(scope).where(assignments.c.id == assignment_id)).all()
    if not rows:
        raise NotFound("no such assignment")
    return _planned(list(rows), _started(conn, list(rows)))[0]


@dataclass(frozen=True)
class Change:
    team_id: str
    visit_type: str
    window_start: date
    window_end: date
    rubric_hashes: list[str]


def _check_change(conn: Connection, before: Planned, change: Change) -> None:
    if change.window_start > change.window_end:
        raise BadInput(f"the window starts ({change.window_start}) after it ends ({change.window_end})")
    if change.visit_type not in VISIT_TYPES:
        raise BadInput(f"unknown visit type {change.visit_type!r}; one of {', '.join(VISIT_TYPES)}")
    if not change.rubric_hashes:
        raise BadInput("an assignment needs at least one rubric")
    for ref in change.rubric_hashes:
        if resolve(conn, ref).hash != ref:
            raise BadInput(f"{ref!r} is not the full hash of a published rubric template")
    if conn.execute(select(teams.c.id).where(teams.c.id == change.team_id)).first() is None:
        raise BadInput("no such team")
    if before.started and (change.team_id != before.team_id or change.visit_type != before.visit_type
                           or change.rubric_hashes != before.rubric_hashes):
        # The visit pins its team's members and its rubrics already: only its window may move.
        raise Conflict(f"the visit to {before.unit_code} began on {before.visit_date}: its team, visit type "
                       "and rubrics are those of the visit now; only the date window can change")


def change_assignment(conn: Connection, scope: str, assignment_id: str, change: Change, *,
                      account_id: str) -> Planned:
    """Change an assignment's window, visit type, rubrics or team (all or nothing).

    A new team is a removal and a new assignment: the old team's laptops receive the removal
    (they would never see the row again otherwise, as a pull brings a team its own rows only).
    Once its visit has begun only the window can change (Conflict otherwise)."""
    before = planned(conn, scope, assignment_id)
    _check_change(conn, before, change)
    values = {"visit_type": change.visit_type, "window_start": change.window_start.isoformat(),
              "window_end": change.window_end.isoformat(), "rubric_hashes": json.dumps(change.rubric_hashes)}
    if change.team_id == before.team_id:
        conn.execute(update(assignments).where(assignments.c.id == assignment_id)
                     .values(**values, server_seq=stamp(conn)))
        return planned(conn, scope, assignment_id)
    clash = conn.execute(select(assignments.c.id).where(
        assignments.c.campaign_id == before.campaign_id, assignments.c.unit_id == before.unit_id,
        assignments.c.team_id == change.team_id)).first()
    if clash is not None:
        raise Conflict(f"{before.unit_code} is already assigned to that team in this campaign")
    _remove(conn, assignment_id, account_id)
    new = new_id()
    conn.execute(insert(assignments).values(id=new, campaign_id=before.campaign_id, unit_id=before.unit_id,
                                            team_id=change.team_id, created_at=time.time(),
                                            server_seq=stamp(conn), **values))
    return planned(conn, scope, new)


def _remove(conn: Connection, assignment_id: str, account_id: str) -> None:
    row = conn.execute(select(assignments).where(assignments.c.id == assignment_id)).one()
    kept = {c: getattr(row, c) for c in ("id", "campaign_id", "unit_id", "team_id", "visit_type", "window_start",
                                         "window_end", "rubric_hashes", "created_at")}
    conn.execute(delete(assignments).where(assignments.c.id == assignment_id))
    conn.execute(delete(assignment_removals).where(assignment_removals.c.id == assignment_id))
    conn.execute(insert(assignment_removals).values(**kept, removed_at=time.time(), removed_by=account_id,
                                                    server_seq=stamp(conn)))


def remove_assignment(conn: Connection, scope: str, assignment_id: str, *, account_id: str) -> Planned:
    """Remove an assignment whose visit has not begun; its laptops receive the removal.

    One whose visit has begun (as far as the server knows) is refused (Conflict) and kept: the
    campaign's coverage counts visits through their assignments, and the laptops hold a visit
    that names it. A visit begun offline and not yet pushed keeps its record on the laptop all
    the same (the laptop's assignment is marked deleted, never erased)."""
    before = planned(conn, scope, assignment_id)
    if before.started:
        raise Conflict(f"the visit to {before.unit_code} began on {before.visit_date} ({before.visit_status}): "
                       "the assignment stays; change its window instead")
    _remove(conn, assignment_id, account_id)
    return before
