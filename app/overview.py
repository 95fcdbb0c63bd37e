"""What the Today view and the status area show: the day's work and the sync state."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from app.ids import AssignmentId, RubricHash
from app.models import Visit
from app.profile import Profile
from app.visits import VisitFilter, list_visits
from db.queries import campaigns, sync


@dataclass(frozen=True)
class Assignment:
    id: AssignmentId
    campaign_name: str
    unit_id: str
    unit_name: str
    team_id: str
    visit_type: str
    window_start: str
    window_end: str
    rubric_hashes: tuple[RubricHash, ...]

    def due_on(self, day: date) -> bool:
        return self.window_start <= day.isoformat() <= self.window_end


def assignment_done(visit: Visit | None) -> bool:
    """An assignment is done once the visit started from it is finalized (or amended since)."""
    return visit is not None and visit.locked


def count_due(assignments: Sequence[Assignment], started: Mapping[str, Visit], day: date) -> int:
    """Assignments whose window includes ``day`` and that are not done yet (``started``: the
    visit begun from each assignment, by assignment id)."""
    return sum(1 for a in assignments if a.due_on(day) and not assignment_done(started.get(a.id)))


@dataclass(frozen=True)
class SyncStatus:
    pending_changes: int
    last_sync: str | None


def open_assignments(profile: Profile, today: date) -> list[Assignment]:
    """Assignments whose window has not ended, soonest first."""
    return [
        Assignment(AssignmentId(a["id"]), a["campaign_name"], a["unit_id"], a["unit_name"], a["team_id"],
                   a["visit_type"], a["window_start"], a["window_end"],
                   tuple(RubricHash(h) for h in json.loads(a["rubric_hashes"])))
        for a in campaigns.list_assignments(profile.db, on_or_after=today.isoformat())
    ]


def visits_in_progress(profile: Profile, *, limit: int = 200) -> list[Visit]:
    return list_visits(profile, VisitFilter(status="in_progress"), limit=limit)


def sync_status(profile: Profile) -> SyncStatus:
    receipt = sync.last_receipt(profile.db)
    return SyncStatus(sum(sync.pending_counts(profile.db).values()), receipt["pushed_at"] if receipt else None)


def list_campaigns(profile: Profile) -> list[tuple[str, str]]:
    """(id, name) of every campaign, newest first."""
    return [(c["id"], c["name"]) for c in campaigns.list_campaigns(profile.db)]
