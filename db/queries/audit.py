"""The append-only audit log of amendments."""

from __future__ import annotations

from typing import TYPE_CHECKING

from db.rows import fetch_all

if TYPE_CHECKING:
    from sqlite_utils import Database


def list_entries(db: Database, visit_id: str) -> list[dict]:
    return fetch_all(
        db, "SELECT * FROM audit_log WHERE visit_id = ? ORDER BY at, rev", (visit_id,)
    )
