"""Signatures of a visit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from db.rows import fetch_all

if TYPE_CHECKING:
    from sqlite_utils import Database


def current(db: Database, visit_id: str, role: str | None = None) -> list[dict]:
    """The live signatures of a visit (one per role), optionally of one role."""
    return fetch_all(
        db,
        "SELECT * FROM signatures WHERE visit_id = :visit AND deleted = 0 "
        "AND (:role IS NULL OR role = :role) ORDER BY role",
        {"visit": visit_id, "role": role},
    )
