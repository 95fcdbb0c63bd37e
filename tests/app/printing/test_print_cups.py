"""Printing through a real CUPS: `fieldmark print` and print_pdf against a cups-pdf queue.

What comes out of the queue is checked as a printer would receive it: one page per page of the
original, the same page box (A4 at 100%, the ink in the same place) and text as embedded fonts.
"""

from __future__ import annotations

import io
import time

import pytest
from pypdf import PdfReader

from app.cli import main
from app.printing import PrintOptions, PrintRefused, job_status, list_queues, print_pdf
from app.reports import build_report
from tests.app.report_factory import banded_visit
from tests.cups_support import embedded_fonts, ink_box, page_boxes

A4 = (595.28, 841.89)


def close_to(a: tuple[float, float], b: tuple[float, float], tolerance: float) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


def assert_true_copy(original: bytes, printed, copies: int = 1) -> None:
    pages = page_boxes(original)
    out = page_boxes(printed)
    assert len(out) == len(pages) * copies
    for box in out:
        # cups-pdf writes whole points: 595 x 842 for A4's 595.28 x 841.89.
        assert close_to(box, pages[0], 1.0) and close_to(box, A4, 1.0), box
    assert ink_box(printed) == pytest.approx(ink_box(original), abs=2)  # not shrunk, not moved
    assert embedded_fonts(printed), "the text came out as a picture, not as fonts"


def test_fieldmark_print_puts_the_feedback_sheet_on_the_queue_at_true_size(seeded, pdf_queue, cups_server, capsys):
    queue, out = pdf_queue
    vid, _ = banded_visit(seeded, photos=1)
    original = build_report(seeded.profile, vid, kind="feedback", lang="zh").pdf
    seeded.profile.close()  # the command opens the profile itself
    assert main(["print", vid, "--printer", queue, "--wait", "--data-dir", str(seeded.profile.root)]) == 0
    said = capsys.readouterr().out.splitlines()
    assert said[0].startswith(f"job {queue}-") and f"accepted by {queue}: 1 page(s)" in said[0]
    assert said[1] == f"job {said[0].split()[1]} printed"  # --wait: CUPS has printed it
    [printed] = cups_server.wait_for_output(queue)
    assert_true_copy(original, printed)
    assert embedded_fonts(original)  # the original's text is fonts too, so like is compared with like


def test_copies_and_a_page_range_reach_the_printout(seeded, pdf_queue, cups_server):
    queue, out = pdf_queue
    vid, _ = banded_visit(seeded, photos=2)
    full = build_report(seeded.profile, vid, kind="full", lang="en").pdf
    pages = len(PdfReader(io.BytesIO(full)).pages)
    assert pages >= 2
    job = print_pdf(full, queue, PrintOptions(copies=2, pages=((2, 2),), media="iso_a4_210x297mm", title="range"))
    assert job.accepted and job.job_id > 0
    [printed] = cups_server.wait_for_output(queue)
    assert len(PdfReader(printed).pages) == 2  # page 2, twice
    assert all(close_to(box, A4, 1.0) for box in page_boxes(printed))


def test_the_job_is_followed_until_the_print_service_has_printed_it(seeded, pdf_queue, cups_server):
    queue, _ = pdf_queue
    vid, _ = banded_visit(seeded, photos=0)
    job = print_pdf(build_report(seeded.profile, vid).pdf, queue)
    assert job.state in ("pending", "processing", "completed") and job.label == f"{queue}-{job.job_id}"
    cups_server.wait_for_output(queue)
    for _ in range(100):
        job = job_status(queue, job.job_id)
        if job.finished:
            break
        time.sleep(0.1)
    assert job.state == "completed"


def test_a_queue_that_rejects_jobs_refuses_and_fieldmark_print_exits_1_with_the_reason(
        seeded, pdf_queue, cups_server, capsys):
    queue, out = pdf_queue
    cups_server.lp("cupsreject", "-r", "toner being replaced", queue)
    assert [q.accepting for q in list_queues() if q.name == queue] == [False]
    vid, _ = banded_visit(seeded, photos=0)
    with pytest.raises(PrintRefused) as refused:
        print_pdf(build_report(seeded.profile, vid).pdf, queue)
    assert refused.value.kind == "rejecting" and refused.value.queue == queue

    seeded.profile.close()
    assert main(["print", vid, "--printer", queue, "--data-dir", str(seeded.profile.root)]) == 1
    said = capsys.readouterr()
    assert f"the queue {queue} is rejecting jobs" in said.err
    assert "accepted" not in said.out and "job" not in said.out  # no job is reported, none exists
    assert list(out.iterdir()) == []


def test_a_stopped_queue_takes_the_job_and_says_it_waits(seeded, pdf_queue, cups_server, capsys):
    queue, out = pdf_queue
    cups_server.lp("cupsdisable", queue)
    try:
        vid, _ = banded_visit(seeded, photos=0)
        seeded.profile.close()
        assert main(["print", vid, "--printer", queue, "--copies", "2", "--data-dir", str(seeded.profile.root)]) == 0
        said = capsys.readouterr()
        assert "2 copies of 1 page(s) (pending)" in said.out
        assert f"the queue {queue} is stopped; the job waits" in said.err
    finally:
        cups_server.lp("cupsenable", queue)
    [printed] = cups_server.wait_for_output(queue)  # started again, the waiting job prints
    assert len(PdfReader(printed).pages) == 2


def test_no_default_printer_names_the_queues_to_choose_from(seeded, pdf_queue, capsys):
    queue, _ = pdf_queue
    vid, _ = banded_visit(seeded, photos=0)
    seeded.profile.close()
    assert main(["print", vid, "--data-dir", str(seeded.profile.root)]) == 1
    err = capsys.readouterr().err
    assert "no default printer: choose one with --printer" in err and queue in err


def test_an_unknown_queue_is_refused_by_name(seeded, pdf_queue, capsys):
    vid, _ = banded_visit(seeded, photos=0)
    seeded.profile.close()
    assert main(["print", vid, "--printer", "no_such_queue", "--data-dir", str(seeded.profile.root)]) == 1
    assert "the print service has no queue named no_such_queue" in capsys.readouterr().err
