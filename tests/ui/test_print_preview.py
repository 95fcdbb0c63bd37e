"""The print preview dialog: builds the PDF through the runner, shows its pages, saves, prints."""

from __future__ import annotations

import pytest
from pypdf import PdfReader
from PySide6.QtPrintSupport import QPrinter

from tests.app.report_factory import banded_visit
from ui.print_preview_dialog import PrintPreviewDialog, show_print_preview
from ui.tasks import SyncTaskRunner


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


def test_print_to_a_pdf_printer(qtbot, seeded, runner, visit, tmp_path):
    dialog = PrintPreviewDialog(seeded.profile, runner, visit, "rectification")
    qtbot.addWidget(dialog)
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    with qtbot.waitSignal(dialog.printed, timeout=10000) as blocker:
        dialog.print_to(printer)
    assert blocker.args == [dialog.page_count]
    assert len(PdfReader(tmp_path / "printed.pdf").pages) == dialog.page_count


def test_a_failure_is_shown_not_raised(qtbot, seeded, runner):
    dialog = PrintPreviewDialog(seeded.profile, runner, "no-such-visit")
    qtbot.addWidget(dialog)
    assert dialog.pdf_path is None and not dialog.save_button.isEnabled()
    assert "no visit" in dialog.status.text()
