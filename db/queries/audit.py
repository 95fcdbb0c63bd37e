"""The append-only audit log of amendments."""

from __future__ import annotations

from sqlite_utils import Database

from db.rows import fetch_all


def list_entries(db: Database, visit_id: str) -> list[dict]:
    return fetch_all(
        db, "SELECT * FROM audit_log WHERE visit_id = ? ORDER BY at, rev", (visit_id,)
    )
