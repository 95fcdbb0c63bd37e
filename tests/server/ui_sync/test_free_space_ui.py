"""Sync → Free up space… and the photos-after-sync setting, on a real window with a real task
runner, against the live server: the counts are said before anything goes, No keeps everything,
Yes removes what the server holds, and an unreachable server removes nothing, in words."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

import ui.checklist  # noqa: F401 - imports ui.evidence in the order the window does (it is circular otherwise)
from app import credentials
from app.evidence.store import blob_path
from app.settings import get_setting, set_setting
from app.sync.client import Client
from app.sync.engine import sync
from db.queries import offload as oq
from tests.server.conftest import free_port
from tests.server.sync_support import QUICK, MemoryKeyring, laptop, use_keyring
from tests.ui import shell_support
from tests.ui.shell_support import TODAY
from ui.dialogs.settings_dialog import SettingsDialog
from ui.free_space import FreeSpaceAction
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


@pytest.fixture
def one(server: Any, demo_template: Path, tmp_path: Path, keychain: MemoryKeyring) -> Iterator[Any]:
    machine = laptop(server, demo_template, tmp_path / "one", mirror=True)
    result = sync(machine.profile, machine.session, retry=QUICK)
    assert result.complete, result.message
    yield machine
    machine.profile.close()


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """What the action asked and told; ``yes`` is its answer to the question."""
    seen: dict[str, Any] = {"yes": True, "asked": [], "told": [], "warned": []}

    def confirm(self: FreeSpaceAction, text: str) -> bool:
        seen["asked"].append(text)
        return bool(seen["yes"])

    monkeypatch.setattr(FreeSpaceAction, "confirm", confirm)
    monkeypatch.setattr(FreeSpaceAction, "information", lambda self, text: seen["told"].append(text))
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda parent, title, text: seen["warned"].append(text)))
    return seen


def open_window(qtbot: Any, profile: Any, runner: TaskRunner) -> Any:
    from ui.main_window import MainWindow

    win = MainWindow(profile, runner, today=TODAY)
    qtbot.addWidget(win)
    win.free_space.retry = QUICK
    win.show()
    qtbot.waitExposed(win)
    return win


def free_from_menu(qtbot: Any, win: Any) -> Any:
    entry = next(a for m in win.menuBar().actions() for a in m.menu().actions()
                 if a.text().replace("&", "") == "Free up space…")
    with qtbot.waitSignal(win.free_space.finished, timeout=WAIT_MS) as blocker:
        entry.trigger()
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=WAIT_MS)
    return blocker.args[0]


def files(machine: Any) -> set[str]:
    return {p.name for p in machine.profile.media_dir.rglob("*") if p.is_file()}


def test_the_menu_says_how_many_photos_and_mb_then_no_keeps_and_yes_removes(qtbot, one, runner, stub_checklist,
                                                                          answers):
    win = open_window(qtbot, one.profile, runner)
    before = files(one)
    answers["yes"] = False
    assert free_from_menu(qtbot, win) is None
    [question] = answers["asked"]
    assert "Photo originals of finalized visits that the server holds: " in question and " MB)" in question
    assert files(one) == before and oq.offloaded(one.profile.db) == {}

    answers["yes"] = True
    done = free_from_menu(qtbot, win)
    assert done is not None and done.removed
    count, mb = len(done.removed), f"{done.bytes_removed / 1_000_000:.1f}"
    assert f"the server holds: {count} ({mb} MB)" in answers["asked"][-1]
    assert answers["told"][-1] == f"Photo originals removed: {count}, {mb} MB freed."
    assert not any(blob_path(one.profile.media_dir, sha).is_file() for sha, _ in done.removed)
    assert set(oq.offloaded(one.profile.db)) == {sha for sha, _ in done.removed}

    # Again: nothing left to remove, and it says so without asking.
    asked = len(answers["asked"])
    assert free_from_menu(qtbot, win) is None
    assert len(answers["asked"]) == asked and answers["told"][-1].startswith("Nothing to remove")


def test_an_unreachable_server_removes_nothing_and_says_so(qtbot, one, runner, stub_checklist, answers):
    dead_url = f"http://127.0.0.1:{free_port()}"
    set_setting(one.profile, "server_url", dead_url)
    credentials.save_token(dead_url, one.session.login, one.session.token)
    win = open_window(qtbot, one.profile, runner)
    before = files(one)
    assert free_from_menu(qtbot, win) is None
    [warning] = answers["warned"]
    assert warning.startswith("Nothing was removed:") and "cannot be reached" in warning
    assert answers["asked"] == [] and files(one) == before and oq.offloaded(one.profile.db) == {}


def test_the_setting_is_in_the_settings_dialog(qtbot, one, runner):
    dialog = SettingsDialog(one.profile, runner)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.photos_after_sync.currentData() == "keep"
    dialog.photos_after_sync.setCurrentIndex(dialog.photos_after_sync.findData("remove"))
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    qtbot.waitUntil(lambda: get_setting(one.profile, "photos_after_sync") == "remove", timeout=WAIT_MS)


def offloaded_photo(one: Any) -> tuple[Any, str]:
    """A finalized visit's photo whose original went to the server only, its thumbnail made first."""
    from app.evidence import list_photos, thumbnail_path
    from app.sync.offload import free_space

    with Client(one.session.server_url, one.session.token, retry=QUICK) as c:
        sha, _ = free_space(one.profile, c).removed[0]
    visit_id = one.profile.db.execute("SELECT visit_id FROM evidence WHERE sha256 = ?", (sha,)).fetchone()[0]
    photos = list_photos(one.profile, visit_id)
    photo = next(p for p in photos if p.sha256 == sha)
    # The thumbnail was cached before (the lists make it); here it is made from the original
    # fetched back once, which leaves the original here: remove it again.
    thumbnail_path(one.profile, photo.id)
    return photos, photo.id


