"""Sync conflicts waiting for a person, as the rest of the app sees them.

Kept apart from ``app.sync.local`` (which speaks the protocol's pydantic messages) so that
finalizing, which must refuse while a conflict on the visit is open, loads nothing of sync.
"""

from __future__ import annotations

from app.errors import ConflictsOpen
from app.profile import Profile
from db.queries import sync as sq


def open_conflicts(profile: Profile, visit_id: str | None = None) -> list[dict]:
    """Open conflicts (of one visit when given): table, key, both versions as JSON text."""
    return sq.open_conflicts(profile.db, visit_id)


def refuse_while_conflicts_open(profile: Profile, visit_id: str) -> None:
    """Raise ``ConflictsOpen`` when a conflict on the visit waits for a person's choice.

    A finalized visit's content hash must cover what the team agreed on; with a conflict open,
    one of two versions of some row would be hashed without anyone having chosen it.
    """
    conflicts = sq.open_conflicts(profile.db, visit_id)
    if conflicts:
        raise ConflictsOpen(
            f"{len(conflicts)} sync conflict(s) on this visit wait for a choice: resolve them first",
            [(c["table_name"], c["row_key"]) for c in conflicts],
        )
