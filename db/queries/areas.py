"""Administrative areas (province > city > county > township > village) and units."""

from __future__ import annotations

from typing import TYPE_CHECKING

from db.rows import fetch_all, fetch_one

if TYPE_CHECKING:
    from sqlite_utils import Database


def list_areas(db: Database) -> list[dict]:
    return fetch_all(db, "SELECT * FROM admin_areas WHERE deleted = 0 ORDER BY level, code")


def get_unit(db: Database, unit_id: str) -> dict | None:
    return fetch_one(db, "SELECT * FROM units WHERE id = ? AND deleted = 0", (unit_id,))


def find_unit_by_code(db: Database, code: str) -> dict | None:
    return fetch_one(db, "SELECT * FROM units WHERE code = ? AND deleted = 0", (code,))


def search_units(db: Database, text: str = "", *, limit: int = 50) -> list[dict]:
    like = f"%{text}%"
    return fetch_all(
        db,
        "SELECT * FROM units WHERE deleted = 0 AND (name LIKE ? OR code LIKE ?) "
        "ORDER BY code LIMIT ?",
        (like, like, limit),
    )


def count_units(db: Database) -> int:
    return db.execute("SELECT count(*) FROM units WHERE deleted = 0").fetchone()[0]
