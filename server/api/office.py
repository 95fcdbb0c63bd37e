"""The office's settings for the 落款: read by any account, set by an admin (``PUT /office``).

Both answers carry the office's public key for sealed bundles (``bundle_public_key``), which
lives in the data folder (``server.keys_office``), not in the settings row."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy import Connection

from app.sync.errors_body import ErrorBody
from app.sync.fields import Sha256
from app.sync.protocol import API_PREFIX, Message
from app.sync.pull import OfficeSettings
from app.sync.sealed import public_key_text
from server import office
from server.accounts import Session
from server.api.blobs import blob_store
from server.api.deps import ANY_ROLE, TX, role
from server.api.models import REFUSED
from server.keys_office import office_key
from server.store.blobs import BlobStore
from server.sync.pull import settings_message

router = APIRouter(prefix=API_PREFIX)
ADMIN = role("admin")


class OfficeSettingsUpdate(Message):
    name_zh: str
    name_en: str = ""
    # Upload the image first (PUT /blobs/{sha256}); None clears the logo.
    logo_sha256: Sha256 | None = None


_ANSWERS: dict[int | str, dict[str, Any]] = {
    **REFUSED, 400: {"model": ErrorBody}, 401: {"model": ErrorBody}, 403: {"model": ErrorBody},
    404: {"model": ErrorBody, "description": "Not set yet"},
    422: {"model": ErrorBody, "description": "No name, or a logo the server has no blob for (invalid)"},
}


@router.get("/office", response_model=OfficeSettings, responses=_ANSWERS)
def get_office(request: Request, _current: Annotated[Session, Depends(ANY_ROLE)],
               conn: Connection = TX) -> OfficeSettings:
    return _with_key(request, settings_message(office.get_settings(conn)))


@router.put("/office", response_model=OfficeSettings, responses=_ANSWERS)
def put_office(request: Request, body: OfficeSettingsUpdate, _current: Annotated[Session, Depends(ADMIN)],
               store: Annotated[BlobStore, Depends(blob_store)], conn: Connection = TX) -> OfficeSettings:
    settings = office.set_settings(conn, store, name_zh=body.name_zh, name_en=body.name_en,
                                   logo_sha256=body.logo_sha256)
    return _with_key(request, settings_message(settings))


def _with_key(request: Request, settings: OfficeSettings) -> OfficeSettings:
    key = office_key(request.app.state.config.data_dir)
    return settings.model_copy(update={"bundle_public_key": public_key_text(key)})
