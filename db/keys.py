"""The derivation of stable row keys, the one definition for the database and the sync contract.

Kept at the bottom layer because the schema itself needs it: a migration re-keys existing rows,
and the writers of rows whose identity is derived (an answer, a member of a visit) store the
key as their ``id``. ``app.sync.ids`` re-exports it as part of the protocol.
"""

from __future__ import annotations

import functools
import json
import uuid

# Fixed forever: changing it changes every derived key. It is uuid5(NAMESPACE_URL, the URL below).
ROOT_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://fieldmark.invalid/sync/row-keys/v1")

# The identifying columns of each table whose key is derived; every other table's key is its id.
DERIVED_KEYS: dict[str, tuple[str, ...]] = {
    "responses": ("visit_id", "rubric_hash", "item_code"),
    "team_members": ("team_id", "inspector_id"),
    "visit_rubrics": ("visit_id", "rubric_hash"),
    "visit_members": ("visit_id", "inspector_id"),
    "visit_sections": ("visit_id", "rubric_hash", "section_code"),
    # One row of each per photo, so a caption and an annotation made on two laptops are two rows.
    "evidence_captions": ("evidence_id",),
    "evidence_annotations": ("evidence_id",),
    "evidence_links": ("evidence_id",),
    "evidence_positions": ("evidence_id",),
}


def derived_key(table: str, *parts: str) -> str:
    """UUIDv5 of ``parts`` in the table's own namespace.

    The name is the canonical JSON array of the parts (sorted keys do not apply to an array of
    strings, so it is plain compact JSON with UTF-8 text), so ("a-b", "c") and ("a", "b-c")
    differ, and each table has its namespace so equal parts in two tables never give one key.
    """
    name = json.dumps(list(parts), ensure_ascii=False, separators=(",", ":"))
    return str(uuid.uuid5(_namespace(table), name))


@functools.cache
def _namespace(table: str) -> uuid.UUID:
    # Made once per table: a server push checks the key of every answer it receives.
    return uuid.uuid5(ROOT_NAMESPACE, table)
