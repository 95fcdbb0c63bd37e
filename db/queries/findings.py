"""Findings, their status history, and good practices."""

from __future__ import annotations

from typing import TYPE_CHECKING

from db.rows import fetch_all, fetch_one

if TYPE_CHECKING:
    from sqlite_utils import Database


# A finding's status is not stored: it is its latest live event, by the event's time and then its
# revision, so events written by the office and by inspectors on several laptops merge into one
# answer. A finding with no event yet (pulled before its first event) is open.
STATUS = (
    "coalesce((SELECT e.status FROM finding_events e WHERE e.finding_id = f.id AND e.deleted = 0 "
    "ORDER BY e.at DESC, e.rev DESC LIMIT 1), 'open')"
)
FINDING = f"SELECT f.*, {STATUS} AS status FROM findings f"

# Display order is creation order as the laptops saw it, by revision stamp (app.hlc), never by
# ``created_at``: a clock set back makes a later finding's wall time earlier, its stamp never.
# A finding's own revision moves when a person settles a conflict over it; its first event is
# written in the same transaction with the same stamp and events are never rewritten, so the
# smallest of the two is the stamp it was created with. Good practices have no events, and no
# action here changes one but settling a conflict: their revision is their creation stamp.
CREATED = "min(f.rev, coalesce((SELECT min(e.rev) FROM finding_events e WHERE e.finding_id = f.id), f.rev))"


def get_finding(db: Database, finding_id: str) -> dict | None:
    return fetch_one(db, f"{FINDING} WHERE f.id = ? AND f.deleted = 0", (finding_id,))


def list_findings(db: Database, visit_id: str) -> list[dict]:
    return fetch_all(
        db,
        f"{FINDING} WHERE f.visit_id = ? AND f.deleted = 0 ORDER BY {CREATED}, f.id",
        (visit_id,),
    )


def open_findings_of_unit(db: Database, unit_id: str) -> list[dict]:
    return fetch_all(
        db,
        f"SELECT * FROM (SELECT f.*, {STATUS} AS status, {CREATED} AS created_rev FROM findings f "
        "WHERE f.unit_id = ? AND f.deleted = 0) "
        "WHERE status IN ('open', 'plan_received', 'reported_fixed', 'reopened') ORDER BY deadline, created_rev, id",
        (unit_id,),
    )


def events(db: Database, finding_id: str) -> list[dict]:
    return fetch_all(
        db,
        "SELECT * FROM finding_events WHERE finding_id = ? AND deleted = 0 ORDER BY at, rev",
        (finding_id,),
    )


def list_practices(db: Database, visit_id: str) -> list[dict]:
    return fetch_all(
        db,
        "SELECT * FROM good_practices WHERE visit_id = ? AND deleted = 0 ORDER BY rev, id",
        (visit_id,),
    )
