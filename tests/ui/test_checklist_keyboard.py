"""The checklist flow driven by the keyboard alone: QTest key clicks to the focused widget, no mouse."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.findings import list_findings
from app.signatures import list_signatures
from app.visits import audit_trail, get_visit, list_responses
from tests.ui.checklist_support import make_checklist, open_page
from ui.checklist.finding_dialog import FindingDialog
from ui.checklist.gap_dialog import GapDialog
from ui.checklist.signature_pad import SignatureDialog
from ui.checklist.visit_dialogs import AmendDialog, AuditTrailDialog

K = Qt.Key
CTRL, SHIFT, ALT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier, Qt.KeyboardModifier.AltModifier


def focus():
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def press(key, modifiers=Qt.KeyboardModifier.NoModifier):
    QTest.keyClick(focus(), key, modifiers)



def type_text(text):
    QTest.keyClicks(focus(), text)


def wait_active(qtbot, widget):
    """Wait for ``widget``'s window to take the keyboard, as a window manager would hand it over.

    The offscreen platform does not always pass activation to a new dialog or back to the page
    when a dialog closes, so ask for it again while waiting (this is no mouse action).
    """
    def active():
        if QApplication.activeWindow() is not widget:
            widget.activateWindow()
            return False
        return True
    qtbot.waitUntil(active, timeout=3000)


def stored(c, code):
    return next((r for r in list_responses(c.profile, c.school_visit) if r.item_code == code), None)


def test_the_whole_flow_by_keyboard(qtbot, seeded):
    c = make_checklist(seeded)
    page = open_page(qtbot, c, c.school_visit)
    page.activateWindow()
    wait_active(qtbot, page)
    page.pane.focus_entry()  # opening a visit puts the focus on the first unanswered item's entry

    assert page.current == (c.school, "A1.1")
    type_text("20")
    assert page.score.total.text() == "20.0 / 1000.0"
    press(K.Key_Down, ALT)  # next item: A1.2 (points)
    assert page.current == (c.school, "A1.2")
    press(K.Key_E, CTRL)
    type_text("15.5")
    assert stored(c, "A1.2").value == 15.5
    press(K.Key_Down, CTRL)  # A1.3 (pass/fail)
    press(K.Key_E, CTRL)
    press(K.Key_Space)
    assert stored(c, "A1.3").value is True
    press(K.Key_Up, ALT)
    press(K.Key_Down, ALT)
    press(K.Key_Down, ALT)  # A2.1 (points)
    assert page.current == (c.school, "A2.1")
    press(K.Key_E, CTRL)
    type_text("30")
    press(K.Key_Down, ALT)  # A2.2 (level)
    press(K.Key_E, CTRL)
    press(K.Key_Space)
    assert stored(c, "A2.2").value == "met"
    press(K.Key_Down, ALT)  # A2.3 (deduction with a reason)
    press(K.Key_E, CTRL)
    type_text("2")
    assert page.pane.award.text() == "Score 15 / 25"
    press(K.Key_R, ALT)
    assert focus() is page.pane.reason
    type_text("two rooms missing")
    press(K.Key_J, CTRL)  # next unanswered saves the reason on the way out
    assert stored(c, "A2.3").reason == "two rooms missing"
    assert page.current == (c.school, "A2.4")

    # Undo and redo from wherever the focus is inside the page.
    press(K.Key_E, CTRL)
    press(K.Key_Space)
    assert stored(c, "A2.4").value is True
    press(K.Key_Z, CTRL)
    assert stored(c, "A2.4").value is None
    press(K.Key_Z, CTRL | SHIFT)
    assert stored(c, "A2.4").value is True
    press(K.Key_1, ALT)  # evidence chip: documents
    assert stored(c, "A2.4").evidence_methods == ("documents",)

    press(K.Key_F, CTRL | SHIFT)  # add a finding for the current item
    dialog = page.dialog
    assert isinstance(dialog, FindingDialog)
    wait_active(qtbot, dialog)
    assert focus() is dialog.description  # the dialog opens on its first field
    type_text("no fire door")
    press(K.Key_Tab)
    press(K.Key_Down)  # the item: the one on screen, A2.4
    press(K.Key_Tab)
    press(K.Key_Down)  # severity: major
    press(K.Key_Tab)
    type_text("repair within a week")
    press(K.Key_Tab)
    press(K.Key_Tab)
    type_text("facilities office")
    press(K.Key_Return)
    assert [(f.severity, f.requirement, f.item_code) for f in list_findings(c.profile, c.school_visit)] == [
        ("major", "repair within a week", "A2.4")]
    wait_active(qtbot, page)

    press(K.Key_G, CTRL)  # gap check, then Enter jumps to the first gap
    gaps = page.dialog
    assert isinstance(gaps, GapDialog)
    wait_active(qtbot, gaps)
    first = gaps.entries[0]
    press(K.Key_Return)
    assert page.current == (first.rubric_hash, first.item_code)
    wait_active(qtbot, page)

    for keys, name in ((K.Key_T, None), (K.Key_U, "Liu Zhiqiang")):
        press(keys, CTRL | SHIFT)
        sign = page.dialog
        assert isinstance(sign, SignatureDialog)
        wait_active(qtbot, sign)
        if name:
            type_text(name)
        assert sign.name.text()
        press(K.Key_T, ALT)  # sign by typing the name: the keyboard's way to sign
        qtbot.waitUntil(lambda s=sign: not s.pad.is_empty)  # a mnemonic "animates" its click
        press(K.Key_Return)
        wait_active(qtbot, page)
    assert {s.role for s in list_signatures(c.profile, c.school_visit)} == {"team_leader", "unit_head"}

    press(K.Key_L, CTRL | SHIFT)  # finalize: the gap check warns first
    confirm = page.dialog
    assert isinstance(confirm, GapDialog) and confirm.finalize_button is not None
    wait_active(qtbot, confirm)
    press(K.Key_I, ALT)  # the second, explicit confirmation of the gaps still open
    qtbot.waitUntil(lambda: confirm.confirm.isChecked())
    press(K.Key_F, ALT)
    qtbot.waitUntil(lambda: page.dialog is None)
    assert get_visit(c.profile, c.school_visit).status == "finalized"
    wait_active(qtbot, page)

    press(K.Key_F6)  # to the tree, then to A1.1
    assert focus() is page.tree
    press(K.Key_Home)
    press(K.Key_Down)
    press(K.Key_Down)
    assert page.current == (c.school, "A1.1")
    press(K.Key_A, CTRL | SHIFT)
    amend = page.dialog
    assert isinstance(amend, AmendDialog)
    wait_active(qtbot, amend)
    amend.editor.focus_entry()
    type_text("22")
    press(K.Key_R, ALT)
    type_text("land certificate supplied")
    press(K.Key_Tab)  # to the Amend button
    press(K.Key_Space)
    assert [e.reason for e in audit_trail(c.profile, c.school_visit)] == ["land certificate supplied"]
    assert stored(c, "A1.1").value == 22
    wait_active(qtbot, page)

    press(K.Key_H, CTRL | SHIFT)
    audit = page.dialog
    assert isinstance(audit, AuditTrailDialog)
    assert audit.table.item(0, 2).text() == "22"
    wait_active(qtbot, audit)
    press(K.Key_Escape)
    assert page.dialog is None
