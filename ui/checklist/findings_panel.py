"""Findings of this visit, good practices, and on a follow-up visit the unit's open findings.

Photos dropped on a finding (files, or thumbnails dragged from the item's strip) attach to it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.findings import TRANSITIONS
from app.models import Finding, GoodPractice
from ui.checklist.photo_strip import evidence_ids, local_paths
from ui.widgets.i18n import format_date, format_datetime

if TYPE_CHECKING:
    from ui.checklist.visit_data import EarlierHistory

FINDING_ROLE = Qt.ItemDataRole.UserRole + 1


def _severity(severity: str) -> str:
    # translate() with the widget's own context: lupdate files panel.tr() under "panel".
    if severity == "major":
        return QCoreApplication.translate("FindingsPanelWidget", "Major")
    return QCoreApplication.translate("FindingsPanelWidget", "General")


class FindingListWidget(QListWidget):
    """The visit's findings; a drop of photos on one emits it with the files or photo ids."""

    photosDropped = Signal(object, list)  # Finding, file paths
    evidenceDropped = Signal(object, list)  # Finding, ids of photos already imported

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.read_only = False

    def _finding_at(self, event: QDropEvent | QDragMoveEvent) -> Finding | None:
        item = self.itemAt(event.position().toPoint())
        return item.data(FINDING_ROLE) if item is not None else None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        mime = event.mimeData()
        if not self.read_only and (local_paths(mime) or evidence_ids(mime)):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        # Only a finding row takes photos; the gaps between rows refuse the drop.
        if not self.read_only and self._finding_at(event) is not None:
            self.setCurrentItem(self.itemAt(event.position().toPoint()))
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        finding = self._finding_at(event)
        mime = event.mimeData()
        if self.read_only or finding is None:
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        if evidence_ids(mime):
            self.evidenceDropped.emit(finding, evidence_ids(mime))
        elif local_paths(mime):
            self.photosDropped.emit(finding, local_paths(mime))


