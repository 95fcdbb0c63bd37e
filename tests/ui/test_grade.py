"""No grade before any answer; a grade with items still open is provisional and says how many."""

from __future__ import annotations

from tests.ui.checklist_support import make_checklist, open_page


def test_no_grade_before_any_answer(qtbot, seeded):
    c = make_checklist(seeded)
    page = open_page(qtbot, c, c.school_visit)
    assert page.score.band.text() == "Grade: — (nothing answered yet)"
    assert not page.score.band.property("failed")


def test_a_grade_with_open_items_is_provisional(qtbot, seeded):
    c = make_checklist(seeded)
    page = open_page(qtbot, c, c.school_visit)
    page.go_to(c.school, "A1.1")
    page.pane.editor.entry.setValue(20)
    open_items = sum(1 for r in page.data.scorers[c.school].result.items.values() if "unanswered" in r.gaps)
    assert page.score.band.text() == (
        f"Grade: Does not meet the standard (provisional: {open_items} item(s) not yet assessed)")


def test_a_veto_grades_at_once(qtbot, seeded):
    c = make_checklist(seeded)
    page = open_page(qtbot, c, c.school_visit)
    page.go_to(c.school, "X1")
    page.pane.editor.group.buttons()[1].click()
    assert page.score.band.text() == "Grade: Does not meet the standard"
    assert page.score.band.property("failed")
