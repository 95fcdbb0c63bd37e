"""What the office plans with: campaigns, teams and their members, the units a scope may assign
(filtered by county and type), and the random draw of a share of them for spot checks.

Campaigns and teams are the same for every office (their names are unique); a team's members
and the units offered are those inside the planner's scope.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, insert, select

from app.ids import new_id
from server.accounts import Account, list_accounts
from server.assignments import MEMBER_ROLES, join_team
from server.dashboard.figures import NOT_LOWER_LEVEL, SPOT_CHECK_SHARE
from server.dashboard.places import unit_places
from server.errors import BadInput, Conflict, NotFound
from server.store.schema import campaigns, team_members, teams, visit_results
from server.sync.sequence import stamp

MAX_NAME = 100
# The share the rule asks of a spot check, in percent (low / whole of figures.SPOT_CHECK_SHARE).
RULE_PERCENT = Decimal(100) * SPOT_CHECK_SHARE[0] / SPOT_CHECK_SHARE[1]
# The largest seed the planner shows: short enough to read out and type again.
MAX_SEED = 999_999


@dataclass(frozen=True)
class Named:
    """A campaign or a team."""

    id: str
    name: str
    created_at: float


def _check_name(name: str, what: str) -> str:
    name = name.strip()
    if not name:
        raise BadInput(f"a {what} needs a name")
    if len(name) > MAX_NAME:
        raise BadInput(f"a {what}'s name has at most {MAX_NAME} characters")
    return name


def _create(conn: Connection, table: Any, name: str, what: str) -> Named:
    name = _check_name(name, what)
    if conn.execute(select(table.c.id).where(table.c.name == name)).first() is not None:
        raise Conflict(f"there is already a {what} named {name!r}")
    made = Named(new_id(), name, time.time())
    conn.execute(insert(table).values(id=made.id, name=made.name, created_at=made.created_at,
                                      server_seq=stamp(conn)))
    return made


def _list(conn: Connection, table: Any) -> list[Named]:
    return [Named(r.id, r.name, r.created_at)
            for r in conn.execute(select(table).order_by(table.c.created_at.desc(), table.c.name)).all()]


def create_campaign(conn: Connection, name: str) -> Named:
    return _create(conn, campaigns, name, "campaign")


def list_campaigns(conn: Connection) -> list[Named]:
    """Newest first: the one being planned is usually the latest."""
    return _list(conn, campaigns)


def get_campaign(conn: Connection, campaign_id: str) -> Named:
    row = conn.execute(select(campaigns).where(campaigns.c.id == campaign_id)).first()
    if row is None:
        raise NotFound("no such campaign")
    return Named(row.id, row.name, row.created_at)


@dataclass(frozen=True)
class Team:
    id: str
    name: str
    # Members whose scope lies inside the viewer's; ``elsewhere`` counts the others.
    members: list[Account]
    elsewhere: int


def create_team(conn: Connection, name: str) -> Named:
    return _create(conn, teams, name, "team")


def list_teams(conn: Connection, scope: str) -> list[Team]:
    """Every team by name, with its members inside ``scope`` (by name) and a count of the rest."""
    visible = {a.id: a for a in list_accounts(conn, within=scope)}
    member_ids: dict[str, list[str]] = {}
    for r in conn.execute(select(team_members)).all():
        member_ids.setdefault(r.team_id, []).append(r.account_id)
    found = []
    for r in conn.execute(select(teams).order_by(teams.c.name)).all():
        ids = member_ids.get(r.id, [])
        shown = sorted((visible[i] for i in ids if i in visible), key=lambda a: (a.name or a.login, a.login))
        found.append(Team(r.id, r.name, shown, len(ids) - len(shown)))
    return found


def member_choices(conn: Connection, scope: str) -> list[Account]:
    """The accounts a planner may put in a team: inspectors and team leaders inside ``scope``."""
    return [a for a in list_accounts(conn, within=scope) if a.role in MEMBER_ROLES and not a.disabled]


def add_members(conn: Connection, scope: str, team_id: str, logins: list[str]) -> int:
    """Put the accounts (inspectors, team leaders inside ``scope``) in the team; returns how many
    joined. The team's assignments are numbered again so the new members' laptops pull them."""
    if conn.execute(select(teams.c.id).where(teams.c.id == team_id)).first() is None:
        raise NotFound("no such team")
    allowed = {a.login: a for a in member_choices(conn, scope)}
    unknown = [login for login in logins if login not in allowed]
    if unknown:
        raise NotFound(f"no inspector or team leader {', '.join(unknown)} in your scope")
    return join_team(conn, team_id, [allowed[login] for login in dict.fromkeys(logins)])


@dataclass(frozen=True)
class Plannable:
    """A unit the planner may assign, with its county."""

    id: str
    code: str
    name: str
    unit_type: str
    county_code: str | None
    county_name: str | None


def plannable_units(conn: Connection, scope: str, *, county: str | None = None,
                    unit_type: str | None = None) -> list[Plannable]:
    """The units inside ``scope``, optionally of one county (its code) and one type, by code."""
    places = unit_places(scope)
    query = select(places).order_by(places.c.code)
    if county:
        query = query.where(places.c.county_code == county)
    if unit_type:
        query = query.where(places.c.unit_type == unit_type)
    return [Plannable(r.unit_id, r.code, r.name, r.unit_type, r.county_code, r.county_name)
            for r in conn.execute(query).all()]


def checked_by_lower_level(conn: Connection, scope: str, start: date, end: date) -> set[str]:
    """The units inside ``scope`` with a finalized visit of the lower level dated from 1 January
    of ``start``'s year to ``end``: what a spot check samples from. The same definition as the
    spot-check share figure (server.dashboard.figures.spot_check_share)."""
    vr, places = visit_results, unit_places(scope)
    rows = conn.execute(select(vr.c.unit_id).join(places, places.c.unit_id == vr.c.unit_id).where(
        vr.c.position == 0, vr.c.visit_type.not_in(NOT_LOWER_LEVEL),
        vr.c.visit_date >= f"{start.year:04d}-01-01", vr.c.visit_date <= end.isoformat()).distinct()).all()
    return {r.unit_id for r in rows}


def sample_size(pool: int, percent: Decimal) -> int:
    """How many units ``percent`` of ``pool`` gives, rounded up (exact: 30% of 10 is 3, never
    the 4 that 0.3 × 10 in binary floating point would round up to)."""
    if pool < 0:
        raise BadInput("a pool holds no fewer than 0 units")
    if not Decimal(0) < percent <= Decimal(100):
        raise BadInput("the share is a percentage above 0 and at most 100")
    exact = Decimal(pool) * percent / Decimal(100)
    return int(exact.to_integral_value(rounding="ROUND_CEILING"))


def draw_sample(codes: list[str], percent: Decimal, seed: int) -> list[str]:
    """``sample_size`` of the units named by ``codes``, drawn at random from ``seed``: the same
    codes, share and seed draw the same units (in whatever order the codes came). By code."""
    pool = sorted(set(codes))
    return sorted(random.Random(seed).sample(pool, sample_size(len(pool), percent)))


def new_seed() -> int:
    return random.SystemRandom().randint(1, MAX_SEED)
