"""The page's visit-level flows: gap check, signatures, finalize, amend, audit (findings and
practices are ui.checklist.finding_flows, photos ui.evidence.photo_flows).

Each flow runs its service call through the task runner and opens its dialog with ``open()``
(never ``exec()``), so nothing blocks and tests can drive the dialog.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QDialog, QMessageBox

from app.finalize import amend_response, finalize_policy, finalize_visit
from app.gaps import GapEntry, gap_check
from app.rubric import Answer, Item
from app.signatures import ROLES, add_signature
from app.visits import audit_trail
from ui.checklist.finding_flows import FindingFlows
from ui.checklist.gap_dialog import GapDialog
from ui.checklist.signature_pad import SignatureDialog
from ui.checklist.text import label_text
from ui.checklist.visit_data import load_side
from ui.checklist.visit_dialogs import AmendDialog, AuditTrailDialog
from ui.evidence.photo_flows import PhotoFlows

# The feedback sheet on site: one copy stays with the unit, one goes into the visit's file.
ON_SITE_COPIES = 2

if TYPE_CHECKING:
    from ui.checklist.checklist_page import ChecklistPage as _Page
else:
    _Page = object


class PageFlowsMixin(_Page):
    def connect_flows(self) -> None:
        self.score.gapsClicked.connect(self.gap_check)
        self.finding_flows = FindingFlows(self)
        self.photo_flows = PhotoFlows(self)

    # --- shared ---------------------------------------------------------------------------------

    def status_text(self, status: str) -> str:
        return {"in_progress": self.tr("In progress"), "finalized": self.tr("Finalized"),
                "amended": self.tr("Finalized, amended"), "cancelled": self.tr("Cancelled"),
                "planned": self.tr("Planned")}.get(status, status)

    def show_error(self, exc: BaseException) -> None:
        if not isinstance(exc, Exception):
            raise exc
        self.saved.setText(self.tr("Error: {error}").format(error=exc))
        self.saved.setProperty("error", True)
        self.saved.style().polish(self.saved)

    def missing_signatures(self) -> int:
        if self.data is None:
            return 0
        signed = {s.role for s in self.data.signatures}
        return sum(1 for role in ROLES if role not in signed)

    @property
    def asks_new_signatures(self) -> bool:
        """An amendment changed what was signed: the roles sign the new version again."""
        return self.read_only and self.data is not None and self.data.visit.version > 0

    def update_actions(self) -> None:
        locked = self.read_only
        for name in ("finding", "practice", "photos", "finalize", "undo", "redo"):
            self.actions_by_name[name].setVisible(not locked)
            self.actions_by_name[name].setEnabled(not locked)
        signable = not locked or self.asks_new_signatures
        for name in ("sign_leader", "sign_head"):
            self.actions_by_name[name].setVisible(signable)
            self.actions_by_name[name].setEnabled(signable)
        for name in ("amend", "print_copies"):
            self.actions_by_name[name].setVisible(locked)
            self.actions_by_name[name].setEnabled(locked)
        self.actions_by_name["audit"].setVisible(locked)
        for name, button in self.action_buttons.items():
            button.setVisible(self.actions_by_name[name].isVisible())

    def show_side(self) -> None:
        data = self.data
        if data is None:
            return
        self.findings.set_data(data.findings, data.practices, data.earlier_findings,
                               data.visit.visit_type == "follow_up", data.earlier_history)
        self.signature_status.set_signatures(data.signatures, data.visit.version)
        if self.current is not None:
            self.score.set_result(data.scorers[self.current[0]].result, self.missing_signatures())

    def run_service(self, fn: Callable[[], Any], then: Callable[[Any], None] | None = None, label: str = "") -> None:
        """Run a visit-level service; on success refresh the side panels and tell the shell."""
        def done(value: Any) -> None:
            if then is not None:
                then(value)
            self.reload_side()
        self.runner.run(fn, on_done=done, on_error=self.show_error, label=label)

    def reload_side(self) -> None:
        if self.data is None:
            return
        profile, visit_id = self.profile, self.data.visit.id

        def done(side: tuple) -> None:
            if self.data is not None and self.data.visit.id == visit_id:
                (self.data.findings, self.data.practices, self.data.signatures, self.data.earlier_findings,
                 self.data.earlier_history) = side
                self.show_side()
                self.visitChanged.emit(visit_id)
        self.runner.run(lambda: load_side(profile, visit_id), on_done=done, on_error=self.show_error)

    def open_dialog(self, dialog: QDialog, on_accept: Callable[[], None]) -> None:
        self.dialog = dialog

        def finished(code: int) -> None:
            self.dialog = None
            if code == QDialog.DialogCode.Accepted:
                on_accept()
            dialog.deleteLater()
        dialog.finished.connect(finished)
        dialog.open()
        dialog.activateWindow()

    def describe(self, rubric_hash: str, code: str) -> str:
        if self.data is None or rubric_hash not in self.data.rubrics:
            return code
        item = self.data.rubrics[rubric_hash].items.get(code)
        return f"{code} {label_text(item.text)}" if item else code

    # --- gap check, signatures, finalize ---------------------------------------------------------

    def gap_check(self, finalizing: bool = False) -> None:
        if self.data is None or self.dialog is not None:
            return
        self.writer.flush()
        profile, visit = self.profile, self.data.visit

        def check() -> tuple[list[GapEntry], bool]:
            return gap_check(profile, visit.id), finalize_policy(profile, visit) == "forbid"
        self.runner.run(check, on_done=lambda found: self._show_gaps(*found, finalizing),
                        on_error=self.show_error, label="gap check")

    def _show_gaps(self, entries: list[GapEntry], forbidden: bool, finalizing: bool) -> None:
        dialog = GapDialog(entries, self.describe, finalizing=finalizing, forbidden=forbidden, parent=self)

        def accepted() -> None:
            if dialog.finalize_anyway:
                self._finalize_now(accept_gaps=bool(entries))
            elif dialog.chosen is not None:
                self._jump(dialog.chosen)
        self.open_dialog(dialog, accepted)

    def _jump(self, entry: GapEntry) -> None:
        if entry.kind == "signature_missing" and entry.role:
            self.sign(entry.role)
        elif entry.rubric_hash and entry.item_code:
            self.go_to(entry.rubric_hash, entry.item_code)
            if entry.kind == "no_reason":
                self.pane.reason.setFocus()
            else:
                self.pane.focus_entry()

    def sign(self, role: str) -> None:
        if self.data is None or self.dialog is not None:
            return
        if self.read_only and not self.asks_new_signatures:
            return
        data = self.data
        default = data.inspector_name if role == "team_leader" else ""
        if role == "team_leader" and not default:
            default = next((m.name for m in data.visit.members if m.role == "leader"), "")
        dialog = SignatureDialog(role, default, parent=self)
        profile, visit_id = self.profile, data.visit.id

        def accepted() -> None:
            name, png = dialog.name.text().strip(), dialog.pad.to_png()
            self.run_service(lambda: add_signature(profile, visit_id, role=role, signer_name=name, png=png),
                      label="signature")
        self.open_dialog(dialog, accepted)

    def finalize(self) -> None:
        if not self.read_only:
            self.gap_check(finalizing=True)

    def _finalize_now(self, *, accept_gaps: bool) -> None:
        if self.data is None:
            return
        self.writer.flush()
        profile, visit_id, where = self.profile, self.data.visit.id, self.current
        self.run_service(lambda: finalize_visit(profile, visit_id, accept_gaps=accept_gaps),
                  then=lambda _: self.open_visit(visit_id, *(where or (None, None))), label="finalize")

    def print_feedback_copies(self) -> None:
        """The on-site routine once the visit is final: the feedback sheet in two copies, one
        for the unit and one for the file, on the default printer; the preview shows how it
        goes and offers the PDF or a USB drive when nothing can print."""
        if self.data is None or not self.read_only:
            return
        from ui.print_preview_dialog import show_print_preview

        self.print_dialog = show_print_preview(self.window(), self.profile, self.runner, self.data.visit.id,
                                               "feedback", copies=ON_SITE_COPIES, direct=True)

    # --- photos ------------------------------------------------------------------------------

    def load_photos(self) -> None:
        self.photo_flows.load()

    def photo_count(self, key: tuple[str, str], count: int) -> None:
        """Photos count towards ``photo_required``: re-score when the item's count changed."""
        assert self.data is not None
        scorer = self.data.scorers[key[0]]
        answer = scorer.answers.get(key[1]) or Answer()
        item = self.data.rubrics[key[0]].items[key[1]]
        self.pane.photos.set_required(item.photo_required, count)
        if answer.photos != count:
            result = scorer.set_answer(key[1], replace(answer, photos=count))
            self.model.set_result(key[0], result, key[1])
            self.score.set_result(result, self.missing_signatures())
            self.pane.update_result(result)

    def attach_files(self, paths: list[str]) -> None:
        self.photo_flows.attach_files(paths)

    # --- amend and audit ------------------------------------------------------------------------

    def amend(self) -> None:
        if self.data is None or not self.read_only or self.current is None or self.dialog is not None:
            return
        key = self.current
        item = self.data.rubrics[key[0]].items[key[1]]
        dialog = AmendDialog(item, self.draft_of(key), self.model.path_text(*key), parent=self,
                             vetoes=[v for v in self.data.rubrics[key[0]].vetoes if v.item == key[1]])
        profile, visit_id = self.profile, self.data.visit.id

        def accepted() -> None:
            na, value, why = dialog.na.isChecked(), dialog.value, dialog.reason_text()
            note, reason, photos = dialog.note.toPlainText(), dialog.item_reason.toPlainText(), dialog.photo_paths
            if photos:
                # Imported on a file worker like any photo; the import is its own amendment.
                self.photo_flows.attach_by_amendment(photos, why)
            if dialog.answer_changed():
                self.run_service(lambda: amend_response(profile, visit_id, rubric_hash=key[0], item_code=key[1],
                                                 value=None if na else value, na=na, note=note, reason=reason,
                                                 reason_for_change=why),
                          then=lambda _: self.open_visit(visit_id, *key), label="amend")
        self.open_dialog(dialog, accepted)

    def show_audit(self) -> None:
        if self.data is None or self.dialog is not None:
            return
        profile, visit_id = self.profile, self.data.visit.id

        def item_of(row_id: str) -> tuple[Item | None, str]:
            rubric_hash, _, code = row_id.partition(":")
            rubric = self.data.rubrics.get(rubric_hash) if self.data else None
            return (rubric.items.get(code) if rubric else None), self.describe(rubric_hash, code)

        self.runner.run(lambda: audit_trail(profile, visit_id),
                        on_done=lambda entries: self.open_dialog(AuditTrailDialog(entries, item_of, parent=self), lambda: None),
                        on_error=self.show_error, label="audit trail")

    def request_close(self) -> None:
        self.writer.flush()
        self.closeRequested.emit()

    def confirm(self, text: str) -> bool:
        return QMessageBox.question(self, self.windowTitle(), text) == QMessageBox.StandardButton.Yes
