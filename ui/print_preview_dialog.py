"""Print preview: the real PDF pages, then print, save as PDF, or open in the system viewer.

The PDF is built by ``app.reports`` in two steps: a short read of the visit on the task runner's
database thread, then the layout and rendering on a file worker, so answers saved meanwhile are
not held up by a long report. It is written to a temp file; the dialog only loads and shows it. Printing renders one page per event-loop turn, so
the window stays responsive while a long report goes to the printer.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import shiboken6
from PySide6.QtCore import QLocale, QRect, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.evidence.store import atomic_write
from app.profile import Profile
from app.reports import Built, prepare_report, render_report, save_file
from ui.tasks import TaskRunner
from ui.widgets.geometry import place_window

KINDS = ("feedback", "rectification", "full")
PRINT_DPI = 300


def _temp_dir() -> Path:
    # Kept after the dialog closes: the system viewer may still be reading the file.
    folder = Path(tempfile.gettempdir()) / "fieldmark-print"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class PrintPreviewDialog(QDialog):
    # Emitted after a PDF is loaded and shown (page count); tests and callers wait for it.
    loaded = Signal(int)
    failed = Signal(str)
    saved = Signal(str)
    printed = Signal(int)

    def __init__(self, profile: Profile, runner: TaskRunner, visit_id: str, kind: str = "feedback",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Print preview"))
        place_window(self, "PrintPreviewDialog", QSize(900, 1000))
        self.profile, self.runner, self.visit_id = profile, runner, visit_id
        self.pdf_path: Path | None = None
        self.built: Built | None = None
        self._generation = 0
        self._printing: tuple[QPainter, QPrinter, list[int]] | None = None

        self.kind_box = QComboBox()
        for code, text in zip(KINDS, (self.tr("On-site feedback sheet"), self.tr("Rectification notice"),
                                      self.tr("Full inspection report")), strict=True):
            self.kind_box.addItem(text, code)
        self.kind_box.setCurrentIndex(max(0, KINDS.index(kind) if kind in KINDS else 0))
        self.lang_box = QComboBox()
        self.lang_box.addItem(self.tr("Chinese"), "zh")
        self.lang_box.addItem(self.tr("English"), "en")
        chinese = QLocale().language() == QLocale.Language.Chinese
        self.lang_box.setCurrentIndex(0 if chinese else 1)
        self.paper_box = QComboBox()
        self.paper_box.addItem(self.tr("Paper as in settings"), None)
        self.paper_box.addItem(self.tr("A4"), "a4")
        self.paper_box.addItem(self.tr("Letter"), "letter")
        for box in (self.kind_box, self.lang_box, self.paper_box):
            box.currentIndexChanged.connect(self.generate)

        self.document = QPdfDocument(self)
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.status = QLabel()
        self.status.setWordWrap(True)

        self.print_button = QPushButton(self.tr("Print…"))
        self.save_button = QPushButton(self.tr("Save as PDF…"))
        self.open_button = QPushButton(self.tr("Open in viewer"))
        close_button = QPushButton(self.tr("Close"))
        self.print_button.clicked.connect(self.choose_printer)
        self.save_button.clicked.connect(self.choose_save_path)
        self.open_button.clicked.connect(self.open_in_viewer)
        close_button.clicked.connect(self.reject)

        options = QHBoxLayout()
        for label, box in ((self.tr("Document"), self.kind_box), (self.tr("Language"), self.lang_box),
                           (self.tr("Paper"), self.paper_box)):
            options.addWidget(QLabel(label))
            options.addWidget(box)
        options.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        for b in (self.print_button, self.save_button, self.open_button, close_button):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addLayout(options)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        self.generate()

    # -- building ---------------------------------------------------------------------------

    @property
    def kind(self) -> str:
        return str(self.kind_box.currentData())

    @property
    def page_count(self) -> int:
        return self.document.pageCount()

    def _set_ready(self, ready: bool) -> None:
        for b in (self.print_button, self.save_button, self.open_button):
            b.setEnabled(ready)

    def generate(self) -> None:
        """Build the PDF for the chosen options off the UI thread; a newer request wins."""
        self._generation += 1
        generation = self._generation
        self._set_ready(False)
        self.status.setText(self.tr("Preparing the document…"))
        profile, visit_id, call_db = self.profile, self.visit_id, self.runner.call_db
        kind, lang, paper = self.kind, str(self.lang_box.currentData()), self.paper_box.currentData()
        target = _temp_dir() / f"{visit_id}-{kind}-{lang}-{generation}-{id(self)}.pdf"

        def work() -> tuple[Built, Path]:
            doc = call_db(lambda: prepare_report(profile, visit_id, kind=kind, lang=lang, paper=paper))
            built = render_report(doc)
            atomic_write(target, built.pdf)  # the viewer never opens half a file
            return built, target

        self.runner.run(work, on_done=lambda result: self._built(generation, result),
                        on_error=lambda exc: self._failed(generation, exc), io=True,
                        label=self.tr("Preparing the document"))

    def _built(self, generation: int, result: tuple[Built, Path]) -> None:
        if not shiboken6.isValid(self) or generation != self._generation:
            return  # closed meanwhile, or a newer choice is being built
        self.built, path = result
        self.document.close()
        self.document.load(str(path))
        if self.document.status() != QPdfDocument.Status.Ready:
            self._failed(generation, RuntimeError(self.tr("the PDF could not be loaded")))
            return
        self.pdf_path = path
        pages = self.document.pageCount()
        text = self.tr("%n page(s)", "", pages)
        if self.built.warnings:
            text += " · " + self.tr("Warnings: {warnings}").format(warnings="; ".join(self.built.warnings))
        self.status.setText(text)
        self._set_ready(True)
        self.loaded.emit(pages)

    def _failed(self, generation: int, exc: BaseException) -> None:
        if not shiboken6.isValid(self) or generation != self._generation:
            return
        message = self.tr("The document could not be made: {error}").format(error=exc)
        self.status.setText(message)
        self.failed.emit(str(exc))

    # -- save, open -------------------------------------------------------------------------

    def choose_save_path(self) -> None:
        suggested = str(Path.home() / f"{self.kind}-{self.visit_id[:8]}.pdf")
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save as PDF"), suggested, self.tr("PDF files (*.pdf)"))
        if path:
            self.save_to(Path(path))

    def save_to(self, path: Path) -> None:
        """Copy the shown PDF to ``path`` on the file pool."""
        source = self.pdf_path
        if source is None:
            return

        def work() -> str:
            # The same writer as `fieldmark report --out`: whole file, normal permissions, and
            # a plain reason when the folder refuses it.
            save_file(path, source.read_bytes())
            return str(path)

        self.runner.run(work, io=True, on_done=self._saved, on_error=self._save_failed, label=self.tr("Saving the PDF"))

    def _saved(self, path: str) -> None:
        self.status.setText(self.tr("Saved to {path}").format(path=path))
        self.saved.emit(path)

    def _save_failed(self, exc: BaseException) -> None:
        QMessageBox.warning(self, self.tr("Save as PDF"), self.tr("The PDF could not be saved: {error}").format(error=exc))

    def open_in_viewer(self) -> bool:
        if self.pdf_path is None:
            return False
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.pdf_path)))

    # -- printing ---------------------------------------------------------------------------

    def choose_printer(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.kind_box.currentText())
        printer.setFromTo(1, max(1, self.page_count))
        dialog = QPrintDialog(printer, self)
        dialog.setOption(QPrintDialog.PrintDialogOption.PrintPageRange, True)
        dialog.setMinMax(1, max(1, self.page_count))
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.print_to(printer)

    def print_to(self, printer: QPrinter) -> None:
        """Send the pages to ``printer``, one page per event-loop turn; emits ``printed``."""
        if self.page_count == 0 or self._printing is not None:
            return
        first, last = printer.fromPage(), printer.toPage()
        if first == 0 and last == 0:
            first, last = 1, self.page_count
        pages = list(range(first - 1, min(last, self.page_count)))
        painter = QPainter()
        if not painter.begin(printer):
            QMessageBox.warning(self, self.tr("Print"), self.tr("The printer could not be started."))
            return
        self._printing = (painter, printer, pages)
        self._set_ready(False)
        self._print_next(0)

    def _print_next(self, index: int) -> None:
        assert self._printing is not None
        painter, printer, pages = self._printing
        if index > 0:
            printer.newPage()
        page = pages[index]
        self.status.setText(self.tr("Printing page {n} of {total}…").format(n=index + 1, total=len(pages)))
        area = printer.pageLayout().paintRectPixels(printer.resolution())
        points = self.document.pagePointSize(page)
        scale = min(area.width() / points.width(), area.height() / points.height())
        target = QRect(0, 0, int(points.width() * scale), int(points.height() * scale))
        # Rendered at most at PRINT_DPI: a 1200-dpi printer would otherwise get a 500 MB image.
        raster = min(scale, PRINT_DPI / 72)
        image = self.document.render(page, QSize(int(points.width() * raster), int(points.height() * raster)))
        painter.drawImage(target, image)
        if index + 1 < len(pages):
            QTimer.singleShot(0, lambda: self._print_next(index + 1))
            return
        painter.end()
        self._printing = None
        self._set_ready(True)
        self.status.setText(self.tr("Sent %n page(s) to the printer", "", len(pages)))
        self.printed.emit(len(pages))


def show_print_preview(parent: QWidget | None, profile: Profile, runner: TaskRunner, visit_id: str,
                       kind: str = "feedback") -> PrintPreviewDialog:
    """Open the preview of one document of a visit, non-modal; returns the dialog."""
    dialog = PrintPreviewDialog(profile, runner, visit_id, kind, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
