"""The conflict rule of the protocol, defined once for the server's push and a laptop's bundle import.

A row pushed from base ``b`` meets the row as the receiver holds it. Nobody else changed it
since ``b``: apply. Someone did, but both arrived at the same content: agreement, not a conflict
(the only place last-writer-wins is allowed). Otherwise both versions are kept for a person.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from app.canonical import canonical_json
from app.sync.protocol import RowChange, RowVersion

Outcome = Literal["apply", "agree", "conflict"]


def same_content(a_values: Mapping[str, Any], a_deleted: bool, b_values: Mapping[str, Any], b_deleted: bool) -> bool:
    # Compared in canonical form, so key order and the way a sender spelt its JSON do not matter.
    return a_deleted == b_deleted and canonical_json(dict(a_values)) == canonical_json(dict(b_values))


def classify(incoming: RowChange, current: RowVersion | None) -> Outcome:
    """What to do with ``incoming`` given the receiver's ``current`` version (None: no such row)."""
    if current is None or current.rev == incoming.base_rev:
        return "apply"
    if current.rev == incoming.rev or same_content(current.values, current.deleted, incoming.values, incoming.deleted):
        # The same revision again (a replay through another path) or an identical edit.
        return "agree"
    return "conflict"
