"""The first run's "connect to a server" on a real window and task runner, against the live server:
the login dialog logs in, the first sync brings the office's units, and Today replaces the welcome."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QDialog

from app.profile import Profile
from app.units import search_units
from tests.server.sync_support import QUICK, MemoryKeyring, copy_profile, mirror_office, use_keyring
from tests.ui import shell_support
from tests.ui.shell_support import TODAY
from ui.sync.login_dialog import LoginDialog
from ui.tasks import TaskRunner

WAIT_MS = 60_000
stub_checklist = shell_support.stub_checklist


@pytest.fixture
def keychain() -> Iterator[MemoryKeyring]:
    yield from use_keyring(MemoryKeyring())  # type: ignore[misc]


@pytest.fixture
def runner() -> Iterator[TaskRunner]:
    tasks = TaskRunner()
    yield tasks
    tasks.shutdown()


def test_connecting_from_the_welcome_page_syncs_the_office_and_shows_today(
        qtbot, server: Any, demo_template: Path, tmp_path: Path, keychain, runner, stub_checklist, monkeypatch):
    from ui.main_window import MainWindow

    office = copy_profile(demo_template, tmp_path / "office")
    mirror_office(server, office)  # the server holds the office's areas and units
    office.close()
    account = server.make_account("inspector", "42")
    empty = Profile.open(tmp_path / "fresh")
    try:
        win = MainWindow(empty, runner, today=TODAY)
        qtbot.addWidget(win)
        win.sync.retry = QUICK
        win.show()
        qtbot.waitUntil(lambda: win.welcome is not None, timeout=WAIT_MS)

        def log_in(dialog: LoginDialog) -> int:
            dialog.server_url.setText(server.url)
            dialog.login_name.setText(account.login)
            dialog.password.setText(account.password)
            dialog.submit()
            qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=WAIT_MS)
            return int(dialog.result())

        monkeypatch.setattr(LoginDialog, "exec", log_in)
        with qtbot.waitSignal(win.sync.finished, timeout=WAIT_MS) as done:
            win.welcome.connect_button.click()
        assert done.args[0] is not None, win.sync.error
        qtbot.waitUntil(lambda: not runner.busy, timeout=WAIT_MS)
        assert win.welcome is None and win.nav.isVisible()
        assert win.stack.currentWidget() is win.today_page
        assert runner.call_db(lambda: search_units(empty, "", limit=1))
        win.close()
        runner.wait_idle()
    finally:
        empty.close()
