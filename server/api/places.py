"""The administrative tree and the units, each caller seeing only its own subtree."""

from __future__ import annotations

import re

from fastapi import APIRouter, Depends
from sqlalchemy import Connection

from server import areas
from server.accounts import Session
from server.api.deps import ANY_ROLE, TX
from server.api.models import REFUSED, AreaOut, UnitOut
from server.config import API_PREFIX
from server.errors import NotFound

router = APIRouter(prefix=API_PREFIX)
# Units are numbered with lower-case UUIDs (app.ids.new_id).
_UNIT_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def unit_out(unit: areas.Unit) -> UnitOut:
    return UnitOut(id=unit.id, area_code=unit.area_code, code=unit.code, name=unit.name,
                   unit_type=unit.unit_type, head_name=unit.head_name, phone=unit.phone,
                   address=unit.address, profile=unit.profile)


@router.get("/areas", response_model=list[AreaOut], responses=REFUSED)
def list_areas(current: Session = Depends(ANY_ROLE), conn: Connection = TX) -> list[AreaOut]:
    return [AreaOut(id=a.id, parent_id=a.parent_id, level=a.level, code=a.code, name=a.name)
            for a in areas.list_areas(conn, current.account.scope)]


@router.get("/units", response_model=list[UnitOut], responses=REFUSED)
def list_units(current: Session = Depends(ANY_ROLE), conn: Connection = TX) -> list[UnitOut]:
    return [unit_out(u) for u in areas.list_units(conn, current.account.scope)]


@router.get("/units/{unit_id}", response_model=UnitOut, responses=REFUSED)
def get_unit(unit_id: str, current: Session = Depends(ANY_ROLE),
             conn: Connection = TX) -> UnitOut:
    # Anything else names no unit; and never reaches the database, where a NUL in the text
    # would be a driver error (PostgreSQL) rather than a miss.
    if not _UNIT_ID.fullmatch(unit_id):
        raise NotFound("no such unit")
    return unit_out(areas.get_unit(conn, current.account.scope, unit_id))
