"""Published rubric templates: the same for every account (they carry no unit data)."""

from __future__ import annotations

import re

from fastapi import APIRouter, Depends, Response
from sqlalchemy import Connection

from server import rubrics
from server.accounts import Session
from server.api.deps import ANY_ROLE, TX
from server.api.models import REFUSED, RubricOut
from server.config import API_PREFIX
from server.errors import NotFound

router = APIRouter(prefix=API_PREFIX)
_HASH = re.compile(r"[0-9a-f]{64}")


@router.get("/rubrics", response_model=list[RubricOut], responses=REFUSED)
def list_rubrics(current: Session = Depends(ANY_ROLE), conn: Connection = TX) -> list[RubricOut]:
    return [RubricOut(**r.__dict__) for r in rubrics.list_rubrics(conn)]


@router.get("/rubrics/{rubric_hash}", response_class=Response, responses={
    **REFUSED, 200: {"content": {"application/json": {"schema": {"type": "object"}}},
                     "description": "The template's canonical JSON"}})
def get_rubric(rubric_hash: str, current: Session = Depends(ANY_ROLE),
               conn: Connection = TX) -> Response:
    """The template's document exactly as published: its canonical JSON hashes to ``rubric_hash``."""
    # Anything but a SHA-256 names no template (and a NUL in it would be a PostgreSQL driver error).
    if not _HASH.fullmatch(rubric_hash):
        raise NotFound("no such rubric template")
    return Response(rubrics.get_document(conn, rubric_hash), media_type="application/json")
