"""查漏补缺: everything still missing before the visit is finalized; each entry jumps to its place."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.gaps import GapEntry
from ui.widgets.geometry import place_window


class GapDialog(QDialog):
    """After ``exec``: ``chosen`` is the entry to jump to, or ``finalize_anyway`` is True.

    Finalizing with gaps is a deliberate act: the button stays off until the inspector ticks
    that they finalize with the gaps listed. Where the office forbids it, there is no button.
    """

    def __init__(self, entries: list[GapEntry], describe: Callable[[str, str], str], *,
                 finalizing: bool = False, forbidden: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Gap check"))
        self.entries = entries
        self.chosen: GapEntry | None = None
        self.finalize_anyway = False
        if entries:
            text = self.tr("%n thing(s) still missing. Press Enter on one to go there.", "", len(entries))
        else:
            text = self.tr("Nothing is missing: every required item is answered and both signatures are in.")
        self.summary = QLabel(text)
        self.summary.setWordWrap(True)
        self.list = QListWidget()
        self.list.setObjectName("gapList")
        self.list.setWordWrap(True)
        for entry in entries:
            item = QListWidgetItem(self.message(entry, describe))
            item.setData(Qt.ItemDataRole.UserRole, entry)
            self.list.addItem(item)
        if entries:
            self.list.setCurrentRow(0)
        self.list.itemActivated.connect(self._go)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        self.go_button = QPushButton(self.tr("&Go to"))
        self.go_button.setEnabled(bool(entries))
        self.go_button.clicked.connect(lambda: self.list.currentItem() and self._go(self.list.currentItem()))
        self.buttons.addButton(self.go_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.finalize_button: QPushButton | None = None
        self.confirm: QCheckBox | None = None
        self.forbidden_note: QLabel | None = None
        box = QVBoxLayout(self)
        box.addWidget(self.summary)
        box.addWidget(self.list, 1)
        if finalizing and entries and forbidden:
            self.forbidden_note = QLabel(self.tr(
                "The office does not allow finalizing a visit with gaps. Close them first."))
            self.forbidden_note.setObjectName("gapForbidden")
            self.forbidden_note.setWordWrap(True)
            box.addWidget(self.forbidden_note)
        elif finalizing:
            self.finalize_button = QPushButton(self.tr("&Finalize anyway") if entries else self.tr("&Finalize"))
            self.finalize_button.clicked.connect(self._finalize)
            self.buttons.addButton(self.finalize_button, QDialogButtonBox.ButtonRole.AcceptRole)
            if entries:
                self.confirm = QCheckBox(self.tr(
                    "&I finalize this visit with %n gap(s) still open; they will show on the record.", "",
                    len(entries)))
                self.confirm.setObjectName("confirmGaps")
                self.confirm.toggled.connect(self.finalize_button.setEnabled)
                self.finalize_button.setEnabled(False)
                box.addWidget(self.confirm)
        box.addWidget(self.buttons)
        place_window(self, "GapDialog", QSize(560, 420))
        self.list.setFocus()

    def message(self, entry: GapEntry, describe: Callable[[str, str], str]) -> str:
        where = describe(entry.rubric_hash or "", entry.item_code or "") if entry.item_code else ""
        if entry.kind == "unanswered":
            return self.tr("Not answered: {item}").format(item=where)
        if entry.kind == "no_reason":
            return self.tr("Below the maximum without a reason: {item}").format(item=where)
        if entry.kind == "photo_missing":
            return self.tr("Photo required: {item}").format(item=where)
        if entry.kind == "profile_missing":
            # The gap names the missing number; its place is a section, not an item.
            return self.tr("Unit profile number missing: {detail}").format(detail=entry.message)
        if entry.kind == "signature_missing":
            if entry.role == "team_leader":
                return self.tr("Signature missing: team leader")
            return self.tr("Signature missing: unit head")
        return entry.message

    def _go(self, item: QListWidgetItem) -> None:
        self.chosen = item.data(Qt.ItemDataRole.UserRole)
        self.accept()

    def _finalize(self) -> None:
        if self.confirm is not None and not self.confirm.isChecked():
            return
        self.finalize_anyway = True
        self.accept()
