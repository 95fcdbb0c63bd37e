"""From "Print" to the job the print service holds, and on until it is printed or refused.

Where the print service takes PDF (CUPS on Linux and macOS) the flow asks it for its queues,
lets the user choose (PrintJobDialog), sends the PDF itself and follows the job by its id,
saying each state in words. Where it cannot (Windows) the pages go through Qt at true size
(QtPagePrinter). Nothing is ever reported as sent unless the print service holds a job for it;
a refusal says why, that nothing printed, and that the PDF can be saved or copied instead.

Every exchange with the print service runs on the task runner's file pool.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrinterInfo
from PySide6.QtWidgets import QDialog, QWidget

from app.printing import JobStatus, PrintOptions, Queue, job_status, list_queues, print_pdf
from ui.printing.job_dialog import PrintJobDialog
from ui.printing.qt_pages import QtPagePrinter, match_document
from ui.printing.words import job_text, join, no_printer_text, refusal_text
from ui.tasks import TaskRunner

# How often and how long a job is followed after the print service took it.
FOLLOW_EVERY_MS = 1000
FOLLOW_FOR_S = 600.0


def takes_pdf() -> bool:
    """Whether this system's print service is CUPS, which prints a PDF as it is."""
    return sys.platform != "win32"


def new_printer() -> QPrinter:
    """The system's default printer, at its own resolution."""
    return QPrinter(QPrinter.PrinterMode.HighResolution)


