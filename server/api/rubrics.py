"""Published rubric templates: the same for every account (they carry no unit data)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response
from sqlalchemy import Connection

from server import rubrics
from server.accounts import Session
from server.api.deps import ANY_ROLE, TX
from server.api.models import RubricOut
from server.config import API_PREFIX

router = APIRouter(prefix=API_PREFIX)


@router.get("/rubrics", response_model=list[RubricOut])
def list_rubrics(current: Session = Depends(ANY_ROLE), conn: Connection = TX) -> list[RubricOut]:
    return [RubricOut(**r.__dict__) for r in rubrics.list_rubrics(conn)]


@router.get("/rubrics/{rubric_hash}", response_class=Response)
def get_rubric(rubric_hash: str, current: Session = Depends(ANY_ROLE),
               conn: Connection = TX) -> Response:
    """The template's document exactly as published: its canonical JSON hashes to ``rubric_hash``."""
    return Response(rubrics.get_document(conn, rubric_hash), media_type="application/json")
