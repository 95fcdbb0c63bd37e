"""Assignments the caller may see: its teams' (inspectors, leaders) or all (office), in scope."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy import Connection

from server import assignments
from server.accounts import Session
from server.api.deps import ANY_ROLE, TX
from server.api.models import REFUSED, AssignmentOut
from server.config import API_PREFIX

router = APIRouter(prefix=API_PREFIX)


@router.get("/assignments", response_model=list[AssignmentOut], responses=REFUSED)
def list_assignments(current: Session = Depends(ANY_ROLE),
                     conn: Connection = TX) -> list[AssignmentOut]:
    return [AssignmentOut(**a.__dict__) for a in assignments.list_assignments(conn, current.account)]
