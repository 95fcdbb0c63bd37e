"""Signatures of a visit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from db.rows import fetch_all

if TYPE_CHECKING:
    from sqlite_utils import Database


def current(db: Database, visit_id: str, role: str | None = None, *, version: int = 0) -> list[dict]:
    """The live signatures of the visit's ``version`` (one per role), optionally of one role."""
    return fetch_all(
        db,
        "SELECT * FROM signatures WHERE visit_id = :visit AND deleted = 0 AND signed_version = :version "
        "AND (:role IS NULL OR role = :role) ORDER BY role",
        {"visit": visit_id, "role": role, "version": version},
    )


def earlier(db: Database, visit_id: str, *, version: int) -> list[dict]:
    """Signatures of versions before ``version``, newest version first."""
    return fetch_all(
        db,
        "SELECT * FROM signatures WHERE visit_id = :visit AND deleted = 0 AND signed_version < :version "
        "ORDER BY signed_version DESC, role",
        {"visit": visit_id, "version": version},
    )
