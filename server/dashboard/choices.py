"""What the dashboard's pages let a person choose from, and a unit's own record: the campaigns,
counties, unit types and rubrics within an account's scope. Not figures (those are in
server.dashboard.figures), but scoped the same way: nothing here names a unit, a campaign or an
area the scope does not reach.

A campaign is in a scope when it assigns at least one unit inside it; a county is offered when
a unit inside the scope lies in it (so a township's account is offered its own county, whose
units it sees only within its township).
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


def _campaign_rows(conn: Connection, scope: str, campaign_id: str | None) -> list[CampaignSummary]:
    places = unit_places(scope)
    query = (select(campaigns.c.id, campaigns.c.name, func.count(func.distinct(assignments.c.unit_id)).label("units"),
                    func.min(assignments.c.window_start).label("starts"),
                    func.max(assignments.c.window_end).label("ends"))
             .join(assignments, assignments.c.campaign_id == campaigns.c.id)
             .join(places, places.c.unit_id == assignments.c.unit_id)
             .group_by(campaigns.c.id, campaigns.c.name)
             .order_by(func.max(assignments.c.window_end).desc(), campaigns.c.name))
    if campaign_id is not None:
        query = query.where(campaigns.c.id == campaign_id)
    rows = conn.execute(query).all()
    types: dict[str, set[str]] = {}
    if rows:
        kinds = select(assignments.c.campaign_id, assignments.c.visit_type).group_by(
            assignments.c.campaign_id, assignments.c.visit_type)
        if campaign_id is not None:
            kinds = kinds.where(assignments.c.campaign_id == campaign_id)
        for cid, kind in conn.execute(kinds):
            types.setdefault(cid, set()).add(kind)
    return [CampaignSummary(r.id, r.name, int(r.units), r.starts, r.ends, tuple(sorted(types.get(r.id, ()))))
            for r in rows]


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


def counties_in_scope(conn: Connection, scope: str) -> list[Choice]:
    """The counties that hold a unit inside the scope, by code."""
    places = unit_places(scope)
    rows = conn.execute(select(places.c.county_id, places.c.county_code, places.c.county_name)
                        .where(places.c.county_id.is_not(None))
                        .group_by(places.c.county_id, places.c.county_code, places.c.county_name)
                        .order_by(places.c.county_code)).all()
    return [Choice(r.county_id, r.county_name) for r in rows]


def unit_types_in_scope(conn: Connection, scope: str) -> list[str]:
    places = unit_places(scope)
    return list(conn.execute(select(places.c.unit_type).group_by(places.c.unit_type)
                             .order_by(places.c.unit_type)).scalars())


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


def rubrics_with_results(conn: Connection, scope: str, campaign_id: str | None = None) -> list[str]:
    """The rubrics some unit inside the scope has a result under (in the campaign, when given)."""
    places = unit_places(scope)
    query = (select(visit_results.c.rubric_id).join(places, places.c.unit_id == visit_results.c.unit_id)
             .group_by(visit_results.c.rubric_id).order_by(visit_results.c.rubric_id))
    if campaign_id is not None:
        query = query.where(visit_results.c.campaign_id == campaign_id)
    return list(conn.execute(query).scalars())


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
