"""Findings and good practices of the open visit: the dialog, the item a finding concerns, and
the service calls. The findings panel only emits requests; this carries them out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from app.findings import add_finding, add_good_practice, set_finding_status
from ui.checklist.finding_dialog import FindingDialog, LinkChoice

if TYPE_CHECKING:
    from ui.checklist.checklist_page import ChecklistPage


class FindingFlows(QObject):
    def __init__(self, page: ChecklistPage) -> None:
        super().__init__(page)
        self.page = page
        panel = page.findings
        panel.addFindingRequested.connect(self.add_finding)
        panel.statusRequested.connect(self.set_status)
        panel.practiceAdded.connect(self.add_practice)
        panel.findingActivated.connect(page.go_to)

    def link_choices(self) -> list[LinkChoice]:
        """Items a new finding may concern: the one on screen, then those awarded below the maximum."""
        page = self.page
        if page.data is None:
            return []
        keys = [page.current] if page.current is not None else []
        for rubric_hash, scorer in page.data.scorers.items():
            for code, result in scorer.result.items.items():
                if result.answered and not result.na and result.awarded < result.maximum:
                    keys.append((rubric_hash, code))
        unique = list(dict.fromkeys(keys))
        return [(key, page.describe(*key)) for key in unique]

    def add_finding(self) -> None:
        page = self.page
        if page.data is None or page.read_only or page.dialog is not None:
            return
        data = page.data
        dialog = FindingDialog(today=data.today, deadline_days=data.deadline_days, items=self.link_choices(),
                               parent=page)
        profile, visit_id = page.profile, data.visit.id

        def accepted() -> None:
            spec = dialog.spec()
            page.run_service(lambda: add_finding(profile, visit_id, description=spec.description,
                                                 requirement=spec.requirement, deadline=spec.deadline,
                                                 responsible=spec.responsible, severity=spec.severity,
                                                 rubric_hash=spec.rubric_hash, item_code=spec.item_code),
                             label="add finding")
        page.open_dialog(dialog, accepted)

    def set_status(self, finding_id: str, status: str) -> None:
        page = self.page
        if page.data is None or page.read_only:
            return
        profile, visit_id = page.profile, page.data.visit.id
        page.run_service(lambda: set_finding_status(profile, finding_id, status, visit_id=visit_id),
                         label="finding status")

    def add_practice(self, text: str) -> None:
        page = self.page
        if page.data is None or page.read_only:
            return
        profile, visit_id = page.profile, page.data.visit.id
        page.run_service(lambda: add_good_practice(profile, visit_id, text), label="add practice")

    def focus_practice(self) -> None:
        self.page.findings.practice_text.setFocus()
