"""The print dialog's choices as a job, the Qt path (Windows) driven here through a PDF printer,
and the words for job states."""

from __future__ import annotations

import pytest
from pypdf import PdfReader
from PySide6.QtPrintSupport import QPrinter

import ui.printing.print_flow as print_flow
from app.printing import JobStatus, PrintRefused, Problem, Queue
from tests.app.report_factory import banded_visit
from ui.print_preview_dialog import show_print_preview
from ui.printing.job_dialog import PrintJobDialog, parse_pages
from ui.printing.words import job_text, join, refusal_text
from ui.tasks import SyncTaskRunner


@pytest.fixture
def runner(qtbot):
    r = SyncTaskRunner()
    yield r
    r.shutdown()


def test_page_lists_are_read_as_the_user_writes_them():
    assert parse_pages("", 5) == ()
    assert parse_pages("1-2, 4", 5) == ((1, 2), (4, 4))
    assert parse_pages("3，5", 5) == ((3, 3), (5, 5))  # a Chinese comma
    for wrong in ("0", "6", "2-1", "a", "1-", "1,,2"):
        assert parse_pages(wrong, 5) is None, wrong


def test_the_dialog_s_choices_are_the_job(qtbot):
    queues = [Queue("Office", "Office laser", is_default=True, sides=("one-sided", "two-sided-long-edge")),
              Queue("Portable", problems=(Problem("out_of_paper", "media-empty-error"),), sides=("one-sided",))]
    dialog = PrintJobDialog(queues, page_count=3, document_media="iso_a4_210x297mm", title="反馈意见书", copies=2)
    qtbot.addWidget(dialog)
    assert dialog.queue == "Office" and dialog.printer_box.currentText() == "Office laser (Office) — default"
    assert dialog.trouble.isHidden()
    dialog.pages_edit.setText("2-3")
    dialog.sides_box.setCurrentIndex(1)
    assert dialog.options().copies == 2 and dialog.options().pages == ((2, 3),)
    assert dialog.options().sides == "two-sided-long-edge"
    assert (dialog.options().media, dialog.options().scaling) == ("iso_a4_210x297mm", "none")  # true size
    dialog.paper_box.setCurrentIndex(dialog.paper_box.findData("na_letter_8.5x11in"))
    assert (dialog.options().media, dialog.options().scaling) == ("na_letter_8.5x11in", "fit")

    dialog.printer_box.setCurrentIndex(1)  # out of paper, one-sided only
    assert dialog.trouble.text() == "The printer Portable is out of paper." and not dialog.trouble.isHidden()
    assert dialog.sides_box.currentData() == "one-sided"
    assert not dialog.sides_box.model().item(1).isEnabled()

    dialog.pages_edit.setText("4")
    assert not dialog.ok_button.isEnabled() and "from 1 to 3" in dialog.pages_hint.text()


def test_job_states_in_words():
    waiting = JobStatus("Office", 12, "pending", problems=(Problem("stopped"),))
    assert job_text(waiting) == ("Job Office-12 is with the print service, waiting its turn on Office. "
                                 "The queue Office is stopped. It prints once that is put right.")
    aborted = JobStatus("Office", 12, "aborted", message="filter failed")
    assert job_text(aborted).startswith("The print service gave up on job Office-12: filter failed")
    assert job_text(aborted).endswith("Nothing was printed. Save the PDF or copy it to a USB drive instead.")
    jammed = PrintRefused("x", kind="rejecting", queue="Office", problems=(Problem("rejecting"), Problem("jam")))
    assert refusal_text(jammed).startswith("Office refused the job: the queue is rejecting jobs. "
                                           "Paper is jammed in the printer Office.")


def test_sentences_join_with_a_space_in_english_and_none_after_a_chinese_full_stop():
    assert join("Nothing was printed.", "", "Save the PDF.") == "Nothing was printed. Save the PDF."
    assert join("打印机 Office 缺纸。", "问题解决后即会打印。") == "打印机 Office 缺纸。问题解决后即会打印。"


def qt_platform(monkeypatch, tmp_path, printers=("Office",)):
    """This machine as Windows: no PDF print service, Qt's printers, a PDF file for paper."""
    monkeypatch.setattr(print_flow, "takes_pdf", lambda: False)
    monkeypatch.setattr(print_flow.QPrinterInfo, "availablePrinterNames", staticmethod(lambda: list(printers)))
    out = tmp_path / "spooled.pdf"

    def printer():
        p = QPrinter(QPrinter.PrinterMode.HighResolution)
        p.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        p.setOutputFileName(str(out))
        return p
    monkeypatch.setattr(print_flow, "new_printer", printer)
    return out


