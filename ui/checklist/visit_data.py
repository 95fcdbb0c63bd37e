"""Everything the checklist page shows about one visit, loaded in one background task.

``load_visit`` runs on the task runner's database thread; it only reads and returns frozen
values plus one live ``Scorer`` per rubric, which from then on belongs to the UI thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from app.findings import finding_history, list_findings, list_good_practices, open_findings_of_unit
from app.models import Finding, FindingEvent, GoodPractice, Response, Visit
from app.people import list_inspectors
from app.profile import Profile
from app.rubric import Rubric, Scorer
from app.rubric_store import get_rubric
from app.scores import live_scorer
from app.settings import get_setting
from app.signatures import Signature, list_signatures
from app.visits import get_visit, list_responses


@dataclass(frozen=True)
class EarlierHistory:
    events: dict[str, list[FindingEvent]]
    # inspector id -> name, for the events' "by"
    names: dict[str, str]


def _earlier(profile: Profile, visit: Visit) -> tuple[list[Finding], EarlierHistory]:
    if visit.visit_type != "follow_up":
        return [], EarlierHistory({}, {})
    found = [f for f in open_findings_of_unit(profile, visit.unit_id) if f.visit_id != visit.id]
    names = {i.id: i.name for i in list_inspectors(profile)} if found else {}
    return found, EarlierHistory({f.id: finding_history(profile, f.id) for f in found}, names)


@dataclass
class VisitData:
    visit: Visit
    rubrics: dict[str, Rubric]
    scorers: dict[str, Scorer]
    # (rubric hash, item code) -> stored response
    responses: dict[tuple[str, str], Response]
    findings: list[Finding]
    practices: list[GoodPractice]
    signatures: list[Signature]
    # Open findings from the unit's earlier visits; filled for follow-up visits only.
    earlier_findings: list[Finding] = field(default_factory=list)
    # Each earlier finding's history (the office's moves among them), with the people's names.
    earlier_history: EarlierHistory = field(default_factory=lambda: EarlierHistory({}, {}))
    deadline_days: int = 30
    inspector_name: str = ""
    today: date = field(default_factory=date.today)


def load_visit(profile: Profile, visit_id: str) -> VisitData:
    visit = get_visit(profile, visit_id)
    rubrics = {h: get_rubric(profile, h) for h in visit.rubric_hashes}
    scorers = {h: live_scorer(profile, visit_id, h) for h in visit.rubric_hashes}
    responses = {(r.rubric_hash, r.item_code): r for r in list_responses(profile, visit_id)}
    earlier, history = _earlier(profile, visit)
    return VisitData(
        visit=visit, rubrics=rubrics, scorers=scorers, responses=responses,
        findings=list_findings(profile, visit_id), practices=list_good_practices(profile, visit_id),
        signatures=list_signatures(profile, visit_id), earlier_findings=earlier, earlier_history=history,
        deadline_days=int(get_setting(profile, "deadline_days")),  # type: ignore[call-overload]
        inspector_name=str(get_setting(profile, "inspector_name")),
    )


def load_side(profile: Profile, visit_id: str) -> tuple[list[Finding], list[GoodPractice], list[Signature],
                                                        list[Finding], EarlierHistory]:
    """The findings, practices, signatures and earlier findings (with their history) after one of
    them changed."""
    visit = get_visit(profile, visit_id)
    earlier, history = _earlier(profile, visit)
    return (list_findings(profile, visit_id), list_good_practices(profile, visit_id),
            list_signatures(profile, visit_id), earlier, history)
