"""Stable row keys: the id a synced row has on every laptop and on the server.

Most rows are made once, by one device, and travel with the UUID that device gave them: their key
is their ``id``. Some rows are *about* something rather than made by someone: the answer to an
item of a visit, a member of a team. Two laptops that each make one of those must make the same
row, so that the server sees one row edited twice (a conflict to resolve, or not when the values
agree) instead of two rows colliding on a unique index. Their key is a UUIDv5 of the columns that
identify them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.sync.fields import PROTOCOL_TABLES

# The derivation lives with the schema, which stores derived keys as ids; re-exported here as
# part of the contract.
from db.keys import DERIVED_KEYS, ROOT_NAMESPACE, derived_key

ID_KEYED = tuple(t for t in PROTOCOL_TABLES if t not in DERIVED_KEYS)

__all__ = ["DERIVED_KEYS", "ID_KEYED", "ROOT_NAMESPACE", "RowKeyError", "check_row_key", "derived_key",
           "response_key", "row_key"]


class RowKeyError(ValueError):
    """A row lacks what its key is made from, or its key is not the one those columns give."""


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
