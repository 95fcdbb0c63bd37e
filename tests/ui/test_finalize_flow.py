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


def test_a_required_photo_is_added_by_amendment_from_the_checklist(qtbot, seeded, tmp_path):
    from app.evidence import list_photos
    from app.visits import audit_trail
    from tests.app.photo_factory import jpeg, write
    from ui.checklist.visit_dialogs import AmendDialog

    c = make_checklist(seeded)
    finalize_visit(c.profile, c.school_visit, accept_gaps=True)
    page = open_page(qtbot, c, c.school_visit)
    page.go_to(c.school, "A2.4")  # photo required, none taken
    page.amend()
    dialog = page.dialog
    assert isinstance(dialog, AmendDialog)
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    dialog.reason.setPlainText("补拍安全鉴定公示牌")
    assert not ok.isEnabled()  # a reason, but nothing to change yet
    dialog.set_photos([str(write(tmp_path, "IMG_0100.jpg", jpeg(seed=3)))])
    assert "IMG_0100.jpg" in dialog.photos_label.text() and ok.isEnabled()
    with qtbot.waitSignal(page.visitOpened, timeout=5000):
        ok.click()
    assert [p.original_name for p in list_photos(c.profile, c.school_visit, item_code="A2.4")] == ["IMG_0100.jpg"]
    assert [(e.field, e.reason) for e in audit_trail(c.profile, c.school_visit)] == [("photo added", "补拍安全鉴定公示牌")]
    assert get_visit(c.profile, c.school_visit).status == "amended"
    assert page.data.visit.status == "amended"
    page.show_audit()
    audit = page.dialog
    assert audit.table.item(0, 0).text() == "A2.4"
    assert audit.table.item(0, 2).text() == "photo added: IMG_0100.jpg"
