"""The Sync action, its progress and cancel, the reasons in words and the conflict review, on a real
window with a real task runner, against the live server (tests/server/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from keyring.backends import fail
from PySide6.QtWidgets import QApplication, QDialog

from app.settings import set_setting
from app.sync.engine import OFFICE_TABLES, Progress, sync
from app.sync.resolve import conflict_views
from db.queries import sync as sq
from tests.server.conftest import free_port
from tests.server.finalized_support import in_progress_visit
from tests.server.sync_support import QUICK, MemoryKeyring, add_photos, laptop, use_keyring
from tests.server.test_sync_engine import change_one, first_item, response_row
from tests.ui import shell_support
from tests.ui.shell_support import TODAY
from ui.sync.conflict_dialog import ConflictDialog, MergeDialog
from ui.tasks import TaskRunner

WAIT_MS = 60_000
# The shell's stand-in checklist, made visible to pytest in this module.
stub_checklist = shell_support.stub_checklist


@pytest.fixture
def keychain() -> Iterator[MemoryKeyring]:
    yield from use_keyring(MemoryKeyring())  # type: ignore[misc]


@pytest.fixture
def runner() -> Iterator[TaskRunner]:
    tasks = TaskRunner()
    yield tasks
    tasks.shutdown()


def open_window(qtbot: Any, profile: Any, runner: TaskRunner) -> Any:
    from ui.main_window import MainWindow

    win = MainWindow(profile, runner, today=TODAY)
    qtbot.addWidget(win)
    win.sync.retry = QUICK
    win.show()
    qtbot.waitExposed(win)
    qtbot.waitUntil(lambda: win.sync_status.overview is not None, timeout=WAIT_MS)
    return win


@pytest.fixture
def one(server: Any, demo_template: Path, tmp_path: Path, keychain: MemoryKeyring) -> Iterator[Any]:
    machine = laptop(server, demo_template, tmp_path / "one", mirror=True)
    yield machine
    machine.profile.close()


def sync_from(qtbot: Any, win: Any) -> Any:
    with qtbot.waitSignal(win.sync.finished, timeout=WAIT_MS) as blocker:
        win.sync_action.trigger()
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=WAIT_MS)
    return blocker.args[0]


def test_the_sync_action_sends_everything_in_the_background_with_progress(qtbot, server, one, runner,
                                                                         stub_checklist):
    add_photos(one, 2)
    win = open_window(qtbot, one.profile, runner)
    assert win.sync_status.pending_label.text().startswith("Not synced: ")
    assert win.sync_status.receipt_label.text() == "Last sync: never"
    seen: list[Progress] = []
    texts: list[str] = []
    win.sync.progressed.connect(lambda p: (seen.append(p), texts.append(win.sync_status.progress_label.text())))
    with qtbot.waitSignal(win.sync.runningChanged, timeout=WAIT_MS):
        win.sync_action.trigger()
    # The window stays usable: the progress shows in the status area, not in a modal dialog.
    assert QApplication.activeModalWidget() is None
    assert win.sync_status.cancel_button.isVisible() and not win.sync_status.sync_button.isEnabled()
    qtbot.waitUntil(lambda: not win.sync.running, timeout=WAIT_MS)
    result = win.sync.last_result
    assert result is not None and result.complete, (result.reason, result.message)
    assert {p.phase for p in seen} >= {"blobs", "push", "pull"}
    assert any(t.startswith("Sending photos") and "of" in t for t in texts)
    qtbot.waitUntil(lambda: win.sync_status.receipt_label.text() != "Last sync: never", timeout=WAIT_MS)
    left = sum(n for t, n in sq.pending_counts(one.profile.db).items() if t in OFFICE_TABLES)
    assert win.sync_status.pending_label.text() == f"Not synced: {left} change(s)"
    assert "receipt no." in win.sync_status.receipt_label.toolTip()
    assert not win.sync_status.error_label.isVisible() and not win.sync_status.cancel_button.isVisible()


def test_cancel_leaves_the_profile_consistent_and_the_next_sync_completes(qtbot, server, one, runner,
                                                                         stub_checklist):
    add_photos(one, 3)
    win = open_window(qtbot, one.profile, runner)

    def cancel_at_photos(progress: Progress) -> None:
        if progress.phase == "blobs" and win.sync_status.cancel_button.isEnabled():
            win.sync_status.cancel_button.click()

    win.sync.progressed.connect(cancel_at_photos)
    result = sync_from(qtbot, win)
    assert result.reason == "cancelled"
    assert one.profile.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert win.sync_status.error_label.text().startswith("Sync cancelled")
    win.sync.progressed.disconnect(cancel_at_photos)
    again = sync_from(qtbot, win)
    assert again.complete, (again.reason, again.message)
    assert {t for t in sq.pending_counts(one.profile.db)} <= set(OFFICE_TABLES)


def test_an_unreachable_server_says_offline_in_words(qtbot, server, one, runner, stub_checklist, keychain):
    gone = f"http://127.0.0.1:{free_port()}"
    set_setting(one.profile, "server_url", gone)
    keychain.set_password("fieldmark", f"{gone}|{one.session.login}", one.session.token)
    win = open_window(qtbot, one.profile, runner)
    result = sync_from(qtbot, win)
    assert result.reason == "offline"
    qtbot.waitUntil(lambda: win.sync_status.error_label.isVisible(), timeout=WAIT_MS)
    assert win.sync_status.error_label.text().startswith("Offline: the server cannot be reached")
    assert "cannot be reached" in win.sync_status.error_label.toolTip()


def test_a_missing_login_opens_the_login_dialog_and_the_sync_goes_on(qtbot, server, one, runner, stub_checklist,
                                                                     keychain, monkeypatch):
    # The login is gone from the keychain (the device's key stays: it is the installation's).
    keychain.delete_password("fieldmark", f"{one.session.server_url}|{one.session.login}")
    asked: list[dict[str, str]] = []

    def fill(dialog: QDialog) -> int:
        asked.append({"url": dialog.server_url.text(), "login": dialog.login_name.text(),
                      "keychain": dialog.keychain.text()})
        return sign_in(qtbot, dialog, one.account.password)

    monkeypatch.setattr("ui.sync.login_dialog.LoginDialog.exec", fill)
    win = open_window(qtbot, one.profile, runner)
    result = sync_from(qtbot, win)
    assert result is not None and result.complete, (result.reason, result.message)
    assert asked == [{"url": one.session.server_url, "login": one.session.login,
                      "keychain": "The login is kept in this computer's keychain; the password is not kept."}]
    # The token went to the keychain, never the password.
    assert one.account.password not in keychain.secrets.values()
    assert any(name == f"{one.session.server_url}|{one.session.login}" for _, name in keychain.secrets)


def test_without_a_keychain_the_dialog_says_so_and_asks_at_each_sync(qtbot, server, one, runner, stub_checklist,
                                                                     monkeypatch):
    asked: list[str] = []

    def fill(dialog: QDialog) -> int:
        asked.append(dialog.keychain.text())
        return sign_in(qtbot, dialog, one.account.password)

    monkeypatch.setattr("ui.sync.login_dialog.LoginDialog.exec", fill)
    with use_keyring_ctx(fail.Keyring()):
        win = open_window(qtbot, one.profile, runner)
        assert sync_from(qtbot, win).complete
        assert sync_from(qtbot, win).complete
    assert len(asked) == 2 and all(text.startswith("No keychain is available") for text in asked)


def sign_in(qtbot: Any, dialog: Any, password: str) -> int:
    dialog.password.setText(password)
    dialog.ok.click()
    qtbot.waitUntil(lambda: dialog.session is not None or dialog.ok.isEnabled(), timeout=WAIT_MS)
    assert dialog.session is not None, dialog.error.text()
    return QDialog.DialogCode.Accepted


def use_keyring_ctx(backend: Any) -> Any:
    import contextlib

    return contextlib.contextmanager(use_keyring)(backend)


@pytest.fixture
def team(server: Any, demo_template: Path, tmp_path: Path, keychain: MemoryKeyring) -> Iterator[Any]:
    """Two laptops holding the same visit whose first item each changed: B's sync meets A's."""
    a = laptop(server, demo_template, tmp_path / "a", mirror=True)
    b = laptop(server, demo_template, tmp_path / "b")
    for machine in (a, b):
        assert sync(machine.profile, machine.session, retry=QUICK).complete
    visit_id = in_progress_visit(a.profile)
    code = first_item(a, visit_id)
    change_one(a, visit_id, code, "A's note")
    change_one(b, visit_id, code, "B's note")
    assert sync(a.profile, a.session, retry=QUICK).complete
    yield a, b, visit_id, code
    a.profile.close()
    b.profile.close()


def server_conflict_status(server: Any, key: str) -> list[str]:
    from sqlalchemy import select

    from server.store.schema import sync_conflicts

    with server.engine.connect() as conn:
        return [r.status for r in conn.execute(select(sync_conflicts.c.status).where(sync_conflicts.c.key == key))]


def resolve_in_window(qtbot: Any, monkeypatch: Any, win: Any, choice: str, note: str) -> None:
    """Open the review from the status area and make ``choice`` (a merge types ``note``)."""

    def review(dialog: ConflictDialog) -> int:
        qtbot.waitUntil(lambda: dialog.list.count() == 1, timeout=WAIT_MS)
        view = dialog.views[0]
        assert (view.mine.values["note"], view.theirs.values["note"]) == ("B's note", "A's note")
        assert "this laptop" in dialog.mine.who.text() and "this laptop" not in dialog.theirs.who.text()
        assert "B's note" in dialog.mine.fields.text() and "A's note" in dialog.theirs.fields.text()
        if choice == "merge":
            def merge(merge_dialog: MergeDialog) -> int:
                merge_dialog.editors["note"].setEditText(note)
                return QDialog.DialogCode.Accepted

            monkeypatch.setattr(MergeDialog, "exec", merge)
            dialog.merge.click()
        else:
            (dialog.keep_mine if choice == "mine" else dialog.keep_theirs).click()
        qtbot.waitUntil(lambda: dialog.list.count() == 0 and not dialog.empty.isHidden(), timeout=WAIT_MS)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ConflictDialog, "exec", review)
    win.sync_status.conflicts_button.click()
    qtbot.waitUntil(lambda: not win.sync_status.conflicts_button.isVisible(), timeout=WAIT_MS)


def server_row_note(server: Any, key: str) -> str:
    import json

    from sqlalchemy import select

    from server.store.schema import sync_rows

    with server.engine.connect() as conn:
        return json.loads(conn.execute(select(sync_rows.c.row_values).where(sync_rows.c.key == key)).scalar_one())["note"]


@pytest.mark.parametrize(("choice", "note"), [("mine", "B's note"), ("theirs", "A's note"),
                                              ("merge", "A's and B's note")])
def test_the_conflict_review_resolves_a_conflict_of_two_laptops(qtbot, server, team, runner, stub_checklist,
                                                               monkeypatch, choice, note):
    a, b, visit_id, code = team
    win = open_window(qtbot, b.profile, runner)
    result = sync_from(qtbot, win)
    assert result.reason == "conflicts"
    qtbot.waitUntil(lambda: win.sync_status.conflicts_button.isVisible(), timeout=WAIT_MS)
    assert win.sync_status.conflicts_button.text() == "1 conflict(s) to review"
    assert win.sync_status.error_label.text().startswith("1 conflict(s) wait for your choice")
    resolve_in_window(qtbot, monkeypatch, win, choice, note)
    row = response_row(b, visit_id, code)
    assert (row["note"], row["dirty"]) == (note, 1)
    assert conflict_views(b.profile) == []
    # The choice is an edit of what the server holds: the next sync delivers it, not a new conflict.
    after = sync_from(qtbot, win)
    assert after.complete, (after.reason, after.message)
    assert server_row_note(server, row["id"]) == note
    assert response_row(b, visit_id, code)["dirty"] == 0
    assert not win.sync_status.error_label.isVisible()


def test_after_the_next_sync_the_servers_conflict_is_resolved_on_both_laptops(qtbot, server, team, runner,
                                                                             stub_checklist, monkeypatch):
    a, b, visit_id, code = team
    win = open_window(qtbot, b.profile, runner)
    assert sync_from(qtbot, win).reason == "conflicts"
    resolve_in_window(qtbot, monkeypatch, win, "mine", "B's note")
    assert sync_from(qtbot, win).complete
    assert server_conflict_status(server, response_row(b, visit_id, code)["id"]) == ["resolved"]
    later = sync(a.profile, a.session, retry=QUICK)
    assert later.complete, (later.reason, later.message)
    assert response_row(a, visit_id, code)["note"] == "B's note"
