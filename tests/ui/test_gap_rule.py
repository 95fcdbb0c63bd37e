"""One rule decides a gap: the tree's mark, the reason box's label, the gap check and the paper agree."""

from __future__ import annotations

import pytest

from app.gaps import gap_check
from app.reports import build_report
from tests.app.report_factory import pdf_text, squeeze
from tests.ui.checklist_support import make_checklist, open_page


def mark(page, rubric_hash, code):
    return page.model.data(page.model.index_of(rubric_hash, code).siblingAtColumn(1))


@pytest.mark.parametrize("code, answer, needs_reason", [
    # A points item takes a reason below its maximum as an option (reason_below_max false).
    ("A1.1", lambda pane: pane.editor.entry.setValue(16), False),
    # A deduction item needs one (reason_below_max defaults to true for deductions).
    ("A2.3", lambda pane: pane.editor.spins["A2.3-a"].setValue(1), True),
])
def test_tree_label_gap_check_and_paper_agree(qtbot, seeded, code, answer, needs_reason):
    c = make_checklist(seeded)
    page = open_page(qtbot, c, c.school_visit)
    page.go_to(c.school, code)
    answer(page.pane)
    pane = page.pane
    item_gaps = page.data.scorers[c.school].result.items[code].gaps
    assert ("no_reason" in item_gaps) is needs_reason
    # The tree.
    assert mark(page, c.school, code) == ("!" if needs_reason else "✓")
    # The reason box: shown below the maximum, "required" only where a missing reason is a gap.
    assert pane.reason_frame.isVisible()
    assert ("(required)" in pane.reason_label.text()) is needs_reason
    assert ("(optional)" in pane.reason_label.text()) is not needs_reason
    assert bool(pane.reason_frame.property("needed")) is needs_reason
    # The gap check.
    listed = {(e.kind, e.item_code) for e in gap_check(c.profile, c.school_visit)}
    assert (("no_reason", code) in listed) is needs_reason
    # The paper's gap list.
    text = squeeze(pdf_text(build_report(c.profile, c.school_visit).pdf))
    assert (f"{code}扣分无理由" in text) is needs_reason

    # Typing the reason closes that gap everywhere at once.
    pane.reason.insertPlainText("现场查看发现不足")
    page.flush()
    assert mark(page, c.school, code) == "✓"
    assert not pane.reason_frame.property("needed")
    assert ("no_reason", code) not in {(e.kind, e.item_code) for e in gap_check(c.profile, c.school_visit)}
