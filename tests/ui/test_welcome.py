"""The first run: an empty profile shows the welcome page, and each of its choices leads to the views."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTranslator
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox

from app import credentials
from app.errors import FieldmarkError
from app.profile import Profile
from app.sync import keys
from app.sync.device import Session
from app.units import search_units
from app.visits import count_visits
from tests.server.sync_support import MemoryKeyring, use_keyring
from tests.ui import shell_support
from tests.ui.shell_support import TODAY
from ui.pages.welcome_page import WelcomePage, profile_is_empty
from ui.sync.login_dialog import LoginDialog

demo_source, demo_dir, demo = shell_support.demo_source, shell_support.demo_dir, shell_support.demo
runner, stub_checklist, window = shell_support.runner, shell_support.stub_checklist, shell_support.window


@pytest.fixture
def empty(tmp_path: Path) -> Iterator[Profile]:
    profile = Profile.open(tmp_path / "fresh")
    yield profile
    profile.close()


@pytest.fixture
def first_run(qtbot, empty, runner, stub_checklist):
    from ui.main_window import MainWindow

    win = MainWindow(empty, runner, today=TODAY)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


@pytest.fixture
def said(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    shown: list[tuple[str, str]] = []
    for kind in ("information", "warning"):
        monkeypatch.setattr(QMessageBox, kind, lambda _parent, title, text, *a, k=kind: shown.append((k, text)))
    return shown


def on_today(win) -> bool:
    return win.welcome is None and win.current_page_index() == win.TODAY and win.nav.isVisible()


def test_a_fresh_profile_is_empty_and_the_demo_is_not(empty, demo):
    assert profile_is_empty(empty)
    assert not profile_is_empty(demo)


def test_a_profile_that_knows_its_server_is_not_empty(empty):
    from app.settings import set_settings

    set_settings(empty, {"server_url": "https://office.example", "server_login": "zhang"})
    assert not profile_is_empty(empty)


def test_an_empty_profile_shows_the_welcome_page_with_three_choices(first_run):
    page = first_run.stack.currentWidget()
    assert isinstance(page, WelcomePage) and first_run.welcome is page
    assert not first_run.nav.isVisible()
    assert not first_run.new_visit_action.isEnabled() and not first_run.view_actions[0].isEnabled()
    texts = [b.text() for b in (page.connect_button, page.demo_button, page.import_button)]
    assert texts == ["&Connect to the office's server", "&Try the demo data", "&Import a bundle"]
    # Settings and the File menu's import still work from here.
    assert first_run.settings_action.isEnabled()


def test_a_profile_with_data_never_shows_the_welcome_page(window):
    assert window.welcome is None
    assert window.current_page_index() == window.TODAY and window.nav.isVisible()


def test_the_demo_choice_loads_the_demo_and_shows_today(qtbot, first_run, empty):
    first_run.welcome.demo_button.click()
    qtbot.waitUntil(lambda: on_today(first_run))
    assert count_visits(empty) > 0 and search_units(empty, "", limit=1)
    assert first_run.new_visit_action.isEnabled() and first_run.view_actions[0].isEnabled()
    assert first_run.stack.currentWidget() is first_run.today_page
    # The profile has data now: a window opened on it again goes straight to the views.
    from ui.main_window import MainWindow

    again = MainWindow(empty, first_run.runner, today=TODAY)
    qtbot.addWidget(again)
    assert again.welcome is None and again.current_page_index() == again.TODAY


def test_a_failed_demo_says_why_and_stays_on_the_welcome_page(first_run, empty, monkeypatch, said):
    import app.demo

    def broken(profile: Profile, *, today: object) -> dict:
        raise FieldmarkError("the demo's rubrics could not be read")

    monkeypatch.setattr(app.demo, "build_demo", broken)
    page = first_run.welcome
    page.demo_button.click()
    assert said == [("warning", "the demo's rubrics could not be read")]
    assert first_run.welcome is page and first_run.stack.currentWidget() is page
    assert page.demo_button.isEnabled() and page.status.text() == ""
    assert profile_is_empty(empty)


def test_a_demo_that_stopped_half_way_shows_what_it_wrote(first_run, empty, monkeypatch, said):
    import app.demo

    real = app.demo.build_demo

    def half(profile: Profile, *, today: object) -> dict:
        real(profile, today=TODAY)
        raise FieldmarkError("the disk is full")

    monkeypatch.setattr(app.demo, "build_demo", half)
    first_run.welcome.demo_button.click()
    assert said == [("warning", "the disk is full")]
    assert on_today(first_run) and count_visits(empty) > 0


def test_the_connect_choice_opens_the_login_dialog_and_cancel_stays(first_run, monkeypatch):
    opened: list[LoginDialog] = []
    monkeypatch.setattr(LoginDialog, "exec", lambda dialog: opened.append(dialog) or QDialog.DialogCode.Rejected)
    first_run.welcome.connect_button.click()
    assert len(opened) == 1 and opened[0].server_url.text() == ""
    assert first_run.welcome is not None and not first_run.sync.running


def test_a_login_from_the_welcome_page_syncs_and_shows_today(first_run, monkeypatch):
    session = Session("https://office.example", "zhang", "token")

    def accept(dialog: LoginDialog) -> int:
        dialog.session = session
        return QDialog.DialogCode.Accepted

    synced: list[Session] = []
    monkeypatch.setattr(LoginDialog, "exec", accept)
    # The sync itself is the engine's (tested with a live server elsewhere): here, that it starts.
    monkeypatch.setattr(first_run.sync, "_run", synced.append)
    first_run.welcome.connect_button.click()
    assert synced == [session]
    assert on_today(first_run)


@pytest.fixture
def keychain() -> Iterator[MemoryKeyring]:
    yield from use_keyring(MemoryKeyring())  # type: ignore[misc]


def team_bundle(demo: Profile, tmp_path: Path) -> Path:
    from app.sync.bundle_export import export_bundle
    from app.visits import list_visits

    key = keys.generate_device_key()
    credentials.save_device_key(demo.device_id, keys.private_key_bytes(key))
    out = tmp_path / "day.fmbundle"
    visit = list_visits(demo, limit=1)[0]
    export_bundle(demo, [visit.id], out, recipient="team")
    return out


def test_the_import_choice_imports_a_bundle_and_shows_today(first_run, empty, demo, tmp_path, keychain, said,
                                                            monkeypatch):
    bundle = team_bundle(demo, tmp_path)
    asked: list[str] = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (asked.append("file") or str(bundle), ""))
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: asked.append("trust") or QMessageBox.StandardButton.Yes)
    first_run.welcome.import_button.click()
    assert asked == ["file", "trust"]
    assert said and said[-1][0] == "information", said
    assert on_today(first_run)
    assert not profile_is_empty(empty)


def test_a_refused_bundle_keeps_the_welcome_page(first_run, empty, tmp_path, said, monkeypatch):
    broken = tmp_path / "broken.fmbundle"
    broken.write_bytes(b"not a zip")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(broken), ""))
    first_run.welcome.import_button.click()
    assert said and said[-1][0] == "warning" and "nothing of it was stored" in said[-1][1]
    assert first_run.welcome is not None and profile_is_empty(empty)


@pytest.fixture
def chinese(qapp, built_translations: Path):
    translator = QTranslator()
    assert translator.load(str(built_translations / "fieldmark_zh_CN.qm"))
    assert qapp.installTranslator(translator)
    yield translator
    qapp.removeTranslator(translator)


def test_the_welcome_page_in_chinese(qtbot, empty, runner, stub_checklist, chinese):
    from ui.main_window import MainWindow

    win = MainWindow(empty, runner, today=TODAY)
    qtbot.addWidget(win)
    page = win.welcome
    assert page is not None
    assert page.demo_button.text() == "试用演示数据(&T)"
    assert page.connect_button.text() == "连接督导室的服务器(&C)"
    assert page.import_button.text() == "导入离线包(&I)"


def test_the_choices_take_the_keyboard_in_order(qtbot, first_run):
    page = first_run.welcome

    def next_tab_stop(widget):
        widget = widget.nextInFocusChain()
        while not widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            widget = widget.nextInFocusChain()
        return widget

    assert next_tab_stop(page.connect_button) is page.demo_button
    assert next_tab_stop(page.demo_button) is page.import_button


@pytest.mark.parametrize("translated", [False, True])
def test_every_description_is_shown_whole_at_1366_by_768(qtbot, empty, runner, stub_checklist, request, translated):
    from ui.main_window import MainWindow

    if translated:
        request.getfixturevalue("chinese")
    win = MainWindow(empty, runner, today=TODAY)
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    qtbot.waitExposed(win)
    page = win.welcome
    assert page is not None and len(page.descriptions) == 3
    for label in page.descriptions:
        assert label.height() >= label.heightForWidth(label.width()), label.text()
        assert label.geometry().bottom() < page.height()


def test_starting_on_a_new_data_folder_shows_the_welcome_page(qtbot, tmp_path, stub_checklist):
    from PySide6.QtWidgets import QApplication

    from ui.app import Startup
    from ui.tasks import SyncTaskRunner

    startup = Startup(QApplication.instance(), tmp_path / "new", SyncTaskRunner(), today=TODAY)
    with qtbot.waitSignal(startup.ready, timeout=5000):
        startup.start()
    qtbot.addWidget(startup.window)
    qtbot.waitUntil(lambda: startup.window.welcome is not None)
    assert startup.window.stack.currentWidget() is startup.window.welcome
    startup.shutdown()
