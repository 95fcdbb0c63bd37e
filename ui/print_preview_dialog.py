"""Print preview: the real PDF pages, then print, save as PDF, copy to a USB drive, or open.

The PDF is built by ``app.reports`` in two steps: a short read of the visit on the task runner's
database thread, then the layout and rendering on a file worker, so answers saved meanwhile are
not held up by a long report. It is written to a temp file; the dialog only loads and shows it.
Printing is ui.printing.PrintFlow: the PDF itself goes to the print service where it takes PDF,
and the status line says what became of the job. When no printer is there or the job is
refused, the dialog says so and points to Save as PDF and Copy to USB drive.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import shiboken6
from PySide6.QtCore import QLocale, QSize, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.evidence.store import atomic_write
from app.printing import PAPER_MEDIA, Drive, copy_to_drive, removable_drives
from app.profile import Profile
from app.reports import Built, OutputError, prepare_report, render_report, save_file
from ui.printing.print_flow import PrintFlow
from ui.tasks import TaskRunner
from ui.widgets.geometry import place_window

KINDS = ("feedback", "rectification", "full")
# The status line in the alert red of the printed sheets when it reports a trouble.
TROUBLE_COLOUR = "#c62828"


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
    # A copy on a removable drive (its path).
    copied = Signal(str)

    def __init__(self, profile: Profile, runner: TaskRunner, visit_id: str, kind: str = "feedback",
                 parent: QWidget | None = None, *, copies: int = 1, direct: bool = False) -> None:
        """``direct``: print ``copies`` on the default printer as soon as the document is
        shown (the on-site routine after finalizing), asking only when there is no default."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("Print preview"))
        place_window(self, "PrintPreviewDialog", QSize(900, 1000))
        self.profile, self.runner, self.visit_id = profile, runner, visit_id
        self.pdf_path: Path | None = None
        self.built: Built | None = None
        self.paper = "a4"
        self._generation = 0
        self.copies, self._direct = copies, direct

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
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.flow = PrintFlow(runner, self.document, self)
        self.flow.said.connect(self._say)
        self.flow.refused.connect(self._offer_ways_out)

        self.print_button = QPushButton(self.tr("Print…"))
        self.save_button = QPushButton(self.tr("Save as PDF…"))
        self.copy_button = QPushButton(self.tr("Copy to USB drive…"))
        self.open_button = QPushButton(self.tr("Open in viewer"))
        close_button = QPushButton(self.tr("Close"))
        self.print_button.clicked.connect(self.choose_printer)
        self.save_button.clicked.connect(self.choose_save_path)
        self.copy_button.clicked.connect(self.copy_to_drive)
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
        for b in (self.print_button, self.save_button, self.copy_button, self.open_button, close_button):
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
        for b in (self.print_button, self.save_button, self.copy_button, self.open_button):
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

        def work() -> tuple[Built, Path, str]:
            doc = call_db(lambda: prepare_report(profile, visit_id, kind=kind, lang=lang, paper=paper))
            built = render_report(doc)
            atomic_write(target, built.pdf)  # the viewer never opens half a file
            return built, target, doc.paper

        self.runner.run(work, on_done=lambda result: self._built(generation, result),
                        on_error=lambda exc: self._failed(generation, exc), io=True,
                        label=self.tr("Preparing the document"))

    def _built(self, generation: int, result: tuple[Built, Path, str]) -> None:
        if not shiboken6.isValid(self) or generation != self._generation:
            return  # closed meanwhile, or a newer choice is being built
        self.built, path, self.paper = result
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
        if self._direct:
            self._direct = False  # once: a later change of document is printed on request
            self.print_now(copies=self.copies, direct=True)

    def _failed(self, generation: int, exc: BaseException) -> None:
        if not shiboken6.isValid(self) or generation != self._generation:
            return
        message = self.tr("The document could not be made: {error}").format(error=exc)
        self.status.setText(message)
        self.failed.emit(str(exc))

    # -- save, open -------------------------------------------------------------------------

    def choose_save_path(self) -> None:
        suggested = str(Path.home() / self._file_name())
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
        text = self.tr("The PDF could not be saved: {error}").format(error=exc)
        if isinstance(exc, OutputError):
            # save_file writes beside the target and renames: a refused write leaves nothing there,
            # and a full disk or a folder that refuses files needs the person to act first.
            text += "\n\n" + self.tr("Nothing was written there. Free some space or choose another folder, "
                                      "and save again.")
        QMessageBox.warning(self, self.tr("Save as PDF"), text)

    def open_in_viewer(self) -> bool:
        if self.pdf_path is None:
            return False
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.pdf_path)))

    # -- copy to a removable drive ---------------------------------------------------------------

    def copy_to_drive(self) -> None:
        """Copy the PDF to a USB drive: the one plugged in, or the one chosen from a menu."""
        if self.pdf_path is None:
            return
        self.runner.run(removable_drives, io=True, on_done=self._drives_found, on_error=self._copy_failed,
                        label=self.tr("Looking for USB drives"))

    def _drives_found(self, drives: list[Drive]) -> None:
        if not shiboken6.isValid(self):
            return
        if not drives:
            self._say(self.tr("No USB drive is plugged in. Plug one in and try again, or save the PDF."), True)
            return
        if len(drives) == 1:
            self.copy_to(drives[0].path)
            return
        menu = QMenu(self)
        for drive in drives:
            free = drive.free_bytes / 1e9
            action = menu.addAction(self.tr("{drive} ({free:.1f} GB free)").format(drive=drive.label, free=free))
            action.triggered.connect(lambda _=False, d=drive: self.copy_to(d.path))
        menu.popup(self.copy_button.mapToGlobal(self.copy_button.rect().bottomLeft()))
        self.drive_menu = menu

    def copy_to(self, drive: Path) -> None:
        """Write the PDF onto ``drive`` under the name Save as PDF suggests (never over a file)."""
        source = self.pdf_path
        if source is None:
            return
        name = self._file_name()
        self.runner.run(lambda: str(copy_to_drive(drive, name, source.read_bytes())), io=True,
                        on_done=self._copied, on_error=self._copy_failed, label=self.tr("Copying to the USB drive"))

    def _copied(self, path: str) -> None:
        if not shiboken6.isValid(self):
            return
        self._say(self.tr("Copied to {path}. Eject the drive before pulling it out.").format(path=path), False)
        self.copied.emit(path)

    def _copy_failed(self, exc: BaseException) -> None:
        if not isinstance(exc, Exception):
            raise exc
        if shiboken6.isValid(self):
            self._say(self.tr("The PDF could not be copied to the USB drive: {error}").format(error=exc), True)

    def _file_name(self) -> str:
        return f"{self.kind}-{self.visit_id[:8]}.pdf"

    # -- printing ---------------------------------------------------------------------------

    def choose_printer(self) -> None:
        """Print: the print dialog, then the job, its state in the status line."""
        self.print_now(copies=self.copies, direct=False)

    def print_now(self, *, copies: int = 1, direct: bool = False) -> None:
        if self.pdf_path is None or self.page_count == 0:
            return
        self.flow.start(self.pdf_path, title=self._job_title(), document_media=PAPER_MEDIA.get(self.paper, "iso_a4_210x297mm"),
                        copies=copies, direct=direct)

    def print_to(self, printer: QPrinter) -> None:
        """Draw the pages on a Qt printer at true size: the path where the print service
        cannot take PDF (Windows)."""
        if self.page_count:
            self.flow.print_with_qt(printer)

    def _job_title(self) -> str:
        return f"{self.kind_box.currentText()} {self.visit_id[:8]}"

    def _say(self, text: str, trouble: bool) -> None:
        self.status.setText(text)
        self.status.setProperty("error", trouble)
        self.status.setStyleSheet(f"color: {TROUBLE_COLOUR};" if trouble else "")

    def _offer_ways_out(self, _text: str) -> None:
        # The two ways to get the sheet onto paper elsewhere, ready for the first key press.
        self.save_button.setDefault(True)
        self.save_button.setFocus()


def show_print_preview(parent: QWidget | None, profile: Profile, runner: TaskRunner, visit_id: str,
                       kind: str = "feedback", *, copies: int = 1, direct: bool = False) -> PrintPreviewDialog:
    """Open the preview of one document of a visit, non-modal; returns the dialog. With
    ``direct`` it prints ``copies`` on the default printer once the document is shown."""
    dialog = PrintPreviewDialog(profile, runner, visit_id, kind, parent, copies=copies, direct=direct)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
