"""A save that fails is reported as failed, kept on screen, and retried; quitting loses no text."""

from __future__ import annotations

import sqlite3

import pytest

from app.visits import list_responses
from db.queries import responses as rq
from tests.ui.checklist_support import make_checklist, open_page
from ui.checklist import answers
from ui.tasks import TaskRunner


def stored(profile, visit_id):
    return {r.item_code: r for r in list_responses(profile, visit_id)}


class FailingWrites:
    """Makes the next ``times`` answer writes fail the way a full or busy disk does."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, message: str = "disk I/O error", times: int = 1) -> None:
        self.left = times
        real = rq.upsert_response

        def upsert(db, row, meta):
            if self.left > 0:
                self.left -= 1
                raise sqlite3.OperationalError(message)
            return real(db, row, meta)
        monkeypatch.setattr(rq, "upsert_response", upsert)


def test_a_failed_save_stays_marked_and_is_retried_by_itself(qtbot, seeded, monkeypatch):
    monkeypatch.setattr(answers, "RETRY_DELAYS_MS", (50,))
    c = make_checklist(seeded)
    page = open_page(qtbot, c, c.school_visit)
    FailingWrites(monkeypatch)
    page.go_to(c.school, "A1.1")
    page.pane.editor.entry.setValue(20)

    # Nothing on disk, and the page says so in words, with the item marked and the value kept.
    assert "A1.1" not in stored(c.profile, c.school_visit)
    assert page.saved.text().startswith("Not saved: 1 answer")
    assert "The disk could not be written." in page.saved.text()
    assert page.saved.property("error") is True
    assert page.retry_button.isVisible()
    assert page.model.is_unsaved(c.school, "A1.1")
    assert page.model.data(page.model.index_of(c.school, "A1.1").siblingAtColumn(1)) == "unsaved"
    assert page.pane.editor.entry.value() == 20
    assert page.score.total.text() == "20.0 / 1000.0"

    # The cause passed: the retry saves it and every mark goes.
    qtbot.waitUntil(lambda: "A1.1" in stored(c.profile, c.school_visit), timeout=3000)
    assert stored(c.profile, c.school_visit)["A1.1"].value == 20
    assert page.saved.text() == "All changes saved"
    assert not page.retry_button.isVisible()
    assert not page.model.is_unsaved(c.school, "A1.1")


def test_the_user_retries_a_save_that_cannot_fix_itself(qtbot, seeded, monkeypatch):
    c = make_checklist(seeded)
    page = open_page(qtbot, c, c.school_visit)
    FailingWrites(monkeypatch, "attempt to write a readonly database")
    page.go_to(c.school, "A1.1")
    page.pane.editor.entry.setValue(12)
    assert "The data folder is read-only." in page.saved.text()
    assert not page.writer.retry_timer.isActive()  # a read-only folder does not heal by waiting
    page.retry_button.click()
    assert stored(c.profile, c.school_visit)["A1.1"].value == 12
    assert page.saved.text() == "All changes saved"


def test_a_newer_edit_overtakes_a_failed_one(qtbot, seeded, monkeypatch):
    c = make_checklist(seeded)
    page = open_page(qtbot, c, c.school_visit)
    FailingWrites(monkeypatch)
    page.go_to(c.school, "A1.1")
    page.pane.editor.entry.setValue(10)
    page.pane.editor.entry.setValue(15)  # saved: the failed 10 must never come back
    assert stored(c.profile, c.school_visit)["A1.1"].value == 15
    assert page.saved.text() == "All changes saved"
    page.writer.retry()
    assert stored(c.profile, c.school_visit)["A1.1"].value == 15


def test_a_failed_save_of_a_visit_left_behind_still_lands_in_that_visit(qtbot, seeded, monkeypatch):
    c = make_checklist(seeded)
    page = open_page(qtbot, c, c.school_visit)
    FailingWrites(monkeypatch)
    page.go_to(c.school, "A1.1")
    page.pane.editor.entry.setValue(8)
    with qtbot.waitSignal(page.visitOpened):
        page.open_visit(c.monthly_visit)
    assert page.saved.property("error") is True  # still not saved, still said
    page.retry_button.click()
    assert stored(c.profile, c.school_visit)["A1.1"].value == 8
    assert "A1.1" not in stored(c.profile, c.monthly_visit)


def typed_note_then(qtbot, c, page, text):
    page.go_to(c.school, "A1.1")
    page.pane.editor.entry.setValue(18)
    page.pane.note.setFocus()
    page.pane.note.insertPlainText(text)  # typing, as textChanged sees it
    assert page.saved.text() == "Saving…"  # inside the typing pause


def test_switching_visit_saves_the_note_being_typed(qtbot, seeded):
    c = make_checklist(seeded)
    page = open_page(qtbot, c, c.school_visit)
    typed_note_then(qtbot, c, page, "灭火器过期")
    with qtbot.waitSignal(page.visitOpened):
        page.open_visit(c.monthly_visit)
    assert stored(c.profile, c.school_visit)["A1.1"].note == "灭火器过期"


def test_switching_item_saves_the_reason_being_typed(qtbot, seeded):
    c = make_checklist(seeded)
    page = open_page(qtbot, c, c.school_visit)
    page.go_to(c.school, "A2.3")
    page.pane.editor.spins["A2.3-a"].setValue(1)
    page.pane.reason.insertPlainText("缺音乐室")
    page.go_to(c.school, "A1.1")
    assert stored(c.profile, c.school_visit)["A2.3"].reason == "缺音乐室"


@pytest.fixture
def real_window(qtbot, seeded):
    """The main window on a real threaded runner, as the app runs it."""
    from ui.main_window import MainWindow

    c = make_checklist(seeded)
    runner = TaskRunner()
    window = MainWindow(c.profile, runner)
    qtbot.addWidget(window)
    window.show()
    yield c, window, runner
    runner.shutdown()


def open_in(qtbot, window, visit_id):
    page = window.checklist_page()
    with qtbot.waitSignal(page.visitOpened, timeout=5000):
        window.open_visit(visit_id)
    return page


def test_closing_the_window_while_typing_keeps_the_text(qtbot, real_window):
    c, window, _runner = real_window
    page = open_in(qtbot, window, c.school_visit)
    page.go_to(c.school, "A1.1")
    page.pane.note.setFocus()
    page.pane.note.insertPlainText("消防通道堆放杂物")
    assert window.close()
    assert stored(c.profile, c.school_visit)["A1.1"].note == "消防通道堆放杂物"


def test_closing_with_a_failed_save_asks_and_can_retry(qtbot, real_window, monkeypatch):
    c, window, _runner = real_window
    page = open_in(qtbot, window, c.school_visit)
    FailingWrites(monkeypatch, "database or disk is full", times=2)
    page.go_to(c.school, "A1.1")
    page.pane.note.setFocus()
    page.pane.note.insertPlainText("照明不足")
    asked = []

    def ask(count, error):
        asked.append((count, str(error)))
        return "cancel" if len(asked) == 1 else "retry"
    monkeypatch.setattr(window, "ask_unsaved", ask)
    assert not window.close()  # the user chose to stay: the window stays, the value too
    assert window.isVisible() and page.pane.note.toPlainText() == "照明不足"
    assert window.close()  # the second write fails too; "retry" then succeeds
    assert asked[0][0] == 1 and "disk is full" in asked[0][1]
    assert stored(c.profile, c.school_visit)["A1.1"].note == "照明不足"


def test_quitting_without_failed_answers_writes_them_to_the_log(qtbot, real_window, monkeypatch, tmp_path):
    from app.logs import setup_logging

    log = setup_logging(tmp_path / "logs")
    c, window, _runner = real_window
    page = open_in(qtbot, window, c.school_visit)
    FailingWrites(monkeypatch, "database or disk is full", times=100)
    page.go_to(c.school, "A1.1")
    page.pane.editor.entry.setValue(19)
    qtbot.waitUntil(lambda: bool(page.writer.failed), timeout=3000)
    monkeypatch.setattr(window, "ask_unsaved", lambda count, error: "quit")
    assert window.close()
    assert "A1.1" not in stored(c.profile, c.school_visit)
    text = log.read_text(encoding="utf-8")
    assert "answer not saved at exit" in text and "A1.1" in text and "19" in text


def test_closing_the_window_saves_a_caption_typed_in_the_photo_viewer(qtbot, real_window, tmp_path):
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from app.evidence import get_photo
    from tests.app import photo_factory as pf

    c, window, _runner = real_window
    page = open_in(qtbot, window, c.school_visit)
    page.go_to(c.school, "A1.1")
    shot = pf.write(tmp_path, "IMG_0001.jpg", pf.jpeg((320, 240), seed=1))
    page.attach_files([str(shot)])
    qtbot.waitUntil(lambda: page.pane.photos.list.count() == 1, timeout=5000)
    page.pane.photos.list.setCurrentRow(0)
    QTest.keyClick(page.pane.photos.list, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.photo_flows.viewer is not None and page.photo_flows.viewer.isVisible())
    viewer = page.photo_flows.viewer
    pid = viewer.current.id
    viewer.caption.setFocus()
    viewer.caption.insert("fire door blocked")  # typed: the caption waits for a pause
    assert get_photo(c.profile, pid).caption == ""
    assert window.close()
    assert get_photo(c.profile, pid).caption == "fire door blocked"
