"""Status at a glance: who has signed and when; what the Done column's marks mean."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.ui.checklist_support import make_checklist, open_page
from ui.checklist.signature_pad import SignatureDialog

TIP = Qt.ItemDataRole.ToolTipRole


def sign(page, role: str, name: str) -> None:
    page.sign(role)
    dialog = page.dialog
    assert isinstance(dialog, SignatureDialog)
    dialog.name.setText(name)
    dialog.pad.set_typed(name)
    dialog.accept()


def test_after_signing_the_page_shows_who_signed_and_when(qtbot, seeded):
    c = make_checklist(seeded)
    page = open_page(qtbot, c, c.school_visit)
    status = page.signature_status
    assert status.isVisibleTo(page)
    assert status.text() == "Team leader: not signed yet\nUnit head: not signed yet"
    sign(page, "team_leader", "张建华")
    leader, head = status.text().split("\n")
    assert leader.startswith("Team leader: 张建华, signed 20") and leader[-5:-2].endswith(":")  # "… 14:05"
    assert head == "Unit head: not signed yet"
    assert not status.property("complete")
    sign(page, "unit_head", "刘志强")
    assert status.text().split("\n")[1].startswith("Unit head: 刘志强, signed ")
    assert status.property("complete")


def test_the_done_column_explains_its_marks(qtbot, seeded):
    c = make_checklist(seeded)
    page = open_page(qtbot, c, c.school_visit)
    model = page.model
    legend = model.headerData(1, Qt.Orientation.Horizontal, TIP)
    assert "✓" in legend and "!" in legend and "N/A" in legend

    def tip(code: str) -> str:
        return model.data(model.index_of(c.school, code).siblingAtColumn(1), TIP)

    assert tip("A1.1") == "Not answered yet"
    page.go_to(c.school, "A1.1")
    page.pane.editor.entry.setValue(20)
    assert model.data(model.index_of(c.school, "A1.1").siblingAtColumn(1)) == "✓"
    assert tip("A1.1") == "Answered"
    page.go_to(c.school, "A2.3")
    page.pane.editor.spins["A2.3-a"].setValue(1)  # below the maximum, the reason is required
    assert model.data(model.index_of(c.school, "A2.3").siblingAtColumn(1)) == "!"
    assert tip("A2.3") == "Answered, but missing: the reason for an award below the maximum"
    page.go_to(c.school, "A4.2")
    page.pane.na.setChecked(True)
    assert tip("A4.2") == "Not applicable: left out of the maximum"
    section = model.index(0, 1)  # section A
    assert model.data(section, TIP) == "3 of 13 item(s) answered"
