"""Findings (问题) with their rectification loop, and good practices (好的做法).

A finding moves through statuses; every move is a row in its history, so the office can see
who verified what and when. A fix made during the visit closes at once (立行立改). The status is
that history's latest event (``db.queries.findings.STATUS``), never a copy kept on the finding, so
the office's events and the inspectors' merge by time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from app.changes import OpChanges, OpChangesWithId
from app.errors import InvalidAnswer, NotFound, VisitLocked
from app.ids import new_id
from app.models import Finding, FindingEvent, GoodPractice
from app.profile import Profile, Tx
from app.visits import get_visit
from db import rows
from db.codes import FINDING_STATUSES, SEVERITIES
from db.queries import findings as fq

# Which status may follow which. The rectification loop: the unit's plan arrives
# (plan_received), its report that the fix is done (reported_fixed, "report received"), an
# inspector verifies the fix on a later visit (verified), the office closes it (closed, 销号).
# ``reopened`` is "a check found it not fixed": a follow-up visit may record it whatever the
# finding's state short of closed-and-fixed, again on each later follow-up, and a closed or
# fixed-on-site finding found broken again is reopened too. The server validates the office's
# changes with this same table (server.rectification).
TRANSITIONS: dict[str, frozenset[str]] = {
    "open": frozenset({"plan_received", "reported_fixed", "verified", "closed", "fixed_on_site", "reopened"}),
    "plan_received": frozenset({"reported_fixed", "verified", "closed", "reopened"}),
    "reported_fixed": frozenset({"verified", "reopened", "closed"}),
    "verified": frozenset({"closed", "reopened"}),
    "reopened": frozenset({"plan_received", "reported_fixed", "verified", "closed", "reopened"}),
    "fixed_on_site": frozenset({"reopened"}),
    "closed": frozenset({"reopened"}),
}
# Statuses in which the finding is not (yet) fixed: overdue past its deadline, and escalated
# after two follow-ups that found it not fixed (server.dashboard.figures).
NOT_FIXED = frozenset({"open", "plan_received", "reported_fixed", "reopened"})


def _event(tx: Tx, finding_id: str, status: str, note: str, visit_id: str | None, by: str | None) -> None:
    rows.insert(tx.db, "finding_events", {
        "id": new_id(), "finding_id": finding_id, "visit_id": visit_id, "status": status,
        "note": note, "at": event_time(tx.now, [e["at"] for e in fq.events(tx.db, finding_id)]),
        "by_inspector": by or tx.by,
    }, tx.meta)


def event_time(now: str, earlier: list[str]) -> str:
    """The time of a new event: ``now``, or one millisecond after the latest event it follows when
    that one carries a later time.

    The status is the latest event by time, so a new event must sort after every event this
    laptop has seen: after its own, when its clock was set back since (a flat CMOS battery, a
    wrong time zone corrected), and after a team-mate's or the office's whose clock runs ahead.
    The server dates the office's events the same way (``server.rectification``).
    """
    moment = datetime.fromisoformat(now)
    for text in earlier:
        try:
            before = datetime.fromisoformat(text)
        except (TypeError, ValueError):
            continue  # a time this laptop cannot read orders nothing
        if before.tzinfo is not None and before >= moment:
            moment = before + timedelta(milliseconds=1)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def add_finding(
    profile: Profile, visit_id: str, *, description: str, requirement: str = "",
    deadline: str | None = None, responsible: str = "", severity: str = "general",
    rubric_hash: str | None = None, item_code: str | None = None,
    fixed_on_site: bool = False, by: str | None = None,
) -> OpChangesWithId:
    visit = get_visit(profile, visit_id)
    if visit.locked or visit.status == "cancelled":
        raise VisitLocked(f"visit {visit_id} is {visit.status}; findings cannot be added to it")
    if not description.strip():
        raise InvalidAnswer("a finding needs a description")
    if severity not in SEVERITIES:
        raise InvalidAnswer(f"unknown severity {severity!r}; one of {', '.join(SEVERITIES)}")
    if deadline is not None:
        try:
            date.fromisoformat(deadline)
        except ValueError as exc:
            raise InvalidAnswer(f"deadline {deadline!r} is not a date (YYYY-MM-DD)") from exc
    if rubric_hash is not None and rubric_hash not in visit.rubric_hashes:
        raise InvalidAnswer(f"rubric {rubric_hash[:12]} is not pinned by this visit")
    finding_id = new_id()
    status = "fixed_on_site" if fixed_on_site else "open"
    with profile.transaction() as tx:
        rows.insert(tx.db, "findings", {
            "id": finding_id, "visit_id": visit_id, "unit_id": visit.unit_id,
            "rubric_hash": rubric_hash, "item_code": item_code, "description": description.strip(),
            "requirement": requirement, "deadline": deadline, "responsible": responsible,
            "severity": severity, "created_at": tx.now,
        }, tx.meta)
        _event(tx, finding_id, status, "", visit_id, by)
    return OpChangesWithId(finding_id, OpChanges(findings=True, visit_ids=frozenset({visit_id})))


def set_finding_status(
    profile: Profile, finding_id: str, status: str, *, note: str = "",
    visit_id: str | None = None, by: str | None = None,
) -> OpChanges:
    """Move a finding along its rectification loop; ``visit_id`` is the visit that checked it."""
    row = fq.get_finding(profile.db, finding_id)
    if row is None:
        raise NotFound(f"no finding with id {finding_id}")
    if status not in FINDING_STATUSES:
        raise InvalidAnswer(f"unknown finding status {status!r}")
    if status not in TRANSITIONS[row["status"]]:
        raise InvalidAnswer(f"a finding that is {row['status']} cannot become {status}")
    with profile.transaction() as tx:
        _event(tx, finding_id, status, note, visit_id, by)
    return OpChanges(findings=True, visit_ids=frozenset({row["visit_id"]}))


def close_finding(profile: Profile, finding_id: str, *, note: str = "", visit_id: str | None = None,
                  by: str | None = None) -> OpChanges:
    """Close (销号) a rectified finding."""
    return set_finding_status(profile, finding_id, "closed", note=note, visit_id=visit_id, by=by)


def list_findings(profile: Profile, visit_id: str) -> list[Finding]:
    return [Finding.from_row(r) for r in fq.list_findings(profile.db, visit_id)]


def open_findings_of_unit(profile: Profile, unit_id: str) -> list[Finding]:
    return [Finding.from_row(r) for r in fq.open_findings_of_unit(profile.db, unit_id)]


def finding_history(profile: Profile, finding_id: str) -> list[FindingEvent]:
    return [FindingEvent(e["status"], e["note"], e["at"], e["visit_id"], e["by_inspector"])
            for e in fq.events(profile.db, finding_id)]


def add_good_practice(profile: Profile, visit_id: str, text: str, *, rubric_hash: str | None = None,
                      item_code: str | None = None) -> OpChangesWithId:
    visit = get_visit(profile, visit_id)
    if visit.locked or visit.status == "cancelled":
        raise VisitLocked(f"visit {visit_id} is {visit.status}; good practices cannot be added to it")
    if not text.strip():
        raise InvalidAnswer("a good practice needs a text")
    practice_id = new_id()
    with profile.transaction() as tx:
        rows.insert(tx.db, "good_practices", {
            "id": practice_id, "visit_id": visit_id, "rubric_hash": rubric_hash,
            "item_code": item_code, "text": text.strip(), "created_at": tx.now,
        }, tx.meta)
    return OpChangesWithId(practice_id, OpChanges(practices=True, visit_ids=frozenset({visit_id})))


def list_good_practices(profile: Profile, visit_id: str) -> list[GoodPractice]:
    return [GoodPractice(p["id"], p["text"], p["item_code"]) for p in fq.list_practices(profile.db, visit_id)]
