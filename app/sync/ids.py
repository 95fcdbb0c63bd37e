"""Stable row keys: the id a synced row has on every laptop and on the server.

Most rows are made once, by one device, and travel with the UUID that device gave them: their key
is their ``id``. Some rows are *about* something rather than made by someone: the answer to an
item of a visit, a member of a team. Two laptops that each make one of those must make the same
row, so that the server sees one row edited twice (a conflict to resolve, or not when the values
agree) instead of two rows colliding on a unique index. Their key is a UUIDv5 of the columns that
identify them.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from app.canonical import canonical_json
from app.sync.fields import PROTOCOL_TABLES

# Fixed forever: changing it changes every derived key. It is uuid5(NAMESPACE_URL, the URL below).
ROOT_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://fieldmark.invalid/sync/row-keys/v1")

# The identifying columns of each table whose key is derived; every other table's key is its id.
DERIVED_KEYS: dict[str, tuple[str, ...]] = {
    "responses": ("visit_id", "rubric_hash", "item_code"),
    "team_members": ("team_id", "inspector_id"),
    "visit_rubrics": ("visit_id", "rubric_hash"),
    "visit_members": ("visit_id", "inspector_id"),
    "visit_sections": ("visit_id", "rubric_hash", "section_code"),
}
ID_KEYED = tuple(t for t in PROTOCOL_TABLES if t not in DERIVED_KEYS)


class RowKeyError(ValueError):
    """A row lacks what its key is made from, or its key is not the one those columns give."""


def derived_key(table: str, *parts: str) -> str:
    """UUIDv5 of ``parts`` in the table's own namespace.

    The name is the canonical JSON array of the parts, so ("a-b", "c") and ("a", "b-c") differ
    (a joined string with a separator could not promise that), and each table has its namespace
    so equal parts in two tables never give one key.
    """
    namespace = uuid.uuid5(ROOT_NAMESPACE, table)
    return str(uuid.uuid5(namespace, canonical_json(list(parts))))


def response_key(visit_id: str, rubric_hash: str, item_code: str) -> str:
    """The key of the answer to one item of one rubric in one visit."""
    return derived_key("responses", visit_id, rubric_hash, item_code)


def row_key(table: str, row: Mapping[str, Any]) -> str:
    """The stable key of ``row`` (a mapping of its columns) in ``table``."""
    if table not in PROTOCOL_TABLES:
        raise RowKeyError(f"{table} does not sync")
    columns = DERIVED_KEYS.get(table)
    if columns is None:
        value = row.get("id")
        if not isinstance(value, str) or not value:
            raise RowKeyError(f"a {table} row needs its id")
        return value
    parts = []
    for column in columns:
        value = row.get(column)
        if not isinstance(value, str) or not value:
            raise RowKeyError(f"a {table} row needs {', '.join(columns)}; {column} is missing")
        parts.append(value)
    return derived_key(table, *parts)


def check_row_key(table: str, key: str, values: Mapping[str, Any]) -> None:
    """Refuse a derived-key row whose key is not the one its columns give.

    Without it, a laptop could send two rows for one item under two keys, and the unique
    (visit, rubric, item) would fail on the server or hide one answer.
    """
    if table in DERIVED_KEYS:
        expected = row_key(table, values)
        if key != expected:
            raise RowKeyError(f"the {table} key {key} is not the one its columns give ({expected})")
