"""The checklist page end to end with real widgets: answer every kind, score, find, sign, finalize, amend."""

from __future__ import annotations

import io
from datetime import date, timedelta

from PIL import Image
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from app.findings import list_findings, list_good_practices
from app.reports import build_report
from app.session import last_position
from app.signatures import list_signatures
from app.visits import audit_trail, get_visit, list_responses
from tests.app.report_factory import page_texts
from tests.ui.checklist_support import make_checklist, open_page
from ui.checklist.finding_dialog import FindingDialog
from ui.checklist.gap_dialog import GapDialog
from ui.checklist.signature_pad import SignatureDialog
from ui.checklist.text import label_text
from ui.checklist.visit_dialogs import AmendDialog, AuditTrailDialog


def stored(profile, visit_id):
    return {r.item_code: r for r in list_responses(profile, visit_id)}


def test_answer_every_kind_and_watch_the_score(qtbot, seeded):
    c = make_checklist(seeded)
    page = open_page(qtbot, c, c.school_visit)
    saved = []
    page.visitChanged.connect(saved.append)

    page.go_to(c.school, "A1.1")  # points, step 0.5
    assert page.pane.title.text().startswith("A1.1")
    page.pane.editor.entry.setValue(20.5)
    assert page.score.total.text() == "20.5 / 1000.0"
    assert stored(c.profile, c.school_visit)["A1.1"].value == 20.5
    assert saved == [c.school_visit]
    assert page.saved.text() == "All changes saved"
    assert last_position(c.profile).item_code == "A1.1"

    page.go_to(c.school, "A2.3")  # deduction: 25 - 5 x 2
    page.pane.editor.spins["A2.3-a"].setValue(2)
    assert page.pane.award.text() == "Score 15 / 25"
    assert page.pane.reason_frame.isVisible() and page.pane.reason_frame.property("needed")
    assert page.score.gaps.text().endswith("to close")
    gaps_before = page.data.scorers[c.school].result.gap_count
    QTest.keyClicks(page.pane.reason, "no music room, no lab")
    page.flush()  # a text edit waits for a pause in typing; leaving the item saves it at once
    assert stored(c.profile, c.school_visit)["A2.3"].reason == "no music room, no lab"
    assert page.data.scorers[c.school].result.gap_count == gaps_before - 1

    page.go_to(c.school, "A2.2")  # level
    page.pane.editor.group.buttons()[1].click()
    assert stored(c.profile, c.school_visit)["A2.2"].value == "basic"
    assert page.score.total.text() == "50.5 / 1000.0"

    page.go_to(c.school, "B1.3")  # indicator: 45 / 50 = 90% >= 90%
    editor = page.pane.editor
    editor.fields["numerator"].setValue(45)
    assert "A2.2" in stored(c.profile, c.school_visit) and "B1.3" not in stored(c.profile, c.school_visit)
    editor.fields["denominator"].setValue(50)
    assert "meets the target" in editor.status.text()
    editor.fields["reported"].setValue(95)
    assert "Mismatch" in editor.status.text()
    assert stored(c.profile, c.school_visit)["B1.3"].value == {"numerator": 45, "denominator": 50, "reported": 95}

    page.go_to(c.school, "E5")  # count, 5 points each
    page.pane.editor.entry.setValue(2)
    assert page.pane.award.text() == "Score 10 / 10"

    page.go_to(c.school, "A4.2")  # N/A allowed
    assert page.pane.na.isVisible()
    page.pane.na.setChecked(True)
    assert stored(c.profile, c.school_visit)["A4.2"].na

    page.go_to(c.school, "X1")  # a failed veto item shows the veto in red
    page.pane.editor.group.buttons()[1].click()
    assert page.score.vetoes.isVisible()
    assert "D-class" in page.score.vetoes.text()
    page.pane.chips["site"].click()
    assert stored(c.profile, c.school_visit)["X1"].evidence_methods == ("site",)

    # Undo takes back the evidence chip, then the veto answer, and saves each step.
    page.undo_stack.undo()
    page.undo_stack.undo()
    assert not page.score.vetoes.isVisible()
    assert stored(c.profile, c.school_visit)["X1"].value is None
    page.undo_stack.redo()
    assert page.score.vetoes.isVisible()
    assert stored(c.profile, c.school_visit)["X1"].value is False


