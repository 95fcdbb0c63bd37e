"""The administrative tree (province > city > county > township > village) and its units.

An account's scope is an area's path; everything whose path starts with it is inside.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from server.errors import BadInput, NotFound
from server.store.schema import admin_areas, units

LEVELS = ("province", "city", "county", "township", "village")
WHOLE_TREE = "/"


@dataclass(frozen=True)
class Area:
    id: str
    parent_id: str | None
    level: str
    code: str
    name: str
    path: str


@dataclass(frozen=True)
class Unit:
    id: str
    area_id: str
    area_code: str
    code: str
    name: str
    unit_type: str
    head_name: str
    phone: str
    address: str
    profile: dict[str, Any] = field(default_factory=dict)


def _area(row: Any) -> Area:
    return Area(row.id, row.parent_id, row.level, row.code, row.name, row.path)


def area_by_code(conn: Connection, code: str) -> Area:
    row = conn.execute(select(admin_areas).where(admin_areas.c.code == code)).first()
    if row is None:
        raise NotFound(f"no area with code {code!r}; import the tree first (units import)")
    return _area(row)


def scope_path(conn: Connection, area_id: str | None) -> tuple[str, str | None]:
    """The path and code of a scope area; the whole tree for None."""
    if area_id is None:
        return WHOLE_TREE, None
    row = conn.execute(select(admin_areas.c.path, admin_areas.c.code)
                       .where(admin_areas.c.id == area_id)).one()
    return row.path, row.code


def _within(column: Any, scope: str) -> Any:
    # Codes hold no LIKE wildcards (checked on import), so the prefix needs no escaping.
    return column.like(scope + "%")


def list_areas(conn: Connection, scope: str) -> list[Area]:
    rows = conn.execute(select(admin_areas).where(_within(admin_areas.c.path, scope))
                        .order_by(admin_areas.c.path)).all()
    return [_area(r) for r in rows]


def _unit_query(scope: str) -> Any:
    return (select(units, admin_areas.c.code.label("area_code"))
            .join(admin_areas, admin_areas.c.id == units.c.area_id)
            .where(_within(admin_areas.c.path, scope)))


def _unit(row: Any) -> Unit:
    return Unit(row.id, row.area_id, row.area_code, row.code, row.name, row.unit_type,
                row.head_name, row.phone, row.address, json.loads(row.profile))


def list_units(conn: Connection, scope: str) -> list[Unit]:
    return [_unit(r) for r in conn.execute(_unit_query(scope).order_by(units.c.code)).all()]


def get_unit(conn: Connection, scope: str, unit_id: str) -> Unit:
    """A unit inside the scope; one outside it is 'not found', as if it did not exist."""
    row = conn.execute(_unit_query(scope).where(units.c.id == unit_id)).first()
    if row is None:
        raise NotFound("no such unit")
    return _unit(row)


def units_by_code(conn: Connection, codes: list[str]) -> dict[str, Unit]:
    rows = conn.execute(_unit_query(WHOLE_TREE).where(units.c.code.in_(codes))).all()
    return {r.code: _unit(r) for r in rows}


def check_code(code: str) -> None:
    if not code or len(code) > 32 or not all(c.isalnum() or c in "-_." for c in code):
        raise BadInput(f"code {code!r}: use letters, digits, '-', '_' or '.' (at most 32)")
