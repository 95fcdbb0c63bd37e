"""The print service client without a real CUPS: IPP messages, the printer's troubles in words,
where the service is found, refusals and broken answers, drives for the PDF when nothing prints."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from app.cli import main
from app.printing import (
    PrintOptions,
    PrintRefused,
    PrintServiceError,
    Problem,
    ServiceAddress,
    copy_to_drive,
    default_queue,
    describe,
    ipp,
    job_status,
    list_queues,
    locate_service,
    media_for_points,
    media_name,
    print_pdf,
    printer_problems,
    removable_drives,
)
from app.printing.cups import merge_ranges
from app.reports import OutputError
from tests.app.printing.fake_ipp import fake_service, job_answer, printer_answer

PDF = b"%PDF-1.4 a document\n%%EOF\n"


# -- IPP messages ---------------------------------------------------------------------------------

def test_a_request_encodes_to_the_bytes_of_rfc_8010():
    request = ipp.Request(ipp.PRINT_JOB, request_id=5)
    request.operation(ipp.CHARSET, "attributes-charset", "utf-8")
    request.job(ipp.INTEGER, "copies", 2)
    request.job(ipp.RANGE, "page-ranges", (1, 2), (4, 4))
    assert request.encode() == (
        b"\x02\x00\x00\x02\x00\x00\x00\x05"
        b"\x01\x47\x00\x12attributes-charset\x00\x05utf-8"
        b"\x02\x21\x00\x06copies\x00\x04\x00\x00\x00\x02"
        b"\x33\x00\x0bpage-ranges\x00\x08\x00\x00\x00\x01\x00\x00\x00\x02"
        b"\x33\x00\x00\x00\x08\x00\x00\x00\x04\x00\x00\x00\x04"
        b"\x03"
    )


def attr(tag: int, name: str, value: bytes) -> bytes:
    encoded = name.encode()
    return bytes([tag]) + len(encoded).to_bytes(2, "big") + encoded + len(value).to_bytes(2, "big") + value


def test_an_answer_decodes_with_several_values_languages_and_values_it_does_not_read():
    info = "办公室".encode()
    answer = b"".join([
        b"\x02\x00\x05\x06\x00\x00\x00\x09",
        b"\x01", attr(0x41, "status-message", b"busy"),
        b"\x04", attr(0x44, "printer-state-reasons", b"media-empty"), attr(0x44, "", b"paused"),
        attr(0x35, "printer-info", b"\x00\x02zh" + len(info).to_bytes(2, "big") + info),
        attr(0x31, "date", b"abc"),  # a dateTime the client never reads: kept as bytes
        attr(0x13, "no-value", b""),
        b"\x04", attr(0x42, "printer-name", b"B"),
        b"\x03",
    ])
    response = ipp.decode_response(answer)
    assert response.status == 0x0506 and not response.ok and response.message == "busy"
    first, second = response.every(ipp.PRINTER_GROUP)
    assert first["printer-state-reasons"] == ["media-empty", "paused"]
    assert first["printer-info"] == ["办公室"]
    assert first["date"] == [b"abc"] and first["no-value"] == [None]
    assert second == {"printer-name": ["B"]}


@pytest.mark.parametrize("data", [b"", b"<html>not ipp</html>", b"\x02\x00\x00\x00\x00\x00\x00\x01\x01\x47\x00\x40x"])
def test_bytes_that_are_not_ipp_are_refused(data):
    with pytest.raises(ipp.IppDecodeError):
        ipp.decode_response(data)


# -- troubles in words ----------------------------------------------------------------------------

def test_state_reasons_become_troubles_in_the_order_a_user_reads_them():
    problems = printer_problems(["toner-low-warning", "media-jam-error", "offline-report", "media-empty-error",
                                 "cups-missing-filter-warning", "door-open", "fuser-over-temp-error"],
                                state=5, accepting=False)
    assert [p.code for p in problems] == ["rejecting", "stopped", "offline", "out_of_paper", "jam", "cover_open",
                                          "error"]
    assert problems[-1].reason == "fuser-over-temp-error"
    assert printer_problems(["none"], state=3) == ()
    assert printer_problems(["paused"]) == (Problem("stopped", "paused"),)


def test_troubles_in_english_for_the_command_line():
    assert describe(Problem("out_of_paper"), "Office") == "the printer Office is out of paper"
    assert describe(Problem("jam"), "Office") == "paper is jammed in the printer Office"
    assert describe(Problem("offline"), "Office") == "the printer Office is offline"
    assert describe(Problem("error", "fuser-error"), "Office") == "the printer Office reports an error (fuser-error)"


# -- where the service is --------------------------------------------------------------------------

def test_the_service_is_found_as_lp_finds_it(tmp_path):
    assert locate_service({"CUPS_SERVER": "/run/x.sock"}, tmp_path) == ServiceAddress(socket_path="/run/x.sock")
    assert locate_service({"CUPS_SERVER": "print.lan:8631"}, tmp_path) == ServiceAddress("print.lan", 8631)
    assert locate_service({"CUPS_SERVER": "print.lan", "IPP_PORT": "700"}, tmp_path) == ServiceAddress("print.lan", 700)
    assert locate_service({"CUPS_SERVER": "[::1]:631/version=1.1"}, tmp_path) == ServiceAddress("::1", 631)
    (tmp_path / ".cups").mkdir()
    (tmp_path / ".cups" / "client.conf").write_text("# mine\nServerName office-print:6310\n")
    assert locate_service({}, tmp_path) == ServiceAddress("office-print", 6310)
    (tmp_path / ".cups" / "client.conf").unlink()
    assert locate_service({}, tmp_path, platform="freebsd13") == ServiceAddress("localhost", 631)


def test_the_default_queue_follows_lpdest_printer_and_lpoptions(tmp_path):
    assert default_queue(environ={"LPDEST": "A", "PRINTER": "B"}, home=tmp_path) == "A"
    assert default_queue(environ={"PRINTER": "B"}, home=tmp_path) == "B"
    (tmp_path / ".cups").mkdir()
    (tmp_path / ".cups" / "lpoptions").write_text("Dest Other sides=one-sided\nDefault Office/duplex\n")
    assert default_queue(environ={}, home=tmp_path) == "Office"


def test_page_ranges_are_sorted_and_joined_for_ipp():
    assert merge_ranges([(3, 4), (1, 2), (4, 6)]) == [(1, 6)]
    assert merge_ranges([(5, 5), (1, 2)]) == [(1, 2), (5, 5)]
    with pytest.raises(ValueError):
        merge_ranges([(0, 1)])


def test_paper_sizes_by_their_pwg_names():
    assert media_for_points(595.2756, 841.8898) == "iso_a4_210x297mm"
    assert media_for_points(841.8898, 595.2756) == "iso_a4_210x297mm"  # landscape is the same paper
    assert media_for_points(612, 792) == "na_letter_8.5x11in"
    assert media_name(100, 150.5) == "custom_fieldmark_100x150.50mm"


# -- jobs, against a print service that says what the test wants -----------------------------------

def test_a_job_reports_the_printer_out_of_paper_and_sends_the_options(monkeypatch):
    def answer(request, document):
        if request.status == ipp.PRINT_JOB:
            return 200, job_answer(42, state=3)
        return 200, printer_answer("Office", reasons=("media-empty-error", "media-jam-error"))

    with fake_service(answer) as (service, seen):
        job = print_pdf(PDF, "Office", PrintOptions(copies=2, pages=((2, 3), (1, 1)), sides="two-sided-long-edge",
                                                     media="iso_a4_210x297mm", title="反馈意见书"), service)
    assert (job.job_id, job.state, job.accepted, job.label) == (42, "pending", True, "Office-42")
    assert [p.code for p in job.problems] == ["out_of_paper", "jam"]
    request, document = seen[0]
    assert document == PDF
    operation = request.first(ipp.OPERATION_GROUP)
    attrs = request.first(ipp.JOB_GROUP)
    assert operation["printer-uri"] == [f"ipp://127.0.0.1:{service.port}/printers/Office"]
    assert operation["document-format"] == ["application/pdf"] and operation["job-name"] == ["反馈意见书"]
    assert attrs == {"copies": [2], "multiple-document-handling": ["separate-documents-collated-copies"],
                     "page-ranges": [(1, 3)], "sides": ["two-sided-long-edge"], "media": ["iso_a4_210x297mm"],
                     "print-scaling": ["none"]}


@pytest.mark.parametrize(("status", "kind", "words"), [
    (0x0506, "rejecting", "the queue Office is rejecting jobs"),
    (0x0406, "no_such_queue", "has no queue named Office"),
    (0x0403, "not_allowed", "does not let this user print to Office"),
    (0x040A, "format", "cannot take PDF"),
    (0x0500, "refused", "refused the job for Office: internal"),
])
def test_a_refusal_says_why_and_reports_no_job(status, kind, words):
    def answer(request, document):
        if request.status == ipp.PRINT_JOB:
            return 200, job_answer(status=status, message="internal")
        return 200, printer_answer("Office", accepting=status != 0x0506)

    with fake_service(answer) as (service, _):
        with pytest.raises(PrintRefused) as refused:
            print_pdf(PDF, "Office", service=service)
    assert refused.value.kind == kind and words in str(refused.value)


def test_a_refusal_is_said_even_when_the_printer_s_state_cannot_be_read(monkeypatch):
    def answer(request, document):
        if request.status == ipp.PRINT_JOB:
            return 200, job_answer(status=0x0506, message="not accepting")
        return 500, b""  # the detail fails; the refusal must still come through

    def no_login_name():
        raise KeyError("getpwuid(): uid not found")  # a container's user with no passwd entry

    monkeypatch.setattr("getpass.getuser", no_login_name)
    with fake_service(answer) as (service, seen):
        with pytest.raises(PrintRefused) as refused:
            print_pdf(PDF, "Office", service=service)
    assert refused.value.kind == "rejecting" and "the queue Office is rejecting jobs" in str(refused.value)
    assert seen[0][0].first(ipp.OPERATION_GROUP)["requesting-user-name"] == ["fieldmark"]


def test_a_job_the_service_aborts_at_once_is_a_refusal():
    def answer(request, document):
        if request.status == ipp.PRINT_JOB:
            return 200, job_answer(8, state=8)
        return 200, printer_answer()

    with fake_service(answer) as (service, _):
        with pytest.raises(PrintRefused) as refused:
            print_pdf(PDF, "Office", service=service)
    assert refused.value.kind == "failed" and "ended job Office-8 without printing it" in str(refused.value)


def test_a_followed_job_reports_an_offline_printer():
    def answer(request, document):
        if request.status == ipp.GET_JOB_ATTRIBUTES:
            assert request.first(ipp.OPERATION_GROUP)["job-id"] == [7]
            return 200, job_answer(7, state=5)
        return 200, printer_answer("Office", reasons=("offline-report",))

    with fake_service(answer) as (service, _):
        job = job_status("Office", 7, service)
    assert job.state == "processing" and not job.finished
    assert [p.code for p in job.problems] == ["offline"]


@pytest.mark.parametrize(("http", "body", "kind"), [(401, b"", "http"), (200, b"<html>", "garbled")])
def test_an_answer_that_is_not_a_print_service_s_is_said(http, body, kind):
    with fake_service(lambda request, document: (http, body)) as (service, _):
        with pytest.raises(PrintServiceError) as failed:
            list_queues(service)
    assert failed.value.kind == kind


def test_an_old_cups_that_wants_ipp_1_1_is_asked_again_in_1_1():
    def answer(request, document):
        if request.version == (2, 0):
            return 200, job_answer(status=0x0503)
        return 200, printer_answer("Old") if request.status == ipp.CUPS_GET_PRINTERS else job_answer(status=0x0406)

    with fake_service(answer) as (service, seen):
        queues = list_queues(service)
    assert [q.name for q in queues] == ["Old"]
    assert [r.version for r, _ in seen][-2:] == [(2, 0), (1, 1)]


def test_no_print_service_is_said_at_once(tmp_path):
    service = ServiceAddress(socket_path=str(tmp_path / "no-cups.sock"))
    with pytest.raises(PrintServiceError) as failed:
        print_pdf(PDF, "Office", service=service)
    assert failed.value.kind == "unreachable" and "is CUPS installed and running?" in str(failed.value)


def test_fieldmark_print_with_no_print_service_exits_1_and_builds_nothing(seeded, tmp_path, monkeypatch, capsys):
    from tests.app.report_factory import banded_visit

    vid, _ = banded_visit(seeded, photos=0)
    seeded.profile.close()
    monkeypatch.setenv("CUPS_SERVER", str(tmp_path / "no-cups.sock"))
    monkeypatch.delenv("LPDEST", raising=False)
    monkeypatch.delenv("PRINTER", raising=False)
    monkeypatch.setattr("app.reports.render_report", lambda doc: pytest.fail("built a document for no printer"))
    assert main(["print", vid, "--data-dir", str(seeded.profile.root)]) == 1
    said = capsys.readouterr()
    assert "does not answer" in said.err and said.out == ""


def test_fieldmark_print_refuses_nonsense_copies(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["print", "x", "--copies", "0"])
    assert stopped.value.code == 2 and "copies must be between 1 and 999" in capsys.readouterr().err


# -- the draft sheet stays vector --------------------------------------------------------------------

def test_the_draft_watermark_is_opaque_so_cups_keeps_the_page_vector(seeded):
    import io

    from pypdf import PdfReader

    from app.reports import build_report
    from tests.app.report_factory import banded_visit

    vid, _ = banded_visit(seeded, photos=0)
    page = PdfReader(io.BytesIO(build_report(seeded.profile, vid).pdf)).pages[0]
    states = page["/Resources"].get("/ExtGState", {})
    alphas = [state.get_object().get(key) for state in states.values() for key in ("/ca", "/CA")]
    assert all(a in (None, 1) for a in alphas), alphas  # any transparency makes pdftops print a picture


# -- a USB drive when nothing prints ------------------------------------------------------------------

def test_removable_drives_are_the_writable_mounts_under_the_media_folders(tmp_path):
    media = tmp_path / "media" / "inspector"
    stick, card = media / "MY STICK", media / "CARD"
    for folder in (stick, card):
        folder.mkdir(parents=True)
    mounts = tmp_path / "mounts"
    mounts.write_text(
        "/dev/sda1 / ext4 rw 0 0\n"
        f"/dev/sdb1 {str(stick).replace(' ', chr(92) + '040')} vfat rw 0 0\n"
        f"/dev/sdc1 {card} exfat rw 0 0\n"
        f"/dev/sdd1 {media / 'GONE'} vfat rw 0 0\n"  # listed, but already pulled out
    )
    drives = removable_drives(platform="linux", mounts=mounts, roots=(str(tmp_path / "media") + "/",))
    assert [(d.label, d.path) for d in drives] == [("CARD", card), ("MY STICK", stick)]
    assert all(d.free_bytes > 0 for d in drives)
    assert removable_drives(platform="linux", mounts=tmp_path / "no-such-file") == []
    assert removable_drives(platform="darwin", volumes=tmp_path / "no-volumes") == []


def test_a_copy_never_overwrites_a_file_on_the_drive(tmp_path):
    first = copy_to_drive(tmp_path, "feedback-1234.pdf", PDF)
    second = copy_to_drive(tmp_path, "feedback-1234.pdf", b"%PDF other")
    assert (first.name, second.name) == ("feedback-1234.pdf", "feedback-1234 (2).pdf")
    assert first.read_bytes() == PDF


def test_a_full_drive_is_said_and_leaves_no_half_file(tmp_path, monkeypatch):
    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OutputError, match="the disk is full"):
        copy_to_drive(tmp_path, "feedback.pdf", PDF)
    assert list(Path(tmp_path).iterdir()) == []


def test_without_cups_the_printing_tests_skip_with_the_reason_but_fail_where_ci_requires_cups(monkeypatch):
    from tests.cups_support import REQUIRED_ENV, unavailable

    monkeypatch.delenv(REQUIRED_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception, match="no test CUPS on this machine: cupsd is missing"):
        unavailable("cupsd is missing")
    monkeypatch.setenv(REQUIRED_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match="CUPS is required here .* cannot run: cupsd is missing"):
        unavailable("cupsd is missing")
