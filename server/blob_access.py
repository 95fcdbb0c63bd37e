"""Who may read a blob: the bytes are only a photo or a signature of some visit, so a blob is
visible exactly where a row naming it is (a live evidence or signature row of a visit whose unit
lies in the account's scope), and the office's logo is visible to every account."""

from __future__ import annotations

from sqlalchemy import Connection, select

from server.accounts import Account
from server.store.schema import admin_areas, office_settings, sync_rows, units


def may_read(conn: Connection, account: Account, sha: str) -> bool:
    logo = conn.execute(select(office_settings.c.logo_sha256)).scalar_one_or_none()
    if logo == sha:
        return True
    named_in_scope = (
        select(sync_rows.c.key)
        .join(units, units.c.id == sync_rows.c.unit_id)
        .join(admin_areas, admin_areas.c.id == units.c.area_id)
        .where(sync_rows.c.blob_sha256 == sha, sync_rows.c.deleted.is_(False),
               admin_areas.c.path.startswith(account.scope, autoescape=True))
        .limit(1))
    return conn.execute(named_in_scope).first() is not None
