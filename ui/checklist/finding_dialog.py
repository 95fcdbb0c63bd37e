"""Adding a finding (问题): description, the item it concerns (if any), severity, rectification
requirement, deadline, who."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from PySide6.QtCore import QDate, QSize, Qt
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
from ui.widgets.i18n import date_format


@dataclass(frozen=True)
class FindingSpec:
    description: str
    requirement: str
    deadline: str
    responsible: str
    severity: str  # "general" | "major"
    rubric_hash: str | None = None
    item_code: str | None = None


# (rubric hash, item code) of an item a finding can be linked to, and how it is named.
LinkChoice = tuple[tuple[str, str], str]


class FindingDialog(QDialog):
    """A new finding starts empty and belongs to the visit as a whole; it is linked to an item
    only when the inspector picks one. The deadline defaults to today + the deadline setting."""

    def __init__(self, *, today: date, deadline_days: int, items: Sequence[LinkChoice] = (),
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Add a finding"))
        self.description = QPlainTextEdit()
        self.description.setTabChangesFocus(True)
        self.description.setMinimumHeight(80)
        self.description.setPlaceholderText(self.tr("What is wrong, as the unit will read it"))
        self.item = QComboBox()
        self.item.addItem(self.tr("None: the visit as a whole"), None)
        for key, name in items:
            self.item.addItem(name, key)
            self.item.setItemData(self.item.count() - 1, name, Qt.ItemDataRole.ToolTipRole)
        # Item texts are long: the box stays narrow and its list shows them whole.
        self.item.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.item.setMinimumContentsLength(24)
        self.severity = QComboBox()
        self.severity.addItem(self.tr("General"), "general")
        self.severity.addItem(self.tr("Major"), "major")
        self.requirement = QPlainTextEdit()
        self.requirement.setTabChangesFocus(True)
        self.requirement.setPlaceholderText(self.tr("What the unit must do to rectify it"))
        self.requirement.setMinimumHeight(60)
        self.deadline = QDateEdit()
        self.deadline.setCalendarPopup(True)
        self.deadline.setDisplayFormat(date_format())
        due = today + timedelta(days=deadline_days)
        self.deadline.setDate(QDate(due.year, due.month, due.day))
        self.responsible = QLineEdit()
        self.responsible.setPlaceholderText(self.tr("Person or department responsible"))
        form = QFormLayout()
        form.addRow(self.tr("&Description:"), self.description)
        form.addRow(self.tr("&Item:"), self.item)
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
        chain = [self.description, self.item, self.severity, self.requirement, self.deadline, self.responsible]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)
        place_window(self, "FindingDialog", QSize(600, 460))
        self._check()
        self.description.setFocus()

    def _check(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(self.description.toPlainText().strip()))

    def spec(self) -> FindingSpec:
        link = self.item.currentData()
        return FindingSpec(
            description=self.description.toPlainText().strip(),
            requirement=self.requirement.toPlainText().strip(),
            deadline=self.deadline.date().toString("yyyy-MM-dd"),
            responsible=self.responsible.text().strip(),
            severity=self.severity.currentData(),
            rubric_hash=link[0] if link else None, item_code=link[1] if link else None,
        )