def test_text_items_save_after_a_pause(qtbot, seeded):
    c = make_checklist(seeded)
    page = open_page(qtbot, c, c.monthly_visit)
    text_item = next(code for code, item in page.data.rubrics[c.monthly].items.items() if item.kind == "text")
    page.go_to(c.monthly, text_item)
    QTest.keyClicks(page.pane.editor.entry, "after-school service for all")
    assert page.saved.text() == "Saving…"
    qtbot.waitUntil(lambda: text_item in stored(c.profile, c.monthly_visit), timeout=3000)
    assert stored(c.profile, c.monthly_visit)[text_item].value == "after-school service for all"
    assert page.undo_stack.count() == 1  # one burst of typing is one undo step
    level_item = next(code for code, item in page.data.rubrics[c.monthly].items.items() if item.kind == "level")
    page.go_to(c.monthly, level_item)
    page.pane.editor.group.buttons()[0].click()
    assert page.model.data(page.model.index_of(c.monthly, level_item).siblingAtColumn(1)) == "✓"


def test_findings_gaps_signatures_finalize_and_amend(qtbot, seeded):
    c = make_checklist(seeded)
    page = open_page(qtbot, c, c.school_visit)
    page.go_to(c.school, "E2")
    page.finding_flows.add_finding()
    dialog = page.dialog
    assert isinstance(dialog, FindingDialog)
    due = date.today() + timedelta(days=30)
    assert dialog.deadline.date().toString("yyyy-MM-dd") == due.isoformat()
    dialog.description.setPlainText("灭火器过期")
    assert dialog.item.itemData(1) == (c.school, "E2")  # the item on screen comes first
    dialog.item.setCurrentIndex(1)
    dialog.severity.setCurrentIndex(1)
    dialog.requirement.setPlainText("一周内更换过期灭火器")
    dialog.responsible.setText("总务处")
    dialog.accept()
    findings = list_findings(c.profile, c.school_visit)
    assert [(f.severity, f.item_code, f.responsible) for f in findings] == [("major", "E2", "总务处")]
    assert page.findings.findings.count() == 1

    page.findings.practice_text.setText("校园安全网格化管理")
    page.findings.add_practice.click()
    assert [p.text for p in list_good_practices(c.profile, c.school_visit)] == ["校园安全网格化管理"]

    page.gap_check()
    gaps = page.dialog
    assert isinstance(gaps, GapDialog)
    kinds = {e.kind for e in gaps.entries}
    assert {"unanswered", "signature_missing", "photo_missing"} <= kinds
    row = next(i for i, e in enumerate(gaps.entries) if e.item_code == "C3")
    gaps.list.setCurrentRow(row)
    gaps.go_button.click()
    assert page.current == (c.school, "C3")

    for role in ("team_leader", "unit_head"):
        page.sign(role)
        sign = page.dialog
        assert isinstance(sign, SignatureDialog)
        sign.name.setText("张建华" if role == "team_leader" else "刘志强")
        pad = sign.pad
        QTest.mousePress(pad, Qt.MouseButton.LeftButton, pos=QPoint(30, 80))
        for x in range(40, 300, 20):
            QTest.mouseMove(pad, QPoint(x, 60 + (x % 40)))
        QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=QPoint(300, 70))
        assert not pad.is_empty
        png = pad.to_png()
        assert Image.open(io.BytesIO(png)).format == "PNG"
        sign.buttons.button(sign.buttons.StandardButton.Ok).click()
    assert {s.role for s in list_signatures(c.profile, c.school_visit)} == {"team_leader", "unit_head"}

    page.finalize()
    confirm = page.dialog
    assert isinstance(confirm, GapDialog) and confirm.finalize_button is not None
    assert not any(e.kind == "signature_missing" for e in confirm.entries)
    # Gaps remain: finalizing needs the second, explicit confirmation.
    assert confirm.entries and not confirm.finalize_button.isEnabled()
    assert str(len(confirm.entries)) in confirm.confirm.text()
    confirm.finalize_button.click()
    assert get_visit(c.profile, c.school_visit).status == "in_progress"
    confirm.confirm.setChecked(True)
    confirm.finalize_button.click()
    assert get_visit(c.profile, c.school_visit).status == "finalized"
    assert page.read_only and page.pane.clear.isEnabled() is False
    # Read-only looks it: the editors are disabled and the pane says how to change an answer.
    assert not page.pane.editor.isEnabled() and not page.pane.note.isEnabled()
    assert page.pane.locked_hint.isVisible()
    assert page.action_buttons["amend"].isVisible() and not page.action_buttons["finalize"].isVisible()

    page.go_to(c.school, "A1.1")
    page.amend()
    amend = page.dialog
    assert isinstance(amend, AmendDialog)
    assert not amend.buttons.button(amend.buttons.StandardButton.Ok).isEnabled()  # a reason is required
    amend.editor.entry.setValue(22)
    amend.item_reason.setPlainText("缺少运动场地")  # what the gap needs: a reason below the maximum
    amend.reason.setPlainText("学校补交了用地证明")
    amend.buttons.button(amend.buttons.StandardButton.Ok).click()
    trail = audit_trail(c.profile, c.school_visit)
    assert [(e.reason, e.row_id) for e in trail] == [("学校补交了用地证明", f"{c.school}:A1.1")]
    assert stored(c.profile, c.school_visit)["A1.1"].value == 22
    assert stored(c.profile, c.school_visit)["A1.1"].reason == "缺少运动场地"
    assert page.data.visit.status == "amended"

    page.show_audit()
    audit = page.dialog
    assert isinstance(audit, AuditTrailDialog)
    assert audit.table.rowCount() == 1
    assert audit.table.item(0, 1).text() == "(no answer)"
    assert audit.table.item(0, 2).text() == "22 — 缺少运动场地"
    assert audit.table.item(0, 3).text() == "学校补交了用地证明"
    audit.reject()


