"""What the dashboard's pages let a person choose from, and a unit's own record: the campaigns,
counties, unit types and rubrics within an account's scope. Not figures (those are in
server.dashboard.figures), but scoped the same way: nothing here names a unit, a campaign or an
area the scope does not reach.

A campaign is in a scope when it assigns at least one unit inside it; a county is offered when
it lies inside the scope or holds it (so a township's account is offered its own county, whose
units it sees only within its township). Rubrics are not scoped: the rubric library is every
office's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select

from server.dashboard.places import unit_places
from server.errors import NotFound
from server.store.schema import (
    admin_areas,
    assignments,
    campaigns,
    rubric_templates,
    units,
    visit_results,
)


@dataclass(frozen=True)
class CampaignSummary:
    campaign_id: str
    name: str
    # Units it assigns within the scope; its first window's start and last window's end there.
    units: int
    starts: str
    ends: str
    visit_types: tuple[str, ...]


def _in_scope(query: Any, scope: str) -> Any:
    """``query`` on assignments kept to units inside the scope (one join to the unit's area: only
    its path is needed); the whole tree needs no join."""
    if scope == "/":
        return query
    unit_area = admin_areas.alias("unit_area")
    return (query.join(units, units.c.id == assignments.c.unit_id)
            .join(unit_area, unit_area.c.id == units.c.area_id).where(unit_area.c.path.like(scope + "%")))


def _campaign_rows(conn: Connection, scope: str, campaign_id: str | None) -> list[CampaignSummary]:
    a = assignments
    query = _in_scope(select(a.c.campaign_id, a.c.visit_type, func.count(func.distinct(a.c.unit_id)).label("units"),
                             func.min(a.c.window_start).label("starts"), func.max(a.c.window_end).label("ends"))
                      .group_by(a.c.campaign_id, a.c.visit_type), scope)
    if campaign_id is not None:
        query = query.where(a.c.campaign_id == campaign_id)
    per_type = conn.execute(query).all()
    ids = sorted({r.campaign_id for r in per_type})
    if not ids:
        return []
    names = dict(conn.execute(select(campaigns.c.id, campaigns.c.name).where(campaigns.c.id.in_(ids))).tuples().all())
    kinds: dict[str, list[Any]] = {}
    for r in per_type:
        kinds.setdefault(r.campaign_id, []).append(r)
    # A unit assigned under two visit types counts once: those campaigns count again.
    mixed = sorted(cid for cid, rows in kinds.items() if len(rows) > 1)
    counts = dict(conn.execute(_in_scope(select(a.c.campaign_id, func.count(func.distinct(a.c.unit_id)))
                                         .where(a.c.campaign_id.in_(mixed)).group_by(a.c.campaign_id), scope))
                  .tuples().all()) if mixed else {}
    found = [CampaignSummary(cid, names.get(cid, cid), int(counts.get(cid, rows[0].units)),
                             min(r.starts for r in rows), max(r.ends for r in rows),
                             tuple(sorted(r.visit_type for r in rows))) for cid, rows in kinds.items()]
    # The latest-ending first, then by name.
    found.sort(key=lambda c: c.name)
    found.sort(key=lambda c: c.ends, reverse=True)
    return found


def campaigns_in_scope(conn: Connection, scope: str) -> list[CampaignSummary]:
    """Every campaign that assigns a unit inside the scope, the latest-ending first."""
    return _campaign_rows(conn, scope, None)


def campaign_in_scope(conn: Connection, scope: str, campaign_id: str) -> CampaignSummary:
    """One campaign, as the scope sees it; not found when it assigns no unit inside the scope."""
    found = _campaign_rows(conn, scope, campaign_id)
    if not found:
        raise NotFound("no such campaign")
    return found[0]


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


def campaign_choices(conn: Connection, scope: str) -> list[Choice]:
    """The campaigns in the scope, by name, for a filter: each found by its first assignment of a
    unit inside the scope (no counting, so it stays quick beside 100,000 assignments)."""
    unit_area = admin_areas.alias("unit_area")
    reaches = (select(assignments.c.id).join(units, units.c.id == assignments.c.unit_id)
               .join(unit_area, unit_area.c.id == units.c.area_id)
               .where(assignments.c.campaign_id == campaigns.c.id, unit_area.c.path.like(scope + "%"))
               .exists())
    query = select(campaigns.c.id, campaigns.c.name).order_by(campaigns.c.name)
    if scope != "/":
        query = query.where(reaches)
    else:
        query = query.where(select(assignments.c.id).where(assignments.c.campaign_id == campaigns.c.id).exists())
    return [Choice(r.id, r.name) for r in conn.execute(query)]


def counties_in_scope(conn: Connection, scope: str) -> list[Choice]:
    """The counties inside the scope, by code, or the county holding it when the scope lies
    below county level (its units are all in that county)."""
    found = conn.execute(select(admin_areas.c.id, admin_areas.c.name, admin_areas.c.path)
                         .where(admin_areas.c.level == "county").order_by(admin_areas.c.code)).all()
    return [Choice(r.id, r.name) for r in found if r.path.startswith(scope) or scope.startswith(r.path)]


def unit_types_in_scope(conn: Connection, scope: str) -> list[str]:
    """The unit types of the units inside the scope."""
    query = select(units.c.unit_type).group_by(units.c.unit_type).order_by(units.c.unit_type)
    if scope != "/":
        query = query.join(admin_areas, admin_areas.c.id == units.c.area_id).where(admin_areas.c.path.like(scope + "%"))
    return list(conn.execute(query).scalars())


@dataclass(frozen=True)
class RubricName:
    rubric_id: str
    name_zh: str
    name_en: str


def rubric_names(conn: Connection) -> dict[str, RubricName]:
    """Each rubric's name (of its latest published version), by rubric id."""
    rows = conn.execute(select(rubric_templates.c.rubric_id, rubric_templates.c.name_zh, rubric_templates.c.name_en)
                        .order_by(rubric_templates.c.published_at)).all()
    return {r.rubric_id: RubricName(r.rubric_id, r.name_zh, r.name_en) for r in rows}


