"""The office's settings: its name (Chinese and English) and logo, for the 落款 (the issuing
office's sign-off) on printed sheets. One row, set by an admin, pulled by every account.

The logo is a blob like a photo: uploaded first (``PUT /blobs/{sha256}``), then named here by
its hash; a hash the blob store lacks is refused.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select, update

from server.errors import BadInput, NotFound
from server.store.blobs import BlobStore
from server.store.schema import office_settings
from server.sync.sequence import stamp

OFFICE = "office"


@dataclass(frozen=True)
class Settings:
    name_zh: str
    name_en: str
    logo_sha256: str | None
    updated_at: float
    server_seq: int


def _settings(row: Any) -> Settings:
    return Settings(row.name_zh, row.name_en, row.logo_sha256, row.updated_at, row.server_seq)


def get_settings(conn: Connection) -> Settings:
    row = conn.execute(select(office_settings).where(office_settings.c.id == OFFICE)).first()
    if row is None:
        raise NotFound("the office's settings are not set yet")
    return _settings(row)


def set_settings(conn: Connection, blobs: BlobStore, *, name_zh: str, name_en: str = "",
                 logo_sha256: str | None = None) -> Settings:
    """Store the settings (all of them: a missing logo clears it) and number the write."""
    if not name_zh.strip():
        raise BadInput("the office needs a Chinese name for the 落款")
    if logo_sha256 is not None and blobs.missing([logo_sha256]):
        raise BadInput(f"the server has no blob {logo_sha256}; upload the logo first",
                       problems=[{"location": ["logo_sha256"], "message": "no such blob on the server"}])
    values = {"name_zh": name_zh.strip(), "name_en": name_en.strip(), "logo_sha256": logo_sha256,
              "updated_at": time.time(), "server_seq": stamp(conn)}
    if conn.execute(select(office_settings.c.id).where(office_settings.c.id == OFFICE)).first() is None:
        conn.execute(insert(office_settings).values(id=OFFICE, **values))
    else:
        conn.execute(update(office_settings).where(office_settings.c.id == OFFICE).values(**values))
    return get_settings(conn)