def test_follow_up_shows_earlier_open_findings_first(qtbot, seeded):
    from app.finalize import finalize_visit
    from app.findings import add_finding, set_finding_status
    from app.visits import NewVisit, create_visit

    c = make_checklist(seeded)
    first = add_finding(c.profile, c.school_visit, description="疏散通道堵塞", severity="major").id
    finalize_visit(c.profile, c.school_visit, accept_gaps=True)
    set_finding_status(c.profile, first, "reported_fixed", note="单位已报送整改报告")
    # The office's move, as a pull brings it: written by no inspector, at no visit.
    from datetime import UTC, datetime

    from app.sync.local import apply_pulled_row
    from app.sync.protocol import RowVersion
    now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    office = "0a0b0c0d-0e0f-4a1b-8c2d-3e4f5a6b7c8d"
    apply_pulled_row(c.profile, "finding_events", "5f0e8d7c-6b5a-4c3d-9e2f-1a0b9c8d7e6f", RowVersion(
        rev=f"009999999999999-000000-{office}", device_id=office, deleted=False,
        values={"finding_id": first, "visit_id": None, "status": "reported_fixed", "note": "督导办已收到整改报告",
                "at": now, "by_inspector": None}))
    follow = create_visit(c.profile, NewVisit(unit_id=seeded.unit_id, visit_type="follow_up",
                                              starts_on="2026-12-01", rubric_hashes=[c.school])).id
    page = open_page(qtbot, c, follow)
    panel = page.findings
    assert panel.earlier_box.isVisible() and panel.earlier.count() == 1
    assert "疏散通道堵塞" in panel.earlier.item(0).text()
    panel.earlier.setCurrentRow(0)
    history = panel.earlier_history.text().splitlines()
    assert len(history) == 3 and history[0].split("  ")[1].startswith("open")
    assert history[1].endswith(": 单位已报送整改报告") and "reported fixed" in history[1]
    assert history[2].endswith("reported fixed · the office: 督导办已收到整改报告")
    assert panel.verify.isEnabled()
    panel.verify.click()
    from app.findings import finding_history
    assert [e.status for e in finding_history(c.profile, first)][-1] == "verified"
    assert [e.visit_id for e in finding_history(c.profile, first)][-1] == follow
    qtbot.waitUntil(lambda: "verified" in panel.earlier_history.text() or not panel.earlier.count(), timeout=10_000)


