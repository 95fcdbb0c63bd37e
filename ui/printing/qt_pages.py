"""Printing through Qt, where the print service cannot take a PDF (Windows).

Each page is drawn at its true size in full-page mode: the painter's origin is the paper's
corner, not the printable area's, and the paper is set to the document's page size, so
nothing is shrunk into the margins and nothing is scaled twice. The page is rendered at the
printer's resolution (at most MAX_RASTER_DPI) and drawn one page per event-loop turn, so the
window stays responsive while a long report is spooled.
"""

from __future__ import annotations

from PySide6.QtCore import QMarginsF, QObject, QRect, QSize, QSizeF, QTimer, Signal
from PySide6.QtGui import QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter

# A page at 1200 dpi would be a 550 MB image; 600 dpi (140 MB, held one page at a time) is
# beyond what the eye tells apart on paper. A 1200-dpi printer gets it doubled exactly.
MAX_RASTER_DPI = 600


def match_document(printer: QPrinter, document: QPdfDocument) -> None:
    """Set the paper to the document's page size, no margins, full page (before the dialog)."""
    if document.pageCount() == 0:
        return
    points = document.pagePointSize(0)
    size = QPageSize(QSizeF(points.width(), points.height()), QPageSize.Unit.Point, "",
                     QPageSize.SizeMatchPolicy.FuzzyMatch)
    landscape = points.width() > points.height()
    orientation = QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait
    printer.setFullPage(True)
    printer.setPageLayout(QPageLayout(size, orientation, QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Point))


def chosen_pages(printer: QPrinter, page_count: int) -> list[int]:
    """The 0-based pages the dialog chose, each copy spelled out when the printer cannot
    make copies itself."""
    if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
        first, last = printer.fromPage(), min(printer.toPage() or page_count, page_count)
    else:
        first, last = 1, page_count
    pages = list(range(first - 1, last))
    if not printer.supportsMultipleCopies() and printer.copyCount() > 1:
        pages = pages * printer.copyCount()
    return pages


class QtPagePrinter(QObject):
    """Draw the chosen pages of a QPdfDocument on a QPrinter; ``finished(pages)`` or ``failed(reason)``."""

    progressed = Signal(int, int)
    finished = Signal(int)
    failed = Signal(str)

    def __init__(self, document: QPdfDocument, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self._job: tuple[QPainter, QPrinter, list[int]] | None = None

    @property
    def busy(self) -> bool:
        return self._job is not None

    def start(self, printer: QPrinter) -> bool:
        """Begin printing; False (and ``failed``) when the printer cannot be opened."""
        if self._job is not None or self.document.pageCount() == 0:
            return False
        printer.setFullPage(True)  # the dialog must not have turned it off: no margins added
        pages = chosen_pages(printer, self.document.pageCount())
        painter = QPainter()
        if not pages or not painter.begin(printer):
            self.failed.emit(self.tr("The printer could not be started."))
            return False
        self._job = (painter, printer, pages)
        QTimer.singleShot(0, lambda: self._page(0))
        return True

    def _page(self, index: int) -> None:
        assert self._job is not None
        painter, printer, pages = self._job
        if index > 0 and not printer.newPage():
            self._end(ok=False)
            return
        self.progressed.emit(index + 1, len(pages))
        draw_page(painter, printer, self.document, pages[index])
        if index + 1 < len(pages):
            QTimer.singleShot(0, lambda: self._page(index + 1))
        else:
            self._end(ok=True)

    def _end(self, *, ok: bool) -> None:
        assert self._job is not None
        painter, printer, pages = self._job
        self._job = None
        ended = painter.end()
        if not ok or not ended or printer.printerState() in (QPrinter.PrinterState.Error, QPrinter.PrinterState.Aborted):
            self.failed.emit(self.tr("The system's print queue did not take the pages."))
            return
        self.finished.emit(len(pages))


def draw_page(painter: QPainter, printer: QPrinter, document: QPdfDocument, page: int) -> None:
    """One page at 100% from the paper's corner (shrunk only if the paper is smaller)."""
    dpi = printer.resolution()
    paper = printer.pageLayout().fullRectPixels(dpi)
    points = document.pagePointSize(page)
    width, height = points.width() * dpi / 72, points.height() * dpi / 72
    fit = min(1.0, paper.width() / width, paper.height() / height)
    target = QRect(0, 0, round(width * fit), round(height * fit))
    raster = min(dpi, MAX_RASTER_DPI) / 72 * fit
    image = document.render(page, QSize(round(points.width() * raster), round(points.height() * raster)))
    painter.drawImage(target, image)
