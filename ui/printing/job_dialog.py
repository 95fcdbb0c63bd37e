"""The print dialog for the print service's queues: printer, copies, pages, sides and paper.

Fieldmark asks the print service (CUPS) itself for its queues, so the dialog shows each
printer's trouble (stopped, offline, out of paper) before anything is sent, and the choice it
returns is exactly what goes into the job.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.printing import PrintOptions, Queue
from ui.printing.words import problems_text

MAX_COPIES = 999
# Paper sizes offered besides the document's own, by their PWG names.
PAPERS = (("iso_a4_210x297mm", "A4"), ("na_letter_8.5x11in", "Letter"), ("iso_a5_148x210mm", "A5"),
          ("iso_a3_297x420mm", "A3"))
_RANGE = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$")


def parse_pages(text: str, page_count: int) -> tuple[tuple[int, int], ...] | None:
    """"1-2, 4" → ((1, 2), (4, 4)); "" → () for every page; None when it is not a page list
    of this document."""
    if not text.strip():
        return ()
    ranges = []
    for part in text.replace("，", ",").split(","):
        match = _RANGE.match(part)
        if not match:
            return None
        low = int(match.group(1))
        high = int(match.group(2) or low)
        if not 1 <= low <= high <= page_count:
            return None
        ranges.append((low, high))
    return tuple(ranges)


class PrintJobDialog(QDialog):
    def __init__(self, queues: list[Queue], *, page_count: int, document_media: str, title: str,
                 copies: int = 1, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Print"))
        self.queues = {q.name: q for q in queues}
        self.page_count, self.document_media, self.title = page_count, document_media, title

        self.printer_box = QComboBox()
        for queue in queues:
            text = f"{queue.info} ({queue.name})" if queue.info and queue.info != queue.name else queue.name
            if queue.is_default:
                text = self.tr("{printer} — default").format(printer=text)
            self.printer_box.addItem(text, queue.name)
        self.trouble = QLabel()
        self.trouble.setWordWrap(True)
        self.trouble.setStyleSheet("color: #c62828;")

        self.copies_box = QSpinBox()
        self.copies_box.setRange(1, MAX_COPIES)
        self.copies_box.setValue(max(1, min(MAX_COPIES, copies)))
        self.pages_edit = QLineEdit()
        self.pages_edit.setPlaceholderText(self.tr("all %n page(s)", "", page_count))
        self.pages_edit.setToolTip(self.tr("For example 1-2, 4"))
        self.sides_box = QComboBox()
        for code, text in (("one-sided", self.tr("One-sided")),
                           ("two-sided-long-edge", self.tr("Two-sided, flip on long edge")),
                           ("two-sided-short-edge", self.tr("Two-sided, flip on short edge"))):
            self.sides_box.addItem(text, code)
        self.paper_box = QComboBox()
        names = dict(PAPERS)
        own = names.get(document_media, document_media)
        self.paper_box.addItem(self.tr("{paper}, as the document (true size)").format(paper=own), document_media)
        for media, name in PAPERS:
            if media != document_media:
                self.paper_box.addItem(self.tr("{paper} (pages scaled to fit)").format(paper=name), media)

        form = QFormLayout()
        form.addRow(self.tr("Printer"), self.printer_box)
        form.addRow("", self.trouble)
        form.addRow(self.tr("Copies"), self.copies_box)
        form.addRow(self.tr("Pages"), self.pages_edit)
        form.addRow(self.tr("Sides"), self.sides_box)
        form.addRow(self.tr("Paper"), self.paper_box)
        self.pages_hint = QLabel()
        self.pages_hint.setWordWrap(True)
        form.addRow("", self.pages_hint)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.tr("Print"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)

        self.printer_box.currentIndexChanged.connect(self._printer_changed)
        self.pages_edit.textChanged.connect(self._check)
        self._printer_changed()

    @property
    def queue(self) -> str:
        return str(self.printer_box.currentData())

    def _printer_changed(self) -> None:
        queue = self.queues.get(self.queue)
        problems = queue.problems if queue else ()
        self.trouble.setText(problems_text(problems, self.queue))
        self.trouble.setVisible(bool(problems))
        # Two-sided only where the queue says it can; a queue that says nothing may try.
        model = self.sides_box.model()
        assert isinstance(model, QStandardItemModel)
        for row in range(1, self.sides_box.count()):
            code = self.sides_box.itemData(row)
            item = model.item(row)
            can = not queue or not queue.sides or code in queue.sides
            enabled = Qt.ItemFlag.ItemIsEnabled
            item.setFlags((item.flags() | enabled) if can else (item.flags() & ~enabled))
            if not can and self.sides_box.currentIndex() == row:
                self.sides_box.setCurrentIndex(0)
        self._check()

    def _check(self) -> None:
        pages = parse_pages(self.pages_edit.text(), self.page_count)
        self.pages_hint.setText("" if pages is not None else self.tr(
            "Pages must be numbers from 1 to {last}, such as 1-2, 4.").format(last=self.page_count))
        self.ok_button.setEnabled(pages is not None and self.printer_box.count() > 0)

    def options(self) -> PrintOptions:
        """The job the user chose; call after the dialog was accepted."""
        media = str(self.paper_box.currentData())
        return PrintOptions(
            copies=self.copies_box.value(),
            pages=parse_pages(self.pages_edit.text(), self.page_count) or (),
            sides=str(self.sides_box.currentData()),
            media=media,
            scaling="none" if media == self.document_media else "fit",
            title=self.title,
        )
