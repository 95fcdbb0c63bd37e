"""Where a unit sits for the dashboard: its county, and whether it lies in an account's scope.

Always read from the units and areas as they are now, never copied onto results, so a unit
moved to another area is counted there by every figure at once.

The tree's levels only go down (province > city > county > township > village; a unit hangs
below any area), so a unit's county is its own area, that area's parent or its grandparent:
three equality joins, no path arithmetic. A unit above county level has no county (None).
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import (
    Connection,
    Integer,
    String,
    Text,
    and_,
    case,
    cast,
    func,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import JSON
from sqlalchemy.sql import Subquery

from server.store.schema import admin_areas, sync_rows, units

_WORD = re.compile(r"[$.A-Za-z_][$.A-Za-z0-9_]*")


def _within(column: Any, scope: str) -> Any:
    # Area codes hold no LIKE wildcards (checked on import), so the prefix needs no escaping.
    return column.like(scope + "%")


def _county_of(area: Any, parent: Any, grand: Any) -> Any:
    def county(column: str) -> Any:
        return case((area.c.level == "county", area.c[column]), (parent.c.level == "county", parent.c[column]),
                    (grand.c.level == "county", grand.c[column]), else_=None)
    return county


def unit_places(scope: str) -> Subquery:
    """Every unit inside ``scope``: unit_id, code, name, unit_type, area path, and its county
    (county_id, county_code, county_name; None above county level)."""
    area = admin_areas.alias("unit_area")
    parent = admin_areas.alias("parent_area")
    grand = admin_areas.alias("grand_area")
    county = _county_of(area, parent, grand)
    return (select(units.c.id.label("unit_id"), units.c.code, units.c.name, units.c.unit_type,
                   area.c.path.label("area_path"), county("id").label("county_id"),
                   county("code").label("county_code"), county("name").label("county_name"))
            .join(area, area.c.id == units.c.area_id)
            .outerjoin(parent, parent.c.id == area.c.parent_id)
            .outerjoin(grand, grand.c.id == parent.c.parent_id)
            .where(_within(area.c.path, scope))
            .subquery("places"))


def area_places(scope: str) -> Subquery:
    """Every area inside ``scope`` (area_id) with its county, as unit_places gives a unit's: a
    figure by county can count units per area first (a few hundred areas, where a province holds
    ten thousand units) and place the areas after."""
    area = admin_areas.alias("area")
    parent = admin_areas.alias("parent_area")
    grand = admin_areas.alias("grand_area")
    county = _county_of(area, parent, grand)
    return (select(area.c.id.label("area_id"), county("id").label("county_id"),
                   county("code").label("county_code"), county("name").label("county_name"))
            .outerjoin(parent, parent.c.id == area.c.parent_id)
            .outerjoin(grand, grand.c.id == parent.c.parent_id)
            .where(_within(area.c.path, scope))
            .subquery("area_places"))


def areas_within(scope: str) -> Any:
    """The ids of the areas inside ``scope``, for ``units.area_id.in_(...)``."""
    return select(admin_areas.c.id).where(_within(admin_areas.c.path, scope))


def constant(value: str | int) -> Any:
    """``value`` written into the SQL rather than bound: an expression or partial index
    (migration 0008) serves a query only when the query spells the same constant, and a
    prepared statement's generic plan cannot see a bound one. Only the code's own names and
    numbers come here, never input."""
    if isinstance(value, int):
        return literal_column(str(int(value)), Integer)
    if not _WORD.fullmatch(value):
        raise ValueError(f"not a plain name: {value!r}")
    return literal_column(f"'{value}'", String)


def json_text(conn: Connection, column: Any, key: str) -> Any:
    """The text of one key of a JSON text column, on either engine (as the index on the visits
    rows' assignment spells it)."""
    if conn.dialect.name == "postgresql":
        # PostgreSQL's JSON refuses an escaped NUL anywhere in the document (a note may hold one):
        # swapped for U+FFFD first, as the index spells it; a key read here never holds either.
        text = func.replace(column, literal_column("'\\u0000'"), literal_column("'\\ufffd'"))
        return cast(text, JSON).op("->>", return_type=Text)(constant(key))
    return func.json_extract(column, constant(f"$.{key}"), type_=Text)


def live_rows(table: str) -> Any:
    """The condition for the held, not deleted rows of one synced table."""
    return and_(sync_rows.c.table_name == constant(table), sync_rows.c.deleted.is_(False))