def test_reopening_returns_to_the_saved_item(qtbot, seeded):
    c = make_checklist(seeded)
    page = open_page(qtbot, c, c.school_visit)
    page.go_to(c.school, "D5")
    position = last_position(c.profile)
    other = open_page(qtbot, c, c.school_visit)
    other.open_visit(position.visit_id, position.rubric_hash, position.item_code)
    assert other.current == (c.school, "D5")


def test_photos_attach_by_file_list_and_by_drop(qtbot, seeded, tmp_path):
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDropEvent

    from app.evidence import list_photos

    c = make_checklist(seeded)
    paths = []
    for k, colour in enumerate(("red", "green")):
        path = tmp_path / f"photo{k}.jpg"
        Image.new("RGB", (320, 240), colour).save(path, "JPEG")
        paths.append(path)
    page = open_page(qtbot, c, c.school_visit)
    page.go_to(c.school, "A2.4")  # pass/fail with a required photo
    page.pane.editor.group.buttons()[0].click()
    assert "photo_missing" in page.data.scorers[c.school].result.items["A2.4"].gaps
    assert page.pane.photos.required.text()

    page.attach_files([str(paths[0])])
    qtbot.waitUntil(lambda: page.pane.photos.list.count() == 1, timeout=5000)
    assert not page.pane.photos.list.item(0).icon().isNull()
    assert page.data.scorers[c.school].result.items["A2.4"].gaps == ()
    assert not page.pane.photos.required.text()

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(paths[1]))])
    drop = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    page.pane.dropEvent(drop)
    qtbot.waitUntil(lambda: page.pane.photos.list.count() == 2, timeout=5000)
    assert [p.item_code for p in list_photos(c.profile, c.school_visit)] == ["A2.4", "A2.4"]

    page.pane.photos.list.setCurrentRow(0)
    QTest.keyClick(page.pane.photos.list, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: page.pane.photos.list.count() == 1, timeout=5000)


def test_a_new_finding_starts_empty_and_concerns_an_item_only_when_chosen(qtbot, seeded):
    c = make_checklist(seeded)
    page = open_page(qtbot, c, c.school_visit)
    page.go_to(c.school, "A2.3")
    page.pane.editor.spins["A2.3-a"].setValue(1)  # awarded below the maximum: offered as well
    page.go_to(c.school, "E2")
    page.finding_flows.add_finding()
    dialog = page.dialog
    assert isinstance(dialog, FindingDialog)
    assert dialog.description.toPlainText() == ""
    assert dialog.item.currentData() is None  # "none" until the inspector says otherwise
    offered = [dialog.item.itemData(k) for k in range(dialog.item.count())]
    assert offered == [None, (c.school, "E2"), (c.school, "A2.3")]
    assert dialog.item.itemText(1) == "E2 " + label_text(page.data.rubrics[c.school].items["E2"].text)
    assert not dialog.buttons.button(dialog.buttons.StandardButton.Ok).isEnabled()
    dialog.description.setPlainText("校门口无值守人员")
    dialog.accept()

    page.finding_flows.add_finding()
    dialog = page.dialog
    assert dialog.description.toPlainText() == "" and dialog.item.currentData() is None
    dialog.description.setPlainText("音乐室器材不足")
    dialog.item.setCurrentIndex(2)
    dialog.accept()
    findings = list_findings(c.profile, c.school_visit)
    assert [(f.description, f.item_code) for f in findings] == [("校门口无值守人员", None), ("音乐室器材不足", "A2.3")]
    # The panel names the item a finding concerns, as the sheet does.
    texts = [page.findings.findings.item(k).text() for k in range(page.findings.findings.count())]
    assert not texts[0].startswith("[General] A") and "A2.3" in texts[1]
    sheet = "".join(page_texts(build_report(c.profile, c.school_visit, kind="feedback").pdf)).replace(" ", "")
    assert "A2.3音乐室器材不足" in sheet and "校门口无值守人员" in sheet
    assert "E2校门口" not in sheet  # the item on screen was not chosen: no link
