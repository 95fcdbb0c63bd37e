"""Finalizing and amending from the checklist: the office's rule, and signatures after an amendment."""

from __future__ import annotations

import io

from PIL import Image

from app.finalize import amend_response, finalize_visit
from app.settings import set_setting
from app.signatures import add_signature
from app.visits import get_visit
from tests.ui.checklist_support import make_checklist, open_page
from ui.checklist.gap_dialog import GapDialog


def png() -> bytes:
    out = io.BytesIO()
    Image.new("L", (40, 20), 255).save(out, "PNG")
    return out.getvalue()


def test_where_the_office_forbids_it_a_visit_with_gaps_offers_no_finalize(qtbot, seeded):
    c = make_checklist(seeded)
    set_setting(c.profile, "finalize_with_gaps", "forbid")
    page = open_page(qtbot, c, c.school_visit)
    page.finalize()
    dialog = page.dialog
    assert isinstance(dialog, GapDialog) and dialog.entries
    assert dialog.finalize_button is None and dialog.confirm is None
    assert "does not allow" in dialog.forbidden_note.text()
    assert dialog.go_button.isEnabled()  # the way forward is to close the gaps
    dialog.reject()
    assert get_visit(c.profile, c.school_visit).status == "in_progress"


def test_after_a_score_changing_amendment_the_page_asks_for_new_signatures(qtbot, seeded):
    c = make_checklist(seeded)
    for role, name in (("team_leader", "张建华"), ("unit_head", "刘志强")):
        add_signature(c.profile, c.school_visit, role=role, signer_name=name, png=png())
    finalize_visit(c.profile, c.school_visit, accept_gaps=True)
    page = open_page(qtbot, c, c.school_visit)
    assert not page.action_buttons["sign_leader"].isVisible()  # finalized and signed

    amend_response(c.profile, c.school_visit, rubric_hash=c.school, item_code="A1.1", value=20,
                   reason="缺少运动场", reason_for_change="复核补评")
    with qtbot.waitSignal(page.visitOpened):
        page.open_visit(c.school_visit)
    assert page.read_only
    assert page.action_buttons["sign_leader"].isVisible() and page.action_buttons["sign_head"].isVisible()
    assert page.missing_signatures() == 2
    assert "gap" in page.score.gaps.text()
