"""The newest desktop release: anyone may read it (``GET /client-release``, outside the versioned
API so that every Fieldmark ever shipped can ask), an admin sets or withdraws it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy import Connection

from app.sync.errors_body import ErrorBody
from app.sync.protocol import API_PREFIX, Message
from app.sync.release import RELEASE_PATH, Release, ReleaseNotice
from server import releases
from server.accounts import Session
from server.api.deps import TX, engine, role
from server.api.models import REFUSED
from server.store.database import reading

public = APIRouter()
router = APIRouter(prefix=API_PREFIX)
ADMIN = role("admin")


class ReleaseUpdate(Message):
    version: str
    download_url: str
    notes_zh: str = ""
    notes_en: str = ""


def _notice(release: Release | None) -> ReleaseNotice:
    if release is None:
        return ReleaseNotice()
    return ReleaseNotice(version=release.version, download_url=release.download_url,
                         notes_zh=release.notes_zh, notes_en=release.notes_en)


@public.get(RELEASE_PATH, response_model=ReleaseNotice)
def get_release(request: Request) -> ReleaseNotice:
    """The release the office offers; ``version`` null when it offers none. No login needed: a
    version number and a download link are no secret, and a laptop too old to sync must still
    learn where to get the new one."""
    with reading(engine(request)) as conn:
        return _notice(releases.get_release(conn))


_ANSWERS: dict[int | str, dict[str, Any]] = {
    **REFUSED, 400: {"model": ErrorBody}, 401: {"model": ErrorBody}, 403: {"model": ErrorBody},
    422: {"model": ErrorBody, "description": "Not a version such as 1.4.2, or not an http(s) link (invalid)"},
}


@router.put("/client-release", response_model=ReleaseNotice, responses=_ANSWERS)
def put_release(body: ReleaseUpdate, current: Annotated[Session, Depends(ADMIN)],
                conn: Connection = TX) -> ReleaseNotice:
    return _notice(releases.set_release(conn, version=body.version, download_url=body.download_url,
                                        notes_zh=body.notes_zh, notes_en=body.notes_en, by=current.account.id))


@router.delete("/client-release", status_code=204, responses=_ANSWERS)
def delete_release(_current: Annotated[Session, Depends(ADMIN)], conn: Connection = TX) -> Response:
    """Offer no release any more (the laptops stop saying so at their next sync)."""
    releases.clear_release(conn)
    return Response(status_code=204)
