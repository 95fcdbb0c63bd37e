"""Where a unit sits for the dashboard: its county, and whether it lies in an account's scope.

Always read from the units and areas as they are now, never copied onto results, so a unit
moved to another area is counted there by every figure at once.

The tree's levels only go down (province > city > county > township > village; a unit hangs
below any area), so a unit's county is its own area, that area's parent or its grandparent:
three equality joins, no path arithmetic. A unit above county level has no county (None).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, and_, case, cast, func, select
from sqlalchemy.dialects.postgresql import JSON
from sqlalchemy.sql import Subquery

from server.store.schema import admin_areas, sync_rows, units


def _within(column: Any, scope: str) -> Any:
    # Area codes hold no LIKE wildcards (checked on import), so the prefix needs no escaping.
    return column.like(scope + "%")


def unit_places(scope: str) -> Subquery:
    """Every unit inside ``scope``: unit_id, code, name, unit_type, area path, and its county
    (county_id, county_code, county_name; None above county level)."""
    area = admin_areas.alias("unit_area")
    parent = admin_areas.alias("parent_area")
    grand = admin_areas.alias("grand_area")

    def county(column: str) -> Any:
        return case((area.c.level == "county", area.c[column]), (parent.c.level == "county", parent.c[column]),
                    (grand.c.level == "county", grand.c[column]), else_=None)

    return (select(units.c.id.label("unit_id"), units.c.code, units.c.name, units.c.unit_type,
                   area.c.path.label("area_path"), county("id").label("county_id"),
                   county("code").label("county_code"), county("name").label("county_name"))
            .join(area, area.c.id == units.c.area_id)
            .outerjoin(parent, parent.c.id == area.c.parent_id)
            .outerjoin(grand, grand.c.id == parent.c.parent_id)
            .where(_within(area.c.path, scope))
            .subquery("places"))


def json_text(conn: Connection, column: Any, key: str) -> Any:
    """The text of one key of a JSON text column, on either engine."""
    if conn.dialect.name == "postgresql":
        return cast(column, JSON)[key].astext
    return func.json_extract(column, f"$.{key}")


def live_rows(table: str) -> Any:
    """The condition for the held, not deleted rows of one synced table."""
    return and_(sync_rows.c.table_name == table, sync_rows.c.deleted.is_(False))
