"""Veto items (一票否决) say what failing one means, and never offer "Pass (0 pts)"."""

from __future__ import annotations

from tests.ui.checklist_support import make_checklist, open_page
from ui.checklist.visit_dialogs import AmendDialog


def test_a_veto_item_says_what_failing_it_means(qtbot, seeded):
    c = make_checklist(seeded)
    page = open_page(qtbot, c, c.school_visit)
    page.go_to(c.school, "X1")
    pane = page.pane
    assert pane.veto_note.isVisibleTo(pane)
    note = pane.veto_note.text()
    assert "一票否决" in note and "A D-class dangerous building is still in use" in note and "fails" in note
    assert "Maximum 0" not in pane.meta.text()
    choices = [b.text() for b in pane.editor.group.buttons()]
    assert choices == ["Pass", "Fail: vetoes the visit (一票否决)"]
    assert not any("pts" in text for text in choices)
    assert pane.award.text() == "Not answered yet"

    pane.editor.group.buttons()[1].click()
    assert pane.award.text() == "Failed: this vetoes the visit (一票否决)"
    assert page.model.data(page.model.index_of(c.school, "X1").siblingAtColumn(2)) == "veto"
    assert page.score.vetoes.isVisible()
    pane.editor.group.buttons()[0].click()
    assert pane.award.text() == "Passed: no veto"
    assert page.model.data(page.model.index_of(c.school, "X1").siblingAtColumn(2)) == ""


def test_an_ordinary_item_keeps_its_points(qtbot, seeded):
    c = make_checklist(seeded)
    page = open_page(qtbot, c, c.school_visit)
    page.go_to(c.school, "A1.3")  # pass/fail worth 15 points
    assert not page.pane.veto_note.isVisibleTo(page.pane)
    assert [b.text() for b in page.pane.editor.group.buttons()] == ["Pass (15 pts)", "Fail (0 pts)"]


def test_amending_a_veto_item_offers_the_same_words(qtbot, seeded):
    c = make_checklist(seeded)
    page = open_page(qtbot, c, c.school_visit)
    rubric = page.data.rubrics[c.school]
    vetoes = [v for v in rubric.vetoes if v.item == "X2"]
    dialog = AmendDialog(rubric.items["X2"], page.draft_of((c.school, "X2")), "X", vetoes=vetoes)
    qtbot.addWidget(dialog)
    assert [b.text() for b in dialog.editor.group.buttons()] == ["Pass", "Fail: vetoes the visit (一票否决)"]


def test_a_veto_that_caps_the_grade_says_so(qtbot, seeded):
    from app.rubric.samples import load_sample
    from app.rubric_store import import_document
    from app.visits import NewVisit, create_visit
    from tests.ui.checklist_support import Checklist

    rubric, _ = import_document(seeded.profile, load_sample("enterprise-env-safety"))
    visit = create_visit(seeded.profile, NewVisit(unit_id=seeded.unit_id, visit_type="themed", starts_on="2026-11-24",
                                                  rubric_hashes=[rubric.hash], team_id=seeded.team_id)).id
    page = open_page(qtbot, Checklist(seeded.profile, rubric.hash, rubric.hash, visit, visit), visit)
    capping = next(v for v in page.data.rubrics[rubric.hash].vetoes if v.effect == "cap_band")
    page.go_to(rubric.hash, capping.item)
    pane = page.pane
    assert "the grade is capped" in pane.veto_note.text()
    fail = next(b for b in pane.editor.group.buttons() if "(一票否决)" in b.text())
    assert fail.text().endswith(": caps the grade (一票否决)")
    fail.click()
    assert pane.award.text().endswith("· the grade is capped (一票否决)")
