"""Amending a finalized visit (with a reason) and its audit trail of old -> new values."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QSize
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.models import AuditEntry
from app.rubric import Item, Veto
from ui.checklist.answers import Draft
from ui.checklist.editors import make_editor
from ui.checklist.text import label_text, number
from ui.widgets.geometry import place_window
from ui.widgets.i18n import format_datetime


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

    def __init__(self, item: Item, draft: Draft, where: str, parent: QWidget | None = None,
                 vetoes: Sequence[Veto] = ()) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Amend {code}").format(code=item.code))
        self.item = item
        self.draft = draft
        self.value: Any = draft.value
        self.photo_paths: list[str] = []
        title = QLabel(f"{where}\n{item.code}  {label_text(item.text)}")
        title.setWordWrap(True)
        self.editor = make_editor(item, self, vetoes)
        self.editor.set_value(None if draft.na else draft.value)
        self.editor.valueEdited.connect(self._edited)
        self.na = QCheckBox(self.tr("Not &applicable"))
        self.na.setChecked(draft.na)
        self.na.setVisible(item.na_allowed)
        self.na.toggled.connect(lambda on: (self.editor.set_read_only(on), self._check()))
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
        self.note.textChanged.connect(lambda: self._check())
        self.item_reason.textChanged.connect(lambda: self._check())
        # A photo the item requires can be added by the amendment too.
        photos_row = QHBoxLayout()
        self.photos_label = QLabel(self.tr("No photos to add."))
        self.photos_label.setWordWrap(True)
        self.add_photos = QPushButton(self.tr("Add &photos…"))
        self.add_photos.clicked.connect(self._choose_photos)
        photos_row.addWidget(self.photos_label, 1)
        photos_row.addWidget(self.add_photos)
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
        box.addLayout(photos_row)
        box.addWidget(reason_label)
        box.addWidget(self.reason)
        box.addWidget(self.buttons)
        place_window(self, "AmendDialog", QSize(560, self.sizeHint().height()))
        self._check()
        self.editor.focus_entry()

    def _edited(self, value: Any) -> None:
        self.value = value
        self._check()

    def _choose_photos(self) -> None:
        paths, _filter = QFileDialog.getOpenFileNames(self, self.tr("Photos to add"), "",
                                                      self.tr("Photos (*.jpg *.jpeg *.png *.heic *.heif *.webp)"))
        if paths:
            self.set_photos(paths)

    def set_photos(self, paths: list[str]) -> None:
        self.photo_paths = list(paths)
        self.photos_label.setText(self.tr("%n photo(s) to add: {names}", "", len(paths)).format(
            names=self.tr(", ").join(Path(p).name for p in paths)))
        self._check()

    def answer_changed(self) -> bool:
        """Whether the answer itself changes (photos alone are an amendment of their own kind)."""
        d = self.draft
        na = self.na.isChecked()
        return (na != d.na or (not na and self.value != d.value) or self.note.toPlainText() != d.note
                or self.item_reason.toPlainText() != d.reason)

    def _check(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(self.reason.toPlainText().strip()) and (self.answer_changed() or bool(self.photo_paths)))

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
            if entry.table_name == "evidence":
                # A photo added by amendment: its row is the photo, its place the item it shows.
                added = json.loads(entry.new_value or "null") or {}
                item, where = None, str(added.get("item_code") or "")
            else:
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
        place_window(self, "AuditTrailDialog", QSize(820, 360))

    def _state(self, item: Item | None, raw: str | None) -> str:
        state = json.loads(raw) if raw else None
        if state is None:
            return self.tr("(no answer)")
        if isinstance(state, dict) and "sha256" in state:
            return self.tr("photo added: {name}").format(name=state.get("name", ""))
        if not isinstance(state, dict) or "na" not in state:
            return str(state)
        text = describe_value(item, state.get("value"), bool(state.get("na")))
        if state.get("reason"):
            text += " — " + state["reason"]
        if state.get("note"):
            text += " · " + self.tr("note: {note}").format(note=state["note"])
        return text

    def _time(self, at: str) -> str:
        return format_datetime(at)
