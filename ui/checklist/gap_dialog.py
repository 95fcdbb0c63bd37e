"""查漏补缺: everything still missing before the visit is finalized; each entry jumps to its place."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
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


class GapDialog(QDialog):
    """After ``exec``: ``chosen`` is the entry to jump to, or ``finalize_anyway`` is True."""

    def __init__(self, entries: list[GapEntry], describe: Callable[[str, str], str], *,
                 finalizing: bool = False, parent: QWidget | None = None) -> None:
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
        if finalizing:
            label = self.tr("&Finalize anyway") if entries else self.tr("&Finalize")
            self.finalize_button = QPushButton(label)
            self.finalize_button.clicked.connect(self._finalize)
            self.buttons.addButton(self.finalize_button, QDialogButtonBox.ButtonRole.AcceptRole)
        box = QVBoxLayout(self)
        box.addWidget(self.summary)
        box.addWidget(self.list, 1)
        box.addWidget(self.buttons)
        self.resize(560, 420)
        self.list.setFocus()

    def message(self, entry: GapEntry, describe: Callable[[str, str], str]) -> str:
        where = describe(entry.rubric_hash or "", entry.item_code or "") if entry.item_code else ""
        if entry.kind == "unanswered":
            return self.tr("Not answered: {item}").format(item=where)
        if entry.kind == "no_reason":
            return self.tr("Below the maximum without a reason: {item}").format(item=where)
        if entry.kind == "photo_missing":
            return self.tr("Photo required: {item}").format(item=where)
        if entry.kind == "signature_missing":
            if entry.role == "team_leader":
                return self.tr("Signature missing: team leader")
            return self.tr("Signature missing: unit head")
        return entry.message

    def _go(self, item: QListWidgetItem) -> None:
        self.chosen = item.data(Qt.ItemDataRole.UserRole)
        self.accept()

    def _finalize(self) -> None:
        self.finalize_anyway = True
        self.accept()
