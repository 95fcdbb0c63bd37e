"""Amending a finalized visit (with a reason) and its audit trail of old -> new values."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QDateTime, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.models import AuditEntry
from app.rubric import Item
from ui.checklist.answers import Draft
from ui.checklist.editors import make_editor
from ui.checklist.text import label_text, number


def describe_value(item: Item | None, value: Any, na: bool) -> str:
    """An answer in words: a level's label, pass/fail, counts, the raw indicator numbers."""
    if na:
        return QCoreApplication.translate("AuditTrailDialog", "N/A")
    if value is None:
        return QCoreApplication.translate("AuditTrailDialog", "(no answer)")
    if item is None:
        return json.dumps(value, ensure_ascii=False)
    if item.kind == "passfail":
        return QCoreApplication.translate("AuditTrailDialog", "Pass") if value else QCoreApplication.translate("AuditTrailDialog", "Fail")
    if item.kind == "level":
        return next((label_text(lv.label) for lv in item.levels if lv.code == value), str(value))
    if item.kind == "deduction":
        names = {d.code: label_text(d.label) for d in item.deductions}
        parts = [f"{names.get(k, k)} × {n}" for k, n in value.items() if n]
        return "; ".join(parts) or QCoreApplication.translate("AuditTrailDialog", "No deductions")
    if item.kind == "indicator":
        return " / ".join(number(value[k]) for k in ("numerator", "denominator") if k in value)
    if item.kind in ("points", "count"):
        return number(value)
    return str(value)


class AmendDialog(QDialog):
    """A new answer for one item of a finalized visit, and the reason for the change."""

    def __init__(self, item: Item, draft: Draft, where: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Amend {code}").format(code=item.code))
        self.item = item
        self.value: Any = draft.value
        title = QLabel(f"{where}\n{item.code}  {label_text(item.text)}")
        title.setWordWrap(True)
        self.editor = make_editor(item, self)
        self.editor.set_value(None if draft.na else draft.value)
        self.editor.valueEdited.connect(self._edited)
        self.na = QCheckBox(self.tr("Not &applicable"))
        self.na.setChecked(draft.na)
        self.na.setVisible(item.na_allowed)
        self.na.toggled.connect(lambda on: self.editor.set_read_only(on))
        # What a gap may still need: the reason for an award below the maximum, and the note.
        item_reason_label = QLabel(self.tr("Reason for an award below the maximum:"))
        self.item_reason = QPlainTextEdit(draft.reason)
        self.item_reason.setObjectName("amendItemReason")
        self.item_reason.setTabChangesFocus(True)
        self.item_reason.setFixedHeight(56)
        note_label = QLabel(self.tr("Note:"))
        self.note = QPlainTextEdit(draft.note)
        self.note.setObjectName("amendNote")
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(56)
        reason_label = QLabel(self.tr("&Reason for the change (kept in the audit trail):"))
        self.reason = QPlainTextEdit()
        self.reason.setTabChangesFocus(True)
        self.reason.setFixedHeight(80)
        reason_label.setBuddy(self.reason)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("A&mend"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.reason.textChanged.connect(self._check)
        box = QVBoxLayout(self)
        box.addWidget(title)
        box.addWidget(self.editor)
        box.addWidget(self.na)
        for widget in (item_reason_label, self.item_reason, note_label, self.note):
            box.addWidget(widget)
        box.addWidget(reason_label)
        box.addWidget(self.reason)
        box.addWidget(self.buttons)
        self.resize(560, self.sizeHint().height())
        self._check()
        self.editor.focus_entry()

    def _edited(self, value: Any) -> None:
        self.value = value

    def _check(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(self.reason.toPlainText().strip()))

    def reason_text(self) -> str:
        return self.reason.toPlainText().strip()


class AuditTrailDialog(QDialog):
    """Every amendment: the item, old -> new, the reason and when."""

    def __init__(self, entries: list[AuditEntry], item_of: Callable[[str], tuple[Item | None, str]],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Audit trail"))
        self.table = QTableWidget(len(entries), 5)
        self.table.setObjectName("auditTable")
        self.table.setHorizontalHeaderLabels([self.tr("Item"), self.tr("Old"), self.tr("New"),
                                              self.tr("Reason"), self.tr("Time")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        for row, entry in enumerate(entries):
            item, where = item_of(entry.row_id)
            cells = [where, self._state(item, entry.old_value), self._state(item, entry.new_value),
                     entry.reason, self._time(entry.at)]
            for col, text in enumerate(cells):
                self.table.setItem(row, col, QTableWidgetItem(text))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        empty = QLabel(self.tr("No amendments."))
        empty.setVisible(not entries)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addWidget(empty)
        box.addWidget(self.table, 1)
        box.addWidget(buttons)
        self.resize(820, 360)

    def _state(self, item: Item | None, raw: str | None) -> str:
        state = json.loads(raw) if raw else None
        if state is None:
            return self.tr("(no answer)")
        if not isinstance(state, dict) or "na" not in state:
            return str(state)  # not an answer: a photo added or a signature, say
        text = describe_value(item, state.get("value"), bool(state.get("na")))
        if state.get("reason"):
            text += " — " + state["reason"]
        if state.get("note"):
            text += " · " + self.tr("note: {note}").format(note=state["note"])
        return text

    def _time(self, at: str) -> str:
        stamp = QDateTime.fromString(at[:23], Qt.DateFormat.ISODateWithMs)
        if not stamp.isValid():
            return at
        stamp.setTimeZone(stamp.timeZone().utc())
        return stamp.toLocalTime().toString("yyyy-MM-dd HH:mm")