class FindingsPanelWidget(QWidget):
    addFindingRequested = Signal()
    statusRequested = Signal(str, str)  # finding id, new status
    practiceAdded = Signal(str)
    findingActivated = Signal(str, str)  # rubric hash, item code of a finding tied to an item
    photosDropped = Signal(object, list)  # Finding, file paths
    evidenceDropped = Signal(object, list)  # Finding, photo ids

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.earlier_title = QLabel(self.tr("Open findings from earlier visits: re-check them first"))
        self.earlier_title.setObjectName("panelTitle")
        self.earlier_title.setWordWrap(True)
        self.earlier = QListWidget()
        self.earlier.setObjectName("earlierFindings")
        self.earlier.setWordWrap(True)
        self.earlier.currentItemChanged.connect(self._earlier_selected)
        self.verify = QPushButton(self.tr("&Verified"))
        self.verify.clicked.connect(lambda: self._set_status("verified"))
        self.reopen = QPushButton(self.tr("Not fixed: re&open"))
        self.reopen.clicked.connect(lambda: self._set_status("reopened"))
        # What happened to the selected one since it was found: the inspectors' re-checks and
        # the office's moves (plan received, report received, verified, closed), with the notes.
        self.earlier_history = QLabel()
        self.earlier_history.setObjectName("earlierHistory")
        self.earlier_history.setWordWrap(True)
        self.earlier_history.setTextFormat(Qt.TextFormat.PlainText)
        self.earlier_history.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        earlier_buttons = QHBoxLayout()
        earlier_buttons.addWidget(self.verify)
        earlier_buttons.addWidget(self.reopen)
        earlier_buttons.addStretch(1)
        self.earlier_box = QWidget()
        eb = QVBoxLayout(self.earlier_box)
        eb.setContentsMargins(0, 0, 0, 8)
        eb.addWidget(self.earlier_title)
        eb.addWidget(self.earlier)
        eb.addWidget(self.earlier_history)
        eb.addLayout(earlier_buttons)

        findings_title = QLabel(self.tr("Findings"))
        findings_title.setObjectName("panelTitle")
        self.findings = FindingListWidget()
        self.findings.photosDropped.connect(self.photosDropped)
        self.findings.evidenceDropped.connect(self.evidenceDropped)
        self.findings.setToolTip(self.tr("Drop photos on a finding to attach them to it"))
        self.findings.setObjectName("findingsList")
        self.findings.setWordWrap(True)
        self.findings.itemActivated.connect(self._finding_activated)
        self.add_finding = QPushButton(self.tr("Add finding…"))
        self.add_finding.clicked.connect(self.addFindingRequested)

        practices_title = QLabel(self.tr("Good practices"))
        practices_title.setObjectName("panelTitle")
        self.practices = QListWidget()
        self.practices.setObjectName("practicesList")
        self.practices.setWordWrap(True)
        self.practice_text = QLineEdit()
        self.practice_text.setPlaceholderText(self.tr("A good practice worth sharing"))
        self.practice_text.returnPressed.connect(self._add_practice)
        self.add_practice = QPushButton(self.tr("Add"))
        self.add_practice.clicked.connect(self._add_practice)
        practice_row = QHBoxLayout()
        practice_row.addWidget(self.practice_text, 1)
        practice_row.addWidget(self.add_practice)

        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.earlier_box)
        box.addWidget(findings_title)
        box.addWidget(self.findings, 2)
        box.addWidget(self.add_finding, 0, Qt.AlignmentFlag.AlignLeft)
        box.addWidget(practices_title)
        box.addWidget(self.practices, 1)
        box.addLayout(practice_row)
        self._earlier: dict[str, Finding] = {}
        self._history: EarlierHistory | None = None

    def set_data(self, findings: list[Finding], practices: list[GoodPractice],
                 earlier: list[Finding], follow_up: bool, history: EarlierHistory | None = None) -> None:
        self._history = history
        self.findings.clear()
        for f in findings:
            # The item a finding concerns leads its text, as on the printed sheet.
            description = f"{f.item_code}  {f.description}" if f.item_code else f.description
            text = self.tr("[{severity}] {description}").format(severity=_severity(f.severity), description=description)
            if f.deadline:
                text += "\n" + self.tr("Rectify by {deadline}, {responsible}").format(
                    deadline=format_date(f.deadline), responsible=f.responsible or "—")
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, (f.rubric_hash, f.item_code))
            item.setData(FINDING_ROLE, f)
            self.findings.addItem(item)
        self.practices.clear()
        for p in practices:
            self.practices.addItem(p.text)
        current = self.earlier.currentItem()
        keep = current.data(Qt.ItemDataRole.UserRole) if current else None
        self.earlier.clear()
        self._earlier = {f.id: f for f in earlier}
        for f in earlier:
            item = QListWidgetItem(self.tr("[{status}] {description}").format(status=self.status_text(f.status), description=f.description))
            item.setData(Qt.ItemDataRole.UserRole, f.id)
            self.earlier.addItem(item)
            if f.id == keep:
                self.earlier.setCurrentItem(item)
        self.earlier_box.setVisible(follow_up)
        self._earlier_selected()

    def status_text(self, status: str) -> str:
        return {
            "open": self.tr("open"), "reported_fixed": self.tr("reported fixed"),
            "verified": self.tr("verified"), "reopened": self.tr("reopened"),
            "closed": self.tr("closed"), "fixed_on_site": self.tr("fixed on site"),
            "plan_received": self.tr("plan received"),
        }.get(status, status)

    def set_read_only(self, read_only: bool) -> None:
        for w in (self.add_finding, self.practice_text, self.add_practice):
            w.setEnabled(not read_only)
        self.findings.read_only = read_only

    def _selected_earlier(self) -> Finding | None:
        item = self.earlier.currentItem()
        return self._earlier.get(item.data(Qt.ItemDataRole.UserRole)) if item else None

    def _earlier_selected(self, *_: object) -> None:
        f = self._selected_earlier()
        allowed = TRANSITIONS.get(f.status, frozenset()) if f else frozenset()
        self.verify.setEnabled("verified" in allowed)
        self.reopen.setEnabled("reopened" in allowed)
        self.earlier_history.setText(self.history_text(f) if f else "")
        self.earlier_history.setVisible(f is not None)

    def history_text(self, finding: Finding) -> str:
        """One line per event, oldest first: when, the status, who, and the note."""
        history = self._history
        events = history.events.get(finding.id, []) if history else []
        lines = []
        for e in events:
            if e.by_inspector:
                who = history.names.get(e.by_inspector, "") if history else ""
            else:
                # Written by no inspector and at no visit: a move the office made on its pages.
                who = self.tr("the office") if e.visit_id is None else ""
            line = f"{format_datetime(e.at)}  {self.status_text(e.status)}"
            if who:
                line += f" · {who}"
            if e.note:
                line += f": {e.note}"
            lines.append(line)
        return "\n".join(lines) if lines else self.tr("No history recorded.")

    def _set_status(self, status: str) -> None:
        f = self._selected_earlier()
        if f is not None:
            self.statusRequested.emit(f.id, status)

    def _add_practice(self) -> None:
        text = self.practice_text.text().strip()
        if text:
            self.practice_text.clear()
            self.practiceAdded.emit(text)

    def _finding_activated(self, item: QListWidgetItem) -> None:
        rubric_hash, code = item.data(Qt.ItemDataRole.UserRole)
        if rubric_hash and code:
            self.findingActivated.emit(rubric_hash, code)
