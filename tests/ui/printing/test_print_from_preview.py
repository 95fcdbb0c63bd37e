"""Printing from the preview through a real CUPS, and what the user reads when it cannot print.

The preview asks the print service for its queues, the print dialog's choice goes into the job,
the status line follows the job by its id, and a refusal says why, that nothing was printed, and
points to Save as PDF and Copy to USB drive.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from app.finalize import finalize_visit
from app.printing import Drive, ipp
from tests.app.printing.fake_ipp import fake_service
from tests.app.report_factory import banded_visit
from tests.cups_support import embedded_fonts, ink_box, page_boxes
from ui.print_preview_dialog import PrintPreviewDialog, show_print_preview
from ui.printing.job_dialog import PrintJobDialog
from ui.tasks import SyncTaskRunner


@pytest.fixture
def runner(qtbot):
    r = SyncTaskRunner()
    yield r
    r.shutdown()


@pytest.fixture
def final_visit(seeded):
    vid, _ = banded_visit(seeded, photos=1)
    finalize_visit(seeded.profile, vid, accept_gaps=True)
    return vid


def open_preview(qtbot, seeded, runner, visit, **kwargs) -> PrintPreviewDialog:
    dialog = show_print_preview(None, seeded.profile, runner, visit, "feedback", **kwargs)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.pdf_path is not None, timeout=20000)
    return dialog


def test_print_from_the_preview_gives_the_sheet_at_true_size_and_follows_the_job(
        qtbot, seeded, runner, final_visit, pdf_queue, cups_server):
    queue, _ = pdf_queue
    dialog = open_preview(qtbot, seeded, runner, final_visit)
    dialog.print_button.click()
    chooser = dialog.flow.job_dialog
    assert isinstance(chooser, PrintJobDialog)
    assert dialog.status.text() == ""  # the question is in the dialog
    dialog.print_button.click()
    assert dialog.flow.job_dialog is chooser  # a second Print does not open a second dialog
    chooser.printer_box.setCurrentIndex(chooser.printer_box.findData(queue))
    assert chooser.paper_box.currentData() == "iso_a4_210x297mm"  # the document's paper, true size
    with qtbot.waitSignal(dialog.flow.accepted, timeout=20000) as accepted:
        chooser.ok_button.click()
    job = accepted.args[0]
    assert job.queue == queue and job.job_id > 0
    assert f"Job {queue}-{job.job_id}" in dialog.status.text()
    with qtbot.waitSignal(dialog.flow.finished, timeout=60000) as finished:
        pass
    assert finished.args[0].state == "completed"
    assert f"Job {queue}-{job.job_id} is done" in dialog.status.text()
    [printed] = cups_server.wait_for_output(queue)
    original = dialog.pdf_path.read_bytes()
    assert len(page_boxes(printed)) == len(page_boxes(original)) == dialog.page_count
    assert all(abs(w - 595.28) <= 1 and abs(h - 841.89) <= 1 for w, h in page_boxes(printed))  # A4
    assert ink_box(printed) == pytest.approx(ink_box(original), abs=2)  # 100%, not shrunk or moved
    assert embedded_fonts(printed)  # vector text


def test_a_rejecting_queue_is_said_with_the_ways_out(qtbot, seeded, runner, final_visit, pdf_queue, cups_server):
    queue, out = pdf_queue
    cups_server.lp("cupsreject", queue)
    dialog = open_preview(qtbot, seeded, runner, final_visit)
    dialog.print_button.click()
    chooser = dialog.flow.job_dialog
    chooser.printer_box.setCurrentIndex(chooser.printer_box.findData(queue))
    assert f"The queue {queue} is rejecting jobs." in chooser.trouble.text()  # said before anything is sent
    with qtbot.waitSignal(dialog.flow.refused, timeout=20000):
        chooser.ok_button.click()
    text = dialog.status.text()
    assert f"{queue} refused the job: the queue is rejecting jobs." in text
    assert "Nothing was printed. Save the PDF or copy it to a USB drive instead." in text
    assert "sent" not in text.lower() and "Job" not in text  # no job exists, none is reported
    assert dialog.status.property("error") is True
    assert dialog.save_button.isDefault() and dialog.copy_button.isEnabled()
    assert list(out.iterdir()) == []


def test_the_on_site_routine_prints_two_copies_on_the_default_printer(
        qtbot, seeded, runner, final_visit, pdf_queue, cups_server, monkeypatch):
    from tests.ui.checklist_support import Checklist, open_page

    queue, _ = pdf_queue
    monkeypatch.setenv("LPDEST", queue)  # the user's default printer
    checklist = Checklist(seeded.profile, "", "", final_visit, final_visit)
    page = open_page(qtbot, checklist, final_visit)
    action = page.actions_by_name["print_copies"]
    assert action.isVisible() and page.action_buttons["print_copies"].isVisible()  # finalized: offered
    action.trigger()
    dialog = page.print_dialog
    assert isinstance(dialog, PrintPreviewDialog)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.flow.job is not None, timeout=30000)  # no dialog to answer: sent at once
    assert dialog.flow.job_dialog is None and dialog.flow.job.queue == queue
    [printed] = cups_server.wait_for_output(queue)
    pages = len(PdfReader(dialog.pdf_path).pages)
    assert len(PdfReader(printed).pages) == 2 * pages  # one for the unit, one for the file


def test_the_on_site_action_is_offered_only_once_the_visit_is_final(qtbot, seeded):
    from tests.ui.checklist_support import make_checklist, open_page

    checklist = make_checklist(seeded)
    page = open_page(qtbot, checklist, checklist.school_visit)
    assert not page.actions_by_name["print_copies"].isVisible()
    page.print_feedback_copies()
    assert page.print_dialog is None


def test_no_print_service_offers_the_pdf_and_a_usb_drive(qtbot, seeded, runner, final_visit, tmp_path,
                                                          monkeypatch):
    import ui.print_preview_dialog as preview

    monkeypatch.setenv("CUPS_SERVER", str(tmp_path / "no-cups.sock"))
    dialog = open_preview(qtbot, seeded, runner, final_visit)
    with qtbot.waitSignal(dialog.flow.refused):
        dialog.print_button.click()
    assert dialog.flow.job_dialog is None
    assert dialog.status.text() == ("The print service does not answer: no printer can be used from this computer "
                                    "now. Nothing was printed. Save the PDF or copy it to a USB drive instead.")

    stick = tmp_path / "STICK"
    stick.mkdir()
    monkeypatch.setattr(preview, "removable_drives", lambda: [Drive(stick, "STICK", 8 * 10**9)])
    with qtbot.waitSignal(dialog.copied) as copied:
        dialog.copy_button.click()
    target = Path(copied.args[0])
    assert target.parent == stick and target.read_bytes() == dialog.pdf_path.read_bytes()
    assert dialog.status.text().startswith(f"Copied to {target}.")


def test_no_usb_drive_and_a_drive_that_fails_are_said(qtbot, seeded, runner, final_visit, tmp_path, monkeypatch):
    import ui.print_preview_dialog as preview

    dialog = open_preview(qtbot, seeded, runner, final_visit)
    monkeypatch.setattr(preview, "removable_drives", lambda: [])
    dialog.copy_button.click()
    assert dialog.status.text().startswith("No USB drive is plugged in.")

    gone = tmp_path / "pulled-out"  # listed a moment ago, gone when the copy starts
    monkeypatch.setattr(preview, "removable_drives", lambda: [Drive(gone, "STICK", 1)])
    dialog.copy_button.click()
    assert dialog.status.text().startswith("The PDF could not be copied to the USB drive:")
    assert "does not exist" in dialog.status.text() and not gone.exists()


def test_a_print_service_with_no_printer_says_so(qtbot, seeded, runner, final_visit, monkeypatch):
    def answer(request, document):
        none = ipp.Request(0x0406)  # client-error-not-found: CUPS' answer when it has no queue
        none.operation(ipp.CHARSET, "attributes-charset", "utf-8")
        return 200, none.encode()

    with fake_service(answer) as (service, _):
        monkeypatch.setenv("CUPS_SERVER", str(service))
        monkeypatch.delenv("LPDEST", raising=False)
        monkeypatch.delenv("PRINTER", raising=False)
        dialog = open_preview(qtbot, seeded, runner, final_visit)
        with qtbot.waitSignal(dialog.flow.refused):
            dialog.print_button.click()
    assert dialog.status.text() == ("No printer is set up on this computer. Save the PDF or copy it to a USB drive "
                                    "instead.")