def open_viewer(qtbot: Any, one: Any, runner: TaskRunner, photos: list[Any], pid: str) -> Any:
    from ui.evidence.viewer import PhotoViewerDialog

    viewer = PhotoViewerDialog(one.profile, runner, photos, [p.id for p in photos].index(pid), read_only=True)
    qtbot.addWidget(viewer)
    viewer.show()
    return viewer


def test_the_viewer_fetches_an_offloaded_original_and_checks_it(qtbot, one, runner):
    from app.evidence.store import hash_file

    photos, pid = offloaded_photo(one)
    sha = next(p.sha256 for p in photos if p.id == pid)
    if blob_path(one.profile.media_dir, sha).is_file():  # the thumbnail above fetched it: offload again
        with Client(one.session.server_url, one.session.token, retry=QUICK) as c:
            from app.sync.offload import free_space
            free_space(one.profile, c)
    assert oq.is_offloaded(one.profile.db, sha)
    viewer = open_viewer(qtbot, one, runner, photos, pid)
    qtbot.waitUntil(lambda: not viewer.canvas.image.isNull(), timeout=WAIT_MS)
    photo = next(p for p in photos if p.id == pid)
    assert (viewer.canvas.image.width(), viewer.canvas.image.height()) == photo.display_size
    assert hash_file(blob_path(one.profile.media_dir, sha)) == sha
    assert not oq.is_offloaded(one.profile.db, sha)


def test_logged_out_the_viewer_shows_the_thumbnail_and_says_why(qtbot, one, runner):
    photos, pid = offloaded_photo(one)
    sha = next(p.sha256 for p in photos if p.id == pid)
    assert not blob_path(one.profile.media_dir, sha).is_file()
    set_setting(one.profile, "server_login", "")
    viewer = open_viewer(qtbot, one, runner, photos, pid)
    qtbot.waitUntil(lambda: not viewer.canvas.image.isNull(), timeout=WAIT_MS)
    assert "kept on the server" in viewer.status.text() and "thumbnail" in viewer.status.text()
    assert max(viewer.canvas.image.width(), viewer.canvas.image.height()) <= 256
    assert oq.is_offloaded(one.profile.db, sha) and not blob_path(one.profile.media_dir, sha).is_file()
