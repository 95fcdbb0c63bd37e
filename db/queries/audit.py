"""The append-only audit log of amendments."""

from __future__ import annotations

from typing import TYPE_CHECKING

from db.rows import fetch_all

if TYPE_CHECKING:
    from sqlite_utils import Database


def list_entries(db: Database, visit_id: str) -> list[dict]:
    # Amendments in their numbered order, not by the time they carry: a laptop whose clock was
    # set back between two amendments dates the later one earlier. (Entries from before the
    # numbering have none; each was one amendment, and they came first.)
    return fetch_all(
        db, "SELECT * FROM audit_log WHERE visit_id = ? ORDER BY amendment_no, at, rev", (visit_id,)
    )