def first_rubric_with_results(conn: Connection, campaign_id: str | None = None) -> str | None:
    """A rubric that has results (in the campaign, when given), to rank by when none is chosen:
    the first by id."""
    query = select(func.min(visit_results.c.rubric_id))
    if campaign_id is not None:
        query = query.where(visit_results.c.campaign_id == campaign_id)
    else:
        query = query.where(visit_results.c.latest_of_unit.is_(True))
    found = conn.execute(query).scalar()
    return None if found is None else str(found)


@dataclass(frozen=True)
class UnitRecord:
    unit_id: str
    code: str
    name: str
    unit_type: str
    head_name: str
    phone: str
    address: str
    area_name: str
    county_id: str | None
    county_name: str | None
    # The profile numbers (enrolment by section, staff…) as imported, in the file's order.
    profile: dict[str, Any]


def unit_record(conn: Connection, scope: str, unit_id: str) -> UnitRecord:
    """A unit inside the scope with its profile numbers; not found outside it."""
    places = unit_places(scope)
    row = conn.execute(select(units, places.c.county_id, places.c.county_name, admin_areas.c.name.label("area_name"))
                       .join(places, places.c.unit_id == units.c.id)
                       .join(admin_areas, admin_areas.c.id == units.c.area_id)
                       .where(units.c.id == unit_id)).first()
    if row is None:
        raise NotFound("no such unit")
    try:
        profile = json.loads(row.profile or "{}")
    except ValueError:
        profile = {}
    return UnitRecord(row.id, row.code, row.name, row.unit_type, row.head_name, row.phone, row.address,
                      row.area_name, row.county_id, row.county_name, profile if isinstance(profile, dict) else {})
