"""The item pane under the pointer and under the keyboard: nothing jumps, Tab stays in the item.

Keys are sent to whichever widget has the focus (QTest.keyClick), as a keyboard would.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit, QWidget

from app.evidence import list_photos
from app.visits import list_responses
from tests.app import photo_factory as pf
from tests.ui.checklist_support import make_checklist, open_page
from tests.ui.test_checklist_keyboard import wait_active


def focus() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def tab(backwards: bool = False) -> QWidget:
    QTest.keyClick(focus(), Qt.Key.Key_Backtab if backwards else Qt.Key.Key_Tab)
    return focus()


def top_of(widget: QWidget, page: QWidget) -> int:
    return widget.mapTo(page, QPoint(0, 0)).y()


def test_the_reason_box_does_not_push_the_note_and_the_methods_down(qtbot, seeded):
    c = make_checklist(seeded)
    page = open_page(qtbot, c, c.school_visit)
    page.go_to(c.school, "A1.1")  # points: anything below the maximum asks for a reason
    pane = page.pane
    QApplication.processEvents()  # layouts settle in the event loop, as on screen
    assert not pane.reason.isVisible()
    before = {w: top_of(w, page) for w in (pane.note, pane.chips["documents"], pane.photos.attach)}
    pane.editor.entry.setValue(10)
    QApplication.processEvents()
    assert pane.reason.isVisible()
    after = {w: top_of(w, page) for w in before}
    assert after == before


def test_tab_goes_answer_reason_note_methods_photos_then_the_next_item(qtbot, seeded):
    c = make_checklist(seeded)
    page = open_page(qtbot, c, c.school_visit)
    page.activateWindow()
    wait_active(qtbot, page)
    page.go_to(c.school, "A2.3")  # a deduction: two counts and "no deductions"
    pane = page.pane
    pane.focus_entry()
    editor = pane.editor
    spins = list(editor.spins.values())
    QTest.keyClicks(focus(), "1")  # one deduction: a reason is asked for
    assert pane.reason.isVisible()
    seen = [focus()]
    for _ in range(len(spins) + 9):
        seen.append(tab())
    expected = [*spins, editor.none_button, pane.reason, pane.note, *pane.chips.values(),
                pane.photos.attach, pane.photos.more]
    assert seen == expected
    tab()
    # Past the last field: the next item, ready for its answer; never the tree or the views.
    assert page.current == (c.school, "A2.4")
    assert pane.editor.isAncestorOf(focus())
    # Shift+Tab from the first field goes back to the item before, at its last field.
    assert tab(backwards=True) is pane.photos.more
    assert page.current == (c.school, "A2.3")
    for _ in range(40):
        assert not page.tree.hasFocus()
        assert page.isAncestorOf(tab())


def test_an_item_is_completed_without_the_mouse(qtbot, seeded, tmp_path: Path):
    """Answer, reason, note, a method and a photo, by keys alone, then on to the next item."""
    photo = pf.write(tmp_path, "gate.jpg", pf.jpeg((320, 240), seed=1))
    c = make_checklist(seeded)
    page = open_page(qtbot, c, c.school_visit)
    page.activateWindow()
    wait_active(qtbot, page)
    page.go_to(c.school, "A1.1")
    page.pane.focus_entry()
    QTest.keyClicks(focus(), "18")
    assert tab() is page.pane.reason
    QTest.keyClicks(focus(), "no land certificate")
    assert tab() is page.pane.note
    QTest.keyClicks(focus(), "asked the head")
    assert tab() is page.pane.chips["documents"]
    QTest.keyClick(focus(), Qt.Key.Key_Space)
    for _ in range(5):
        tab()
    assert focus() is page.pane.photos.attach
    QTest.keyClick(focus(), Qt.Key.Key_Space)
    chooser = page.pane.photos.dialog
    assert isinstance(chooser, QFileDialog)
    wait_active(qtbot, chooser)
    name = chooser.findChild(QLineEdit, "fileNameEdit")
    name.setFocus()
    QTest.keyClicks(focus(), str(photo))
    QTest.keyClick(focus(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.photo_flows.last_job is not None and page.photo_flows.last_job.finished, timeout=5000)
    page.flush()
    response = next(r for r in list_responses(c.profile, c.school_visit) if r.item_code == "A1.1")
    assert (response.value, response.reason, response.note, response.evidence_methods) == (
        18, "no land certificate", "asked the head", ("documents",))
    assert [p.item_code for p in list_photos(c.profile, c.school_visit)] == ["A1.1"]
