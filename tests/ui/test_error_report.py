"""An unexpected error is shown with its details, written to the log, and leaves the profile whole."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from app.logs import setup_logging
from app.visits import list_responses
from db import connection
from db.queries import responses as rq
from tests.ui.checklist_support import make_checklist, open_page
from ui import error_report


@pytest.fixture
def reporter(qapp, tmp_path):
    log = setup_logging(tmp_path / "logs")
    installed = error_report.install(qapp)
    yield installed, log
    error_report.uninstall()


def test_a_bug_in_a_background_task_is_shown_and_logged(qtbot, reporter, seeded):
    installed, log = reporter
    c = make_checklist(seeded)
    page = open_page(qtbot, c, c.school_visit)

    def broken(db, row, meta):
        raise KeyError("value_json")
    import ui.checklist.answers  # noqa: F401 - the writer reports through the module's import
    page.go_to(c.school, "A1.1")
    real = rq.upsert_response
    rq.upsert_response = broken
    try:
        page.pane.editor.entry.setValue(7)
    finally:
        rq.upsert_response = real
    qtbot.waitUntil(lambda: installed.dialog is not None and installed.dialog.isVisible(), timeout=3000)
    dialog = installed.dialog
    assert "KeyError" in dialog.message.text() and "value_json" in dialog.message.text()
    assert str(log) in dialog.where.text()
    assert "Traceback" in dialog.details.toPlainText()
    dialog.copy_button.click()
    assert "value_json" in QApplication.clipboard().text()
    assert dialog.isVisible()  # copying does not close it
    text = log.read_text(encoding="utf-8")
    assert "unexpected error: KeyError" in text and "Traceback" in text
    # The answer is not on disk, the page says so, and the database is whole.
    assert "A1.1" not in {r.item_code for r in list_responses(c.profile, c.school_visit)}
    assert page.saved.property("error") is True
    assert connection.integrity_problems(c.profile.db) == []


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_slot_reaches_the_dialog(qtbot, reporter):
    installed, log = reporter

    def slot() -> None:
        raise RuntimeError("the print queue vanished")
    QTimer.singleShot(0, slot)
    qtbot.waitUntil(lambda: installed.dialog is not None, timeout=3000)
    assert "the print queue vanished" in installed.dialog.message.text()
    assert "RuntimeError: the print queue vanished" in log.read_text(encoding="utf-8")


def test_two_errors_share_one_dialog(qtbot, reporter):
    installed, _log = reporter
    error_report.report_unexpected(ValueError("first"))
    error_report.report_unexpected(ValueError("second"))
    qtbot.waitUntil(lambda: installed.dialog is not None and installed.dialog.count == 2, timeout=3000)
    assert installed.dialog.message.text().startswith("2 unexpected error")
    assert "first" in installed.dialog.details.toPlainText()


def test_a_failed_action_leaves_nothing_half_written(seeded, monkeypatch):
    """The transaction that raised is rolled back whole: no answer row, no clock step on disk."""
    from app.visits import answer_item
    from db.queries import meta

    profile = seeded.profile
    from app.visits import NewVisit, create_visit

    visit = create_visit(profile, NewVisit(unit_id=seeded.unit_id, visit_type="routine", starts_on="2026-11-24",
                                           rubric_hashes=[seeded.rubric_hash])).id
    before = meta.get(profile.db, "hlc_last")
    real_put = meta.put

    def put(db, key, value):
        if key == "hlc_last":
            raise RuntimeError("unexpected")
        return real_put(db, key, value)
    monkeypatch.setattr(meta, "put", put)
    with pytest.raises(RuntimeError):
        answer_item(profile, visit, rubric_hash=seeded.rubric_hash, item_code="A1", value=5)
    monkeypatch.setattr(meta, "put", real_put)
    assert list_responses(profile, visit) == []
    assert meta.get(profile.db, "hlc_last") == before
    assert connection.integrity_problems(profile.db) == []


def test_the_log_falls_back_quietly_when_its_folder_cannot_be_made(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert setup_logging(blocker / "logs") is None


def test_excepthook_is_restored(qapp, tmp_path):
    setup_logging(tmp_path)
    error_report.install(qapp)
    assert sys.excepthook is error_report._excepthook
    error_report.uninstall()
    assert sys.excepthook is sys.__excepthook__
