"""Adding a finding (问题): description, severity, rectification requirement, deadline, who."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from PySide6.QtCore import QDate, QSize
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ui.widgets.geometry import place_window


@dataclass(frozen=True)
class FindingSpec:
    description: str
    requirement: str
    deadline: str
    responsible: str
    severity: str  # "general" | "major"
    rubric_hash: str | None = None
    item_code: str | None = None


class FindingDialog(QDialog):
    """Pre-filled from the current item; the deadline defaults to today + the deadline setting."""

    def __init__(self, *, description: str, today: date, deadline_days: int,
                 rubric_hash: str | None = None, item_code: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Add a finding"))
        self._where = (rubric_hash, item_code)
        self.description = QPlainTextEdit(description)
        self.description.setTabChangesFocus(True)
        self.description.setMinimumHeight(80)
        self.severity = QComboBox()
        self.severity.addItem(self.tr("General"), "general")
        self.severity.addItem(self.tr("Major"), "major")
        self.requirement = QPlainTextEdit()
        self.requirement.setTabChangesFocus(True)
        self.requirement.setPlaceholderText(self.tr("What the unit must do to rectify it"))
        self.requirement.setMinimumHeight(60)
        self.deadline = QDateEdit()
        self.deadline.setCalendarPopup(True)
        due = today + timedelta(days=deadline_days)
        self.deadline.setDate(QDate(due.year, due.month, due.day))
        self.responsible = QLineEdit()
        self.responsible.setPlaceholderText(self.tr("Person or department responsible"))
        form = QFormLayout()
        form.addRow(self.tr("&Description:"), self.description)
        form.addRow(self.tr("&Severity:"), self.severity)
        form.addRow(self.tr("&Requirement:"), self.requirement)
        form.addRow(self.tr("D&eadline:"), self.deadline)
        form.addRow(self.tr("Res&ponsible:"), self.responsible)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.description.textChanged.connect(self._check)
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(self.buttons)
        place_window(self, "FindingDialog", QSize(560, self.sizeHint().height()))
        self._check()

    def _check(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(self.description.toPlainText().strip()))

    def spec(self) -> FindingSpec:
        return FindingSpec(
            description=self.description.toPlainText().strip(),
            requirement=self.requirement.toPlainText().strip(),
            deadline=self.deadline.date().toString("yyyy-MM-dd"),
            responsible=self.responsible.text().strip(),
            severity=self.severity.currentData(),
            rubric_hash=self._where[0], item_code=self._where[1],
        )
