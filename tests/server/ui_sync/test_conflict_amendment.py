"""The conflict review on the team leader's laptop for a team-mate's edit that reached the server
after finalization: it says the visit is finalized, asks the amendment's reason, and a cancelled
question changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QDialog, QInputDialog

from app.sync.resolve import conflict_views
from app.visits import get_visit
from db.rows import fetch_all
from tests.server import test_sync_after_finalization as after
from tests.server.test_sync_engine import response_row
from tests.server.ui_sync import test_sync_window as window
from tests.server.ui_sync.test_sync_window import WAIT_MS, open_window, sync_from
from ui.sync.conflict_dialog import ConflictDialog

# The fixtures of the two modules this one builds on, made visible to pytest here.
finalized, keychain = after.finalized, after.keychain
runner, stub_checklist = window.runner, window.stub_checklist


@pytest.mark.parametrize("answer", [("队员补充的记录", True), ("", False)])
def test_accepting_a_late_edit_asks_the_amendments_reason(qtbot, server, finalized, runner, stub_checklist,
                                                         monkeypatch, answer):
    a, b, visit_id = finalized
    code, _key = after.late_edit(server, a, b, visit_id)
    win = open_window(qtbot, a.profile, runner)
    assert sync_from(qtbot, win).reason == "conflicts"
    asked: list[str] = []

    def get_text(parent: Any, title: str, label: str, *args: Any, **kwargs: Any) -> tuple[str, bool]:
        asked.append(label)
        return answer

    monkeypatch.setattr(QInputDialog, "getText", staticmethod(get_text))

    def review(dialog: ConflictDialog) -> int:
        qtbot.waitUntil(lambda: dialog.list.count() == 1, timeout=WAIT_MS)
        assert dialog.finalized_note.isVisibleTo(dialog)
        assert dialog.keep_theirs.text() == "Accept &theirs as an amendment…"
        assert dialog.keep_mine.text() == "Keep &mine"
        dialog.keep_theirs.click()
        if answer[1]:
            qtbot.waitUntil(lambda: dialog.list.count() == 0, timeout=WAIT_MS)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ConflictDialog, "exec", review)
    win.sync_status.conflicts_button.click()
    assert asked and "Reason for the amendment" in asked[0]
    visit = get_visit(a.profile, visit_id)
    if answer[1]:
        assert (visit.status, visit.amendment_no) == ("amended", 1)
        assert response_row(a, visit_id, code)["note"] == "B's late note"
        [audit] = fetch_all(a.profile.db, "SELECT reason FROM audit_log WHERE visit_id = ? AND field = 'note'",
                            (visit_id,))
        assert audit["reason"] == "队员补充的记录"
        assert conflict_views(a.profile) == []
    else:
        # Cancelled: the finalized visit and the open conflict are as they were.
        assert (visit.status, visit.amendment_no) == ("finalized", 0)
        assert response_row(a, visit_id, code)["note"] != "B's late note"
        assert len(conflict_views(a.profile)) == 1
