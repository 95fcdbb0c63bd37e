"""Review sync conflicts: both versions side by side, who changed each and when, and the choice.

A conflict is one row changed on two laptops (or by the office and an inspector) from the same
base. Nothing is lost until a person chooses here: the visit cannot be finalized, the status area
and the printed sheet say a conflict is open. The choice (keep mine, keep theirs, or a merge
edited field by field) is saved as an ordinary edit (``app.sync.resolve``) that the next sync sends.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.errors import FieldmarkError
from ui.error_report import report_unexpected
from ui.tasks import TaskRunner
from ui.widgets.geometry import place_window
from ui.widgets.i18n import format_datetime, ui_language

if TYPE_CHECKING:
    from app.profile import Profile
    from app.sync.resolve import ConflictView, Side

# Bookkeeping of an answer that follows the value: kept from the version the merge starts from.
FOLLOWS = frozenset({"answered_at", "answered_by", "updated_at"})


def field_name(table: str, column: str) -> str:
    """A column as the inspector calls it; the column's own name where there is no better one."""
    names = {
        "value": QCoreApplication.translate("ConflictDialog", "Answer"),
        "na": QCoreApplication.translate("ConflictDialog", "Not applicable"),
        "note": QCoreApplication.translate("ConflictDialog", "Note"),
        "reason": QCoreApplication.translate("ConflictDialog", "Reason"),
        "evidence_methods": QCoreApplication.translate("ConflictDialog", "How it was checked"),
        "answered_by": QCoreApplication.translate("ConflictDialog", "Answered by"),
        "answered_at": QCoreApplication.translate("ConflictDialog", "Answered at"),
        "description": QCoreApplication.translate("ConflictDialog", "Description"),
        "title": QCoreApplication.translate("ConflictDialog", "Title"),
        "severity": QCoreApplication.translate("ConflictDialog", "Severity"),
        "caption": QCoreApplication.translate("ConflictDialog", "Caption"),
        "deleted": QCoreApplication.translate("ConflictDialog", "Deleted"),
    }
    return names.get(column, column)


def shown(view: ConflictView, side: Side, column: str) -> str:
    """One field of one side in words: an answer as the sheet prints it, else its value."""
    if column == "deleted":
        return QCoreApplication.translate("ConflictDialog", "deleted") if side.deleted else \
            QCoreApplication.translate("ConflictDialog", "kept")
    if view.table == "responses" and column == "value" and side.answer:
        return side.answer
    if column == "answered_by" and side.person:
        return side.person
    if column.endswith("_at") and isinstance(side.values.get(column), str):
        return format_datetime(side.values[column])
    value = side.values.get(column)
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return QCoreApplication.translate("ConflictDialog", "yes") if value else \
            QCoreApplication.translate("ConflictDialog", "no")
    if column == "na":
        return QCoreApplication.translate("ConflictDialog", "yes") if value else \
            QCoreApplication.translate("ConflictDialog", "no")
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return ", ".join(str(v) for v in json.loads(value)) if value.startswith("[") else value
        except ValueError:
            return value
    return str(value)


