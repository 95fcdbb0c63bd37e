"""File → Back up now and Restore from backup…: a backup on request, a restore that asks first,
keeps the data in use as a backup and starts Fieldmark again; a wrong file changes nothing."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

import ui.backup_flows
from app.backups import list_backups, make_backup
from app.paths import DB_NAME
from app.profile import Profile
from tests.ui import shell_support

demo_source, demo_dir, demo = shell_support.demo_source, shell_support.demo_dir, shell_support.demo
runner, stub_checklist, window = shell_support.runner, shell_support.stub_checklist, shell_support.window


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def said(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    shown: list[tuple[str, str]] = []
    for kind in ("information", "warning"):
        monkeypatch.setattr(QMessageBox, kind, lambda _parent, title, text, *a, k=kind: shown.append((k, text)))
    return shown


@pytest.fixture
def restarts(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    done: list[bool] = []
    monkeypatch.setattr(ui.backup_flows, "restart_app", lambda: done.append(True))
    return done


def entries(window) -> dict[str, object]:
    return {a.text(): a for a in window.menuBar().actions()[0].menu().actions()}


def test_the_file_menu_has_both_entries(window):
    assert "&Back up now" in entries(window) and "&Restore from backup…" in entries(window)


def settle(window) -> None:
    window.runner.wait_idle()
    window.runner.deliver_pending()


def test_back_up_now_makes_a_backup_and_says_where(window, demo_dir, said):
    settle(window)
    before = list_backups(demo_dir)  # the day's automatic backup, made when the window was ready
    entries(window)["&Back up now"].trigger()
    settle(window)
    made = list_backups(demo_dir)
    assert len(made) == len(before) + 1 and said[-1][0] == "information" and str(made[-1]) in said[-1][1]


def test_restore_asks_keeps_the_current_data_and_restarts(window, demo, demo_dir, said, restarts, monkeypatch):
    settle(window)
    copy = make_backup(demo_dir, demo.db.conn)
    earlier = set(list_backups(demo_dir))
    with demo.transaction() as tx:
        tx.db.execute("DELETE FROM meta WHERE key = 'setting.office_name'")
        tx.db.execute("INSERT INTO meta (key, value) VALUES ('setting.office_name', '改后的名称')")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(copy), ""))
    asked: list[str] = []

    def question(_parent, _title, text, *a):
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", question)
    entries(window)["&Restore from backup…"].trigger()
    window.runner.wait_idle()
    window.runner.deliver_pending()
    assert asked and "kept as a backup" in asked[0]
    assert restarts == [True], said
    assert "kept as" in said[-1][1]
    kept = [p for p in list_backups(demo_dir) if p not in earlier]
    assert len(kept) == 1
    with Profile.open(demo_dir) as restored:
        assert restored.db.execute("SELECT value FROM meta WHERE key = 'setting.office_name'").fetchone() != (
            "改后的名称",)
    import sqlite3

    conn = sqlite3.connect(str(kept[0]))
    assert conn.execute("SELECT value FROM meta WHERE key = 'setting.office_name'").fetchone() == ("改后的名称",)
    conn.close()


def test_restore_of_a_wrong_file_changes_nothing(window, demo_dir, tmp_path, said, restarts, monkeypatch):
    bad = tmp_path / "photo.sqlite3"
    bad.write_bytes(b"\xff\xd8\xff\xe0 not a database" * 20)
    settle(window)
    before, backups = digest(demo_dir / DB_NAME), list_backups(demo_dir)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(bad), ""))
    monkeypatch.setattr(QMessageBox, "question", lambda *a: pytest.fail("asked for a file it refuses"))
    entries(window)["&Restore from backup…"].trigger()
    assert said[-1][0] == "warning" and "not a Fieldmark database" in said[-1][1]
    assert restarts == [] and digest(demo_dir / DB_NAME) == before and list_backups(demo_dir) == backups
    assert window.profile.db.execute("SELECT count(*) FROM units").fetchone()[0] > 0  # still open


def test_restore_declined_changes_nothing(window, demo, demo_dir, restarts, monkeypatch):
    settle(window)
    copy = make_backup(demo_dir, demo.db.conn)
    backups = list_backups(demo_dir)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(copy), ""))
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.No)
    entries(window)["&Restore from backup…"].trigger()
    window.runner.wait_idle()
    assert restarts == [] and list_backups(demo_dir) == backups


def test_daily_backup_once_when_the_window_is_ready(window, demo_dir):
    settle(window)
    assert len(list_backups(demo_dir)) == 1
    window.backup_flows.daily()  # the same day: none more
    settle(window)
    assert len(list_backups(demo_dir)) == 1


def test_help_save_diagnostics_writes_the_zip_and_says_where(window, tmp_path, said, monkeypatch):
    import zipfile

    out = tmp_path / "support"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    help_menu = window.menuBar().actions()[-1].menu()
    action = {a.text(): a for a in help_menu.actions()}["Save &diagnostics…"]
    action.trigger()
    settle(window)
    saved = tmp_path / "support.zip"
    assert said[-1][0] == "information" and str(saved) in said[-1][1]
    with zipfile.ZipFile(saved) as zf:
        names = zf.namelist()
        assert "database.json" in names and zf.read("versions.json").count(b'"qt"') == 1


def test_diagnostics_to_an_unwritable_place_says_so(window, tmp_path, said):
    window.diagnostics_flow.save_to(tmp_path / "no-such-folder" / "d.zip")
    settle(window)
    assert said[-1][0] == "warning" and "diagnostics not saved" in said[-1][1]
    assert not (tmp_path / "no-such-folder").exists()


def test_restore_waits_for_work_in_the_background(window, demo, demo_dir, said, restarts, monkeypatch):
    settle(window)
    copy = make_backup(demo_dir, demo.db.conn)
    backups, before = list_backups(demo_dir), digest(demo_dir / DB_NAME)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(copy), ""))
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(type(window.runner), "busy", property(lambda self: True))  # a sync is running
    entries(window)["&Restore from backup…"].trigger()
    assert said[-1][0] == "warning" and "Nothing was changed" in said[-1][1]
    assert restarts == [] and list_backups(demo_dir) == backups and digest(demo_dir / DB_NAME) == before
