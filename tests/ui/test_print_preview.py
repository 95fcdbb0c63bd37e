"""The print preview dialog: builds the PDF through the runner, shows its pages, saves, prints."""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtGui import QPageSize
from PySide6.QtPrintSupport import QPrinter

from tests.app.report_factory import banded_visit
from ui.print_preview_dialog import PrintPreviewDialog, show_print_preview
from ui.tasks import SyncTaskRunner, TaskRunner


@pytest.fixture
def runner(qtbot):
    r = SyncTaskRunner()
    yield r
    r.shutdown()


@pytest.fixture
def visit(seeded):
    vid, _ = banded_visit(seeded, photos=1)
    return vid


def test_dialog_shows_the_real_pages(qtbot, seeded, runner, visit):
    dialog = PrintPreviewDialog(seeded.profile, runner, visit, "full")
    qtbot.addWidget(dialog)
    assert dialog.page_count >= 2
    assert dialog.pdf_path is not None and dialog.pdf_path.read_bytes().startswith(b"%PDF")
    assert dialog.save_button.isEnabled() and dialog.print_button.isEnabled()
    with qtbot.waitSignal(dialog.loaded) as blocker:
        dialog.kind_box.setCurrentIndex(0)  # the feedback sheet
    assert blocker.args == [dialog.page_count] and dialog.page_count == 1


def test_save_as_pdf_writes_the_file(qtbot, seeded, runner, visit, tmp_path):
    dialog = show_print_preview(None, seeded.profile, runner, visit)
    qtbot.addWidget(dialog)
    target = tmp_path / "sheet.pdf"
    with qtbot.waitSignal(dialog.saved):
        dialog.save_to(target)
    assert len(PdfReader(target).pages) == dialog.page_count == 1
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask  # the user's normal permissions, not 0600


def test_save_as_pdf_into_a_missing_folder_says_why_and_writes_nothing(qtbot, seeded, runner, visit, tmp_path,
                                                                        monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    dialog = show_print_preview(None, seeded.profile, runner, visit)
    qtbot.addWidget(dialog)
    target = tmp_path / "no-such-folder" / "sheet.pdf"
    dialog.save_to(target)
    assert shown and "could not be saved" in shown[0] and "no-such-folder" in shown[0]
    assert not target.parent.exists()


def test_the_qt_path_prints_each_page_full_page_at_true_size(qtbot, seeded, runner, visit, tmp_path):
    """Where the print service takes no PDF (Windows) the pages go through Qt: the paper is the
    document's, the painter starts at the paper's corner, and nothing is scaled into margins."""
    from tests.cups_support import ink_box, page_boxes
    from ui.printing.qt_pages import match_document

    dialog = PrintPreviewDialog(seeded.profile, runner, visit, "rectification")
    qtbot.addWidget(dialog)
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    printer.setFullPage(False)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.Letter))  # what a printer's default may be
    match_document(printer, dialog.document)
    with qtbot.waitSignal(dialog.flow.spooled, timeout=10000) as blocker:
        dialog.print_to(printer)
    assert blocker.args == [dialog.page_count]
    original = dialog.pdf_path.read_bytes()
    printed = tmp_path / "printed.pdf"
    boxes, expected = page_boxes(printed), page_boxes(original)
    assert len(boxes) == len(expected) == dialog.page_count  # one page per page
    for (w, h), (ew, eh) in zip(boxes, expected, strict=True):
        assert (w, h) == (pytest.approx(ew, abs=0.5), pytest.approx(eh, abs=0.5))  # A4
    assert ink_box(printed) == pytest.approx(ink_box(original), abs=2)  # 100%, from the paper's corner
    assert "took 1 page(s)" in dialog.status.text() and "sent" not in dialog.status.text().lower()


def test_a_failure_is_shown_not_raised(qtbot, seeded, runner):
    dialog = PrintPreviewDialog(seeded.profile, runner, "no-such-visit")
    qtbot.addWidget(dialog)
    assert dialog.pdf_path is None and not dialog.save_button.isEnabled()
    assert "no visit" in dialog.status.text()


def test_the_document_is_read_on_the_database_thread_and_laid_out_on_a_file_worker(
        qtbot, seeded, visit, monkeypatch):
    import ui.print_preview_dialog as preview

    threads: dict[str, str] = {}
    real_prepare, real_render = preview.prepare_report, preview.render_report

    def prepare(*args, **kwargs):
        threads["read"] = threading.current_thread().name
        return real_prepare(*args, **kwargs)

    def render(doc):
        threads["layout"] = threading.current_thread().name
        return real_render(doc)

    monkeypatch.setattr(preview, "prepare_report", prepare)
    monkeypatch.setattr(preview, "render_report", render)
    runner = TaskRunner()
    try:
        dialog = PrintPreviewDialog(seeded.profile, runner, visit, "full")
        qtbot.addWidget(dialog)
        qtbot.waitUntil(lambda: dialog.pdf_path is not None, timeout=20000)
    finally:
        runner.shutdown()
    assert threads["read"].startswith("fieldmark-db") and threads["layout"].startswith("fieldmark-io")
    assert dialog.page_count >= 2


def test_an_error_while_rendering_is_shown_and_leaves_no_file(qtbot, seeded, visit, monkeypatch):
    import ui.print_preview_dialog as preview

    def broken(doc):
        raise RuntimeError("the layout failed")

    monkeypatch.setattr(preview, "render_report", broken)
    monkeypatch.setattr(preview, "_temp_dir", lambda: tmp)
    tmp = Path(tempfile.mkdtemp(prefix="fieldmark-print-test-"))
    runner = TaskRunner()
    try:
        dialog = PrintPreviewDialog(seeded.profile, runner, visit, "full")
        qtbot.addWidget(dialog)
        with qtbot.waitSignal(dialog.failed, timeout=20000) as blocker:
            pass
    finally:
        runner.shutdown()
    assert blocker.args == ["the layout failed"]
    assert dialog.status.text() == "The document could not be made: the layout failed"
    assert dialog.pdf_path is None and dialog.page_count == 0
    assert not any(b.isEnabled() for b in (dialog.print_button, dialog.save_button, dialog.open_button))
    assert list(tmp.iterdir()) == []  # no PDF, not even a half-written one
