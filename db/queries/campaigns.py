"""Campaigns and assignments."""

from __future__ import annotations

from typing import TYPE_CHECKING

from db.rows import fetch_all, fetch_one

if TYPE_CHECKING:
    from sqlite_utils import Database


def get_assignment(db: Database, assignment_id: str) -> dict | None:
    return fetch_one(db, "SELECT * FROM assignments WHERE id = ? AND deleted = 0", (assignment_id,))


def list_assignments(db: Database, *, on_or_after: str | None = None) -> list[dict]:
    return fetch_all(
        db,
        "SELECT a.*, u.name AS unit_name, c.name AS campaign_name FROM assignments a "
        "JOIN units u ON u.id = a.unit_id JOIN campaigns c ON c.id = a.campaign_id "
        "WHERE a.deleted = 0 AND (:after IS NULL OR a.window_end >= :after) "
        "ORDER BY a.window_start, u.code",
        {"after": on_or_after},
    )


def list_campaigns(db: Database) -> list[dict]:
    return fetch_all(db, "SELECT * FROM campaigns WHERE deleted = 0 ORDER BY starts_on DESC")


def finalize_rule(db: Database, assignment_id: str) -> str | None:
    """The campaign's rule for finalizing with gaps ("confirm", "forbid"), or None for the default."""
    row = fetch_one(db, "SELECT c.finalize_with_gaps FROM assignments a JOIN campaigns c ON c.id = a.campaign_id "
                        "WHERE a.id = ?", (assignment_id,))
    return row["finalize_with_gaps"] if row else None