class SidePanel(QGroupBox):
    """One version: who wrote it, when, and its fields that differ from the other version."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.who = QLabel(self)
        self.who.setWordWrap(True)
        self.fields = QLabel(self)
        self.fields.setWordWrap(True)
        self.fields.setTextFormat(Qt.TextFormat.RichText)
        self.fields.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.fields.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addWidget(self.who)
        layout.addWidget(self.fields, 1)

    def show_side(self, view: ConflictView, side: Side) -> None:
        from html import escape

        device = self.tr("this laptop") if side.this_device else self.tr("device {id}").format(id=side.device_id[:8])
        who = f"{side.person} ({device})" if side.person else device
        self.who.setText(self.tr("Changed by {who}\non {when}").format(who=who, when=format_datetime(side.written_at)))
        rows = "".join(f"<tr><td style='color:#5f6368; padding-right:8px'>"
                       f"{escape(field_name(view.table, c), quote=False)}</td>"
                       f"<td>{escape(shown(view, side, c), quote=False)}</td></tr>" for c in view.changed)
        self.fields.setText(f"<table>{rows}</table>" if rows else self.tr("No field differs."))


class MergeDialog(QDialog):
    """A merge, field by field: each differing field starts from mine; pick theirs or type."""

    def __init__(self, view: ConflictView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from app.sync.resolve import IDENTITY_COLUMNS

        self.view = view
        self.setWindowTitle(self.tr("Edit a merge"))
        form = QFormLayout()
        self.editors: dict[str, QComboBox] = {}
        for column in view.changed:
            if column in IDENTITY_COLUMNS or column in FOLLOWS or column == "deleted":
                continue
            combo = QComboBox(self)
            mine, theirs = view.mine.values.get(column), view.theirs.values.get(column)
            # Free text may be typed over (a note joining both): its items are the texts themselves,
            # so the one picked is what is kept. Answers and flags are picked, named by whose they are.
            if isinstance(mine, str | None) and isinstance(theirs, str | None) and column != "value":
                combo.setEditable(True)
                combo.addItem(mine or "", mine)
                combo.addItem(theirs or "", theirs)
                combo.setToolTip(self.tr("The first is yours, the second theirs; or type the text to keep."))
                combo.setEditText(mine or "")
            else:
                combo.addItem(self.tr("Mine: {value}").format(value=shown(view, view.mine, column)), mine)
                combo.addItem(self.tr("Theirs: {value}").format(value=shown(view, view.theirs, column)), theirs)
            form.addRow(field_name(view.table, column) + ":", combo)
            self.editors[column] = combo
        note = QLabel(self.tr("Each field starts from your version. Pick the other version's value, or type "
                              "the text to keep."), self)
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel,
                                   self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)

    def values(self) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for column, combo in self.editors.items():
            if combo.isEditable():
                # The text as it stands: picked from the list or typed.
                text = combo.currentText()
                # An empty field stays as the row held it (NULL or ""), not a new value.
                merged[column] = text or self.view.mine.values.get(column)
            else:
                merged[column] = combo.currentData()
        return merged


class ConflictDialog(QDialog):
    """Open conflicts on the left; the selected one's two versions on the right, and the choice."""

    # A conflict was resolved: the status area and the open views are out of date.
    resolved = Signal(str)

    def __init__(self, profile: Profile, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.profile = profile
        self.runner = runner
        self.views: list[ConflictView] = []
        self.setWindowTitle(self.tr("Sync conflicts"))

        self.list = QListWidget(self)
        self.list.setAccessibleName(self.tr("Open conflicts"))
        self.list.setWordWrap(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.currentRowChanged.connect(self.show_conflict)
        self.heading = QLabel(self)
        self.heading.setWordWrap(True)
        self.heading.setStyleSheet("font-weight: bold;")
        self.explain = QLabel(self.tr(
            "The same item was changed on two laptops (or by the office) since it was last synced. Both "
            "versions are kept until you choose; until then the visit cannot be finalized."), self)
        self.explain.setWordWrap(True)
        # Shown for a conflict on a finalized visit: a team-mate's edit that arrived after it.
        self.finalized_note = QLabel(self.tr(
            "This visit is finalized. Keeping the finalized version changes nothing; keeping the other "
            "version (or a merge) changes the finalized visit, which is recorded as an amendment with "
            "your reason."), self)
        self.finalized_note.setWordWrap(True)
        self.finalized_note.setStyleSheet("color: #8a4b00;")
        self.finalized_note.hide()
        self.mine = SidePanel(self.tr("Mine"), self)
        self.theirs = SidePanel(self.tr("Theirs"), self)
        sides = QHBoxLayout()
        sides.addWidget(self.mine, 1)
        sides.addWidget(self.theirs, 1)
        self.keep_mine = QPushButton(self.tr("Keep &mine"), self)
        self.keep_theirs = QPushButton(self.tr("Keep &theirs"), self)
        self.merge = QPushButton(self.tr("&Edit a merge…"), self)
        self.keep_mine.clicked.connect(lambda: self.choose("mine"))
        self.keep_theirs.clicked.connect(lambda: self.choose("theirs"))
        self.merge.clicked.connect(self.edit_merge)
        choices = QHBoxLayout()
        choices.addStretch(1)
        for button in (self.keep_mine, self.keep_theirs, self.merge):
            choices.addWidget(button)
        self.empty = QLabel(self.tr("No conflict is open."), self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.hide()

        right = QWidget(self)
        detail = QVBoxLayout(right)
        detail.setContentsMargins(8, 0, 0, 0)
        detail.addWidget(self.heading)
        detail.addWidget(self.explain)
        detail.addWidget(self.finalized_note)
        detail.addLayout(sides, 1)
        detail.addLayout(choices)
        self.detail = right
        split = QSplitter(self)
        split.addWidget(self.list)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([260, 640])
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addWidget(self.empty)
        layout.addWidget(close)
        place_window(self, "ConflictDialog", QSize(960, 560))
        self.reload()

    def reload(self) -> None:
        from app.sync.resolve import conflict_views

        profile, lang = self.profile, ui_language()
        self.runner.run(lambda: conflict_views(profile, lang), on_done=self.show_views, on_error=self._failed,
                        label="conflicts")

    def show_views(self, views: list[ConflictView]) -> None:
        self.views = views
        self.list.blockSignals(True)
        self.list.clear()
        for view in views:
            text = f"{view.visit_label}\n{view.subject}\n" + self.tr("found {when}").format(
                when=format_datetime(view.detected_at))
            QListWidgetItem(text, self.list)
        self.list.blockSignals(False)
        self.empty.setVisible(not views)
        self.detail.setEnabled(bool(views))
        if views:
            self.list.setCurrentRow(0)
            self.show_conflict(0)
        else:
            self.heading.clear()
            for panel in (self.mine, self.theirs):
                panel.who.clear()
                panel.fields.clear()

    def current(self) -> ConflictView | None:
        row = self.list.currentRow()
        return self.views[row] if 0 <= row < len(self.views) else None

    def show_conflict(self, row: int) -> None:
        if not 0 <= row < len(self.views):
            return
        view = self.views[row]
        self.heading.setText(f"{view.visit_label} · {view.subject}")
        self.mine.setTitle(self.tr("Mine") if view.mine.this_device else self.tr("Not taken by the server"))
        self.theirs.setTitle(self.tr("Theirs"))
        self.mine.show_side(view, view.mine)
        self.theirs.show_side(view, view.theirs)
        self.merge.setEnabled(not view.mine.deleted)
        self.finalized_note.setVisible(view.visit_locked)
        self.keep_mine.setText(self.tr("Keep &mine as an amendment…") if view.is_amendment("mine")
                               else self.tr("Keep &mine"))
        self.keep_theirs.setText(self.tr("Accept &theirs as an amendment…") if view.is_amendment("theirs")
                                 else self.tr("Keep &theirs"))

    def edit_merge(self) -> None:
        view = self.current()
        if view is None:
            return
        dialog = MergeDialog(view, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.choose("merge", dialog.values())

    def choose(self, choice: str, merged: dict[str, Any] | None = None) -> None:
        view = self.current()
        if view is None:
            return
        from app.sync.resolve import resolve_conflict

        reason = None
        if view.is_amendment(choice, merged):  # type: ignore[arg-type]
            reason = self.ask_reason()
            if not reason:
                return
        profile = self.profile
        for button in (self.keep_mine, self.keep_theirs, self.merge):
            button.setEnabled(False)
        self.runner.run(lambda: resolve_conflict(profile, view.id, choice, merged,  # type: ignore[arg-type]
                                                 reason=reason),
                        on_done=lambda _rev: self._resolved(view.id), on_error=self._failed, label="resolve")

    def ask_reason(self) -> str:
        """The amendment's reason, as for any amendment of a finalized visit; "" when cancelled."""
        text, ok = QInputDialog.getText(
            self, self.tr("Amend the finalized visit"),
            self.tr("This choice changes the finalized visit. Reason for the amendment:"))
        return text.strip() if ok else ""

    def _resolved(self, conflict_id: str) -> None:
        for button in (self.keep_mine, self.keep_theirs, self.merge):
            button.setEnabled(True)
        self.resolved.emit(conflict_id)
        self.reload()

    def _failed(self, exc: BaseException) -> None:
        for button in (self.keep_mine, self.keep_theirs, self.merge):
            button.setEnabled(True)
        if not isinstance(exc, FieldmarkError):
            report_unexpected(exc)
            return
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.warning(self, self.tr("Sync conflicts"), str(exc))