def test_the_on_site_routine_through_qt_draws_both_copies_at_true_size(qtbot, seeded, runner, tmp_path, monkeypatch):
    out = qt_platform(monkeypatch, tmp_path)
    visit, _ = banded_visit(seeded, photos=0)
    dialog = show_print_preview(None, seeded.profile, runner, visit, "feedback", copies=2, direct=True)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.flow.spooled, timeout=60000) as spooled:
        pass
    pages = dialog.page_count
    # A PDF "printer" makes no copies itself, so each copy is drawn: pages x 2.
    assert spooled.args == [2 * pages] and len(PdfReader(out).pages) == 2 * pages
    assert all(abs(float(p.mediabox.width) - 595.28) < 0.5 for p in PdfReader(out).pages)
    assert "The system's print queue took" in dialog.status.text()


def test_no_printer_on_the_qt_path_says_so(qtbot, seeded, runner, tmp_path, monkeypatch):
    qt_platform(monkeypatch, tmp_path, printers=())
    visit, _ = banded_visit(seeded, photos=0)
    dialog = show_print_preview(None, seeded.profile, runner, visit, "feedback")
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.flow.refused):
        dialog.print_button.click()
    assert dialog.status.text() == "No printer is set up on this computer. Save the PDF or copy it to a USB drive instead."


def follow_with(monkeypatch, qtbot, seeded, runner, states):
    """A preview whose job the print service reports as ``states`` (JobStatus or exception), one per look."""
    monkeypatch.setattr(print_flow, "FOLLOW_EVERY_MS", 10)
    monkeypatch.setattr(print_flow, "print_pdf", lambda pdf, queue, options: JobStatus(queue, 5, "pending"))
    answers = iter(states)

    def status(queue, job_id):
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer
    monkeypatch.setattr(print_flow, "job_status", status)
    visit, _ = banded_visit(seeded, photos=0)
    dialog = show_print_preview(None, seeded.profile, runner, visit, "feedback")
    qtbot.addWidget(dialog)
    dialog.flow.start(dialog.pdf_path, title="t", document_media="iso_a4_210x297mm")
    return dialog


def test_a_job_the_service_gives_up_on_later_is_said_with_the_ways_out(qtbot, seeded, runner, monkeypatch):
    monkeypatch.setattr(print_flow, "list_queues", lambda: [Queue("Office", is_default=True)])
    dialog = follow_with(monkeypatch, qtbot, seeded, runner, [
        JobStatus("Office", 5, "processing"), JobStatus("Office", 5, "aborted", message="filter failed")])
    dialog.flow.job_dialog.ok_button.click()
    with qtbot.waitSignal(dialog.flow.refused, timeout=5000):
        pass
    assert dialog.status.text().startswith("The print service gave up on job Office-5: filter failed")
    assert dialog.status.text().endswith("Save the PDF or copy it to a USB drive instead.")
    assert dialog.save_button.isDefault()


def test_losing_the_print_service_while_following_is_said(qtbot, seeded, runner, monkeypatch):
    from app.printing import PrintServiceError

    monkeypatch.setattr(print_flow, "list_queues", lambda: [Queue("Office", is_default=True)])
    dialog = follow_with(monkeypatch, qtbot, seeded, runner, [PrintServiceError("gone", kind="unreachable")])
    dialog.flow.job_dialog.ok_button.click()
    qtbot.waitUntil(lambda: "no longer answers" in dialog.status.text(), timeout=5000)
    assert dialog.status.text() == "The print service took job Office-5 but no longer answers about it: gone"


def test_following_stops_after_a_while_and_says_where_to_look(qtbot, seeded, runner, monkeypatch):
    monkeypatch.setattr(print_flow, "list_queues", lambda: [Queue("Office", is_default=True)])
    monkeypatch.setattr(print_flow, "FOLLOW_FOR_S", 0.0)
    dialog = follow_with(monkeypatch, qtbot, seeded, runner, [JobStatus("Office", 5, "held")])
    dialog.flow.job_dialog.ok_button.click()
    qtbot.waitUntil(lambda: "stops following" in dialog.status.text(), timeout=5000)
    assert dialog.status.text().startswith("Job Office-5 is held on Office: release it in the system's print queue.")


def test_the_on_site_routine_asks_which_printer_only_when_there_is_no_default(qtbot, seeded, runner, monkeypatch):
    monkeypatch.setattr(print_flow, "list_queues", lambda: [Queue("Office"), Queue("Portable")])
    sent = []
    monkeypatch.setattr(print_flow, "print_pdf", lambda pdf, queue, options: sent.append((queue, options))
                        or JobStatus(queue, 9, "completed"))
    visit, _ = banded_visit(seeded, photos=0)
    dialog = show_print_preview(None, seeded.profile, runner, visit, "feedback", copies=2, direct=True)
    qtbot.addWidget(dialog)
    chooser = dialog.flow.job_dialog
    assert chooser is not None and chooser.copies_box.value() == 2 and not sent
    chooser.printer_box.setCurrentIndex(1)
    chooser.ok_button.click()
    assert [(queue, options.copies) for queue, options in sent] == [("Portable", 2)]
    assert dialog.status.text() == "Job Portable-9 is done: the print service has sent every page to Portable."
