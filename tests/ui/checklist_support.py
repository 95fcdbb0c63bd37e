"""Shared set-up for the checklist page tests: a profile with two sample rubrics and visits."""

from __future__ import annotations

from dataclasses import dataclass

from app.profile import Profile
from app.rubric.samples import load_sample
from app.rubric_store import import_document
from app.visits import NewVisit, create_visit
from tests.conftest import Seeded
from ui.checklist import ChecklistPage
from ui.tasks import SyncTaskRunner

TODAY = "2026-11-24"


@dataclass(frozen=True)
class Checklist:
    profile: Profile
    school: str  # standardized-school rubric hash
    monthly: str  # double-reduction rubric hash
    school_visit: str
    monthly_visit: str


def make_checklist(seeded: Seeded) -> Checklist:
    profile = seeded.profile
    school, _ = import_document(profile, load_sample("standardized-school"))
    monthly, _ = import_document(profile, load_sample("double-reduction-monthly"))

    def visit(rubric_hash: str, kind: str) -> str:
        return create_visit(profile, NewVisit(unit_id=seeded.unit_id, visit_type=kind, starts_on=TODAY,
                                              rubric_hashes=[rubric_hash], team_id=seeded.team_id)).id
    return Checklist(profile, school.hash, monthly.hash, visit(school.hash, "preliminary_review"),
                     visit(monthly.hash, "routine"))


def open_page(qtbot, checklist: Checklist, visit_id: str) -> ChecklistPage:
    page = ChecklistPage(checklist.profile, SyncTaskRunner())
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    with qtbot.waitSignal(page.visitOpened, timeout=5000):
        page.open_visit(visit_id)
    return page