class PrintFlow(QObject):
    # Words for the status line, and whether they report a trouble.
    said = Signal(str, bool)
    # The print service holds the job (JobStatus); then its last state once it is finished.
    accepted = Signal(object)
    finished = Signal(object)
    # Nothing was or will be printed; the words shown. The preview then offers the ways out.
    refused = Signal(str)
    # The Qt path handed this many pages to the system's print queue.
    spooled = Signal(int)

    def __init__(self, runner: TaskRunner, document: QPdfDocument, parent: QWidget) -> None:
        super().__init__(parent)
        self.runner, self.document, self.window = runner, document, parent
        self.pdf_path: Path | None = None
        self.title = "Fieldmark"
        self.document_media = "iso_a4_210x297mm"
        self.job: JobStatus | None = None
        self.job_dialog: PrintJobDialog | None = None
        self.qt_printer = QtPagePrinter(document, self)
        self.qt_printer.finished.connect(self._spooled)
        self.qt_printer.failed.connect(self._refuse_words)
        self.qt_printer.progressed.connect(
            lambda n, total: self.said.emit(self.tr("Drawing page {n} of {total}…").format(n=n, total=total), False))
        self._following_since = 0.0
        self._busy = False
        self._printer_name = ""

    @property
    def busy(self) -> bool:
        return self._busy or self.qt_printer.busy or self.job_dialog is not None

    def start(self, pdf_path: Path, *, title: str, document_media: str, copies: int = 1,
              direct: bool = False) -> None:
        """Print ``pdf_path``. ``direct`` sends ``copies`` to the default printer with no
        dialog (the on-site routine); it asks only when there is no default to use."""
        if self.busy:
            return
        self.pdf_path, self.title, self.document_media = pdf_path, title, document_media
        self.job = None
        if not takes_pdf():
            self._start_qt(copies, direct)
            return
        self._busy = True
        self.said.emit(self.tr("Asking the print service for its printers…"), False)
        self.runner.run(list_queues, io=True, on_done=lambda queues: self._have_queues(queues, copies, direct),
                        on_error=self._refuse, label=self.tr("Finding printers"))

    # -- the print service (CUPS) --------------------------------------------------------------

    def _have_queues(self, queues: list[Queue], copies: int, direct: bool) -> None:
        if not self._alive():
            return
        self._busy = False
        if not queues:
            self.said.emit(no_printer_text(), True)
            self.refused.emit(no_printer_text())
            return
        default = next((q for q in queues if q.is_default), queues[0] if len(queues) == 1 else None)
        if direct and default is not None:
            options = PrintOptions(copies=copies, media=self.document_media, title=self.title)
            self.submit(default.name, options)
            return
        dialog = PrintJobDialog(queues, page_count=self.document.pageCount(), document_media=self.document_media,
                                title=self.title, copies=copies, parent=self.window)
        self.job_dialog = dialog

        def done(code: int) -> None:
            self.job_dialog = None
            if code == QDialog.DialogCode.Accepted:
                self.submit(dialog.queue, dialog.options())
            else:
                self.said.emit(self.tr("Nothing was printed."), False)
            dialog.deleteLater()
        dialog.finished.connect(done)
        self.said.emit("", False)  # the question is in the dialog now
        dialog.open()

    def submit(self, queue: str, options: PrintOptions) -> None:
        """Send the PDF to ``queue``; ``accepted`` once the print service holds the job."""
        path = self.pdf_path
        assert path is not None
        self._busy = True
        self.said.emit(self.tr("Sending the document to {queue}…").format(queue=queue), False)
        self.runner.run(lambda: print_pdf(path.read_bytes(), queue, options), io=True,
                        on_done=self._accepted, on_error=self._refuse, label=self.tr("Printing"))

    def _accepted(self, job: JobStatus) -> None:
        if not self._alive():
            return
        self._busy = False
        self.job = job
        self.said.emit(job_text(job), bool(job.problems))
        self.accepted.emit(job)
        if job.finished:
            self.finished.emit(job)
        else:
            self._following_since = time.monotonic()
            QTimer.singleShot(FOLLOW_EVERY_MS, lambda: self._follow(job))

    def _follow(self, job: JobStatus) -> None:
        if not self._alive() or self.job is not job:
            return  # closed, or another job was sent since
        self.runner.run(lambda: job_status(job.queue, job.job_id), io=True,
                        on_done=self._followed, on_error=self._lost, label=self.tr("Following the print job"))

    def _followed(self, job: JobStatus) -> None:
        if not self._alive() or self.job is None or self.job.job_id != job.job_id:
            return
        self.job = job
        failed = job.state in ("canceled", "aborted")
        self.said.emit(job_text(job), failed or bool(job.problems))
        if job.finished:
            self.finished.emit(job)
            if failed:
                self.refused.emit(job_text(job))
        elif time.monotonic() - self._following_since < FOLLOW_FOR_S:
            QTimer.singleShot(FOLLOW_EVERY_MS, lambda: self._follow(job))
        else:
            self.said.emit(join(job_text(job), self.tr(
                "Fieldmark stops following it here; the system's print queue shows the rest.")), bool(job.problems))

    def _lost(self, exc: BaseException) -> None:
        if not self._alive() or self.job is None:
            return
        if not isinstance(exc, Exception):
            raise exc
        self.said.emit(self.tr("The print service took job {job} but no longer answers about it: {error}").format(
            job=self.job.label, error=exc), True)

    def _refuse(self, exc: BaseException) -> None:
        if not isinstance(exc, Exception):
            raise exc
        if not self._alive():
            return
        self._busy = False
        self._refuse_words(refusal_text(exc))

    def _refuse_words(self, text: str) -> None:
        self.said.emit(text, True)
        self.refused.emit(text)

    # -- through Qt (Windows) ------------------------------------------------------------------

    def _start_qt(self, copies: int, direct: bool) -> None:
        if not QPrinterInfo.availablePrinterNames():
            self._refuse_words(no_printer_text())
            return
        printer = new_printer()
        printer.setDocName(self.title)
        match_document(printer, self.document)
        printer.setCopyCount(copies)
        if direct:
            self.print_with_qt(printer)
            return
        printer.setFromTo(1, max(1, self.document.pageCount()))
        dialog = QPrintDialog(printer, self.window)
        dialog.setOption(QPrintDialog.PrintDialogOption.PrintPageRange, True)
        dialog.setMinMax(1, max(1, self.document.pageCount()))

        def done(code: int) -> None:
            if code == QDialog.DialogCode.Accepted:
                self.print_with_qt(printer)
            dialog.deleteLater()
        dialog.finished.connect(done)
        QDialog.open(dialog)  # QPrintDialog's own open() wants a slot to call back

    def print_with_qt(self, printer: QPrinter) -> None:
        """Draw the pages on ``printer`` at true size (the Windows path)."""
        self._printer_name = printer.printerName() or printer.outputFileName()
        self.qt_printer.start(printer)

    def _spooled(self, pages: int) -> None:
        self.said.emit(self.tr("The system's print queue took %n page(s) for {printer}; it prints them from there.",
                               "", pages).format(printer=self._printer_name), False)
        self.spooled.emit(pages)

    def _alive(self) -> bool:
        return shiboken6.isValid(self) and shiboken6.isValid(self.window)
