"""Rubric templates: immutable documents addressed by their content hash."""

from __future__ import annotations

from typing import TYPE_CHECKING

from db.rows import fetch_all, fetch_one

if TYPE_CHECKING:
    from sqlite_utils import Database


def insert_template(
    db: Database, *, hash: str, rubric_id: str, version: str, name_zh: str, name_en: str,
    document: str, imported_at: str,
) -> bool:
    """Store a template; returns False when that exact version was already stored."""
    cursor = db.execute(
        "INSERT INTO rubric_templates (hash, rubric_id, version, name_zh, name_en, document, imported_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(hash) DO NOTHING",
        (hash, rubric_id, version, name_zh, name_en, document, imported_at),
    )
    return cursor.rowcount == 1


def get_template(db: Database, hash: str) -> dict | None:
    return fetch_one(db, "SELECT * FROM rubric_templates WHERE hash = ?", (hash,))


def find_templates(db: Database, ref: str) -> list[dict]:
    """Templates whose rubric id equals ``ref`` or whose hash starts with it, newest first.

    Newest is the latest stored here, by rowid: templates are only ever inserted (never updated or
    deleted), so rowid is the order they arrived in, whatever the clock said in ``imported_at``
    (a laptop whose clock was set back would otherwise pick the older version)."""
    return fetch_all(
        db,
        "SELECT * FROM rubric_templates WHERE rubric_id = ? OR hash LIKE ? || '%' "
        "ORDER BY rowid DESC",
        (ref, ref),
    )


def list_templates(db: Database) -> list[dict]:
    return fetch_all(
        db,
        "SELECT hash, rubric_id, version, name_zh, name_en, imported_at FROM rubric_templates "
        "ORDER BY rubric_id, rowid",
    )
