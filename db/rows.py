"""Generic row writes that keep the sync bookkeeping columns right.

Table and column names here always come from code, never from user input; values are always
bound parameters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlite_utils import Database



@dataclass(frozen=True)
class RowMeta:
    """The revision stamp and device written with every synced row."""

    rev: str
    device_id: str


def insert(db: Database, table: str, row: Mapping[str, Any], meta: RowMeta) -> None:
    values = {**row, "rev": meta.rev, "device_id": meta.device_id, "dirty": 1, "deleted": 0}
    columns = ", ".join(values)
    marks = ", ".join(f":{c}" for c in values)
    db.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", values)


def update(db: Database, table: str, row_id: str, changes: Mapping[str, Any], meta: RowMeta) -> int:
    """Change some columns of one row; returns the number of rows changed (0 or 1)."""
    values = {**changes, "rev": meta.rev, "device_id": meta.device_id, "dirty": 1}
    sets = ", ".join(f"{c} = :{c}" for c in values)
    cursor = db.execute(f"UPDATE {table} SET {sets} WHERE id = :_id", {**values, "_id": row_id})
    return cursor.rowcount


def tombstone(db: Database, table: str, row_id: str, meta: RowMeta) -> int:
    """Mark a row deleted; the row stays so the delete can sync and be undone."""
    return update(db, table, row_id, {"deleted": 1}, meta)


def fetch_one(db: Database, sql: str, params: dict[str, Any] | tuple = ()) -> dict | None:
    cursor = db.execute(sql, params)
    row = cursor.fetchone()
    if row is None:
        return None
    return dict(zip([d[0] for d in cursor.description], row, strict=True))


def fetch_all(db: Database, sql: str, params: dict[str, Any] | tuple = ()) -> list[dict]:
    cursor = db.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
