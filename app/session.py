"""Where the inspector was: reopening the app returns to the same visit and item."""

from __future__ import annotations

import json
from dataclasses import dataclass

from app.profile import Profile
from db.queries import meta

KEY = "session.position"


@dataclass(frozen=True)
class Position:
    visit_id: str
    rubric_hash: str | None = None
    item_code: str | None = None


def save_position(profile: Profile, position: Position | None) -> None:
    """Remember the open visit and item; ``None`` when no visit is open."""
    value = "" if position is None else json.dumps(position.__dict__)
    with profile.transaction() as tx:
        meta.put(tx.db, KEY, value)


def last_position(profile: Profile) -> Position | None:
    raw = meta.get(profile.db, KEY)
    if not raw:
        return None
    try:
        return Position(**json.loads(raw))
    except (ValueError, TypeError):
        return None
