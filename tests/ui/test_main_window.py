"""The main window: views, keyboard navigation, menus, status, the checklist contract, start-up."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QLocale, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QMessageBox

from app.overview import sync_status
from app.profile import Profile
from app.session import Position, last_position, save_position
from app.visits import VisitFilter, list_visits
from tests.ui import shell_support
from tests.ui.shell_support import TODAY
from ui.app import Startup, register_cjk_font
from ui.tasks import SyncTaskRunner

ROOT = Path(__file__).resolve().parents[2]
# The shared fixtures, made visible to pytest in this module.
demo_source, demo_dir, demo = shell_support.demo_source, shell_support.demo_dir, shell_support.demo
runner, stub_checklist, window = shell_support.runner, shell_support.stub_checklist, shell_support.window


def press(qtbot, widget, sequence: str) -> None:
    """Type a shortcut the way a user does: the key goes to the focused widget of the window."""
    combo = QKeySequence(sequence)[0]
    target = QApplication.focusWidget() or widget
    qtbot.keyClick(target, combo.key(), combo.keyboardModifiers())


def test_opens_on_today_with_the_local_sync_state(window, demo):
    assert window.current_page_index() == window.TODAY
    pending = sync_status(demo).pending_changes
    assert pending > 0
    assert window.pending_label.text() == f"Not synced: {pending} change(s)"
    assert window.sync_label.text() == "Last sync: never"
    assert window.today_page.assignments.topLevelItemCount() == 10


def test_ctrl_1_to_4_switch_views_from_the_keyboard(qtbot, window):
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    for key, index in (("Ctrl+2", window.VISITS), ("Ctrl+3", window.UNITS), ("Ctrl+4", window.RUBRICS),
                       ("Ctrl+1", window.TODAY)):
        press(qtbot, window, key)
        assert window.current_page_index() == index
        assert window.nav.currentRow() == index
    # Each view loads when first shown.
    assert window.visits_page.model.rowCount() == 14
    assert window.units_page.model.rowCount() == 1
    assert window.rubrics_page.list.topLevelItemCount() == 7


def test_nav_list_is_keyboard_reachable(qtbot, window):
    window.nav.setFocus()
    qtbot.keyClick(window.nav, Qt.Key.Key_Down)
    assert window.current_page_index() == window.VISITS
    qtbot.keyClick(window.nav, Qt.Key.Key_Down)
    assert window.current_page_index() == window.UNITS


def test_every_action_is_in_a_menu_with_its_shortcut(window):
    found = {}
    for menu_action in window.menuBar().actions():
        for action in menu_action.menu().actions():
            if not action.isSeparator():
                found[action.text().replace("&", "")] = action.shortcut().toString()
    assert found["New visit…"] == QKeySequence(QKeySequence.StandardKey.New).toString() == "Ctrl+N"
    assert found["Settings…"] == "Ctrl+,"
    assert [found[name] for name in ("Today", "Visits", "Units", "Rubrics")] == ["Ctrl+1", "Ctrl+2", "Ctrl+3", "Ctrl+4"]
    assert found["Find"] == "Ctrl+F"
    assert found["Refresh"] == "F5"
    assert found["Back to open visit"] == "Ctrl+5"
    assert "Quit" in found and "About Fieldmark" in found
    assert not window.visit_menu.isEnabled()  # until a visit is open


def test_open_visit_embeds_the_checklist_and_remembers_the_position(window, demo):
    visit = list_visits(demo, VisitFilter(status="in_progress"), limit=1)[0]
    window.open_visit(visit.id, "hash", "A1")
    page = window.checklist_page()
    assert page.opened == [(visit.id, "hash", "A1")]
    assert window.stack.currentWidget() is page
    assert not window.visit_entry.isHidden()
    assert last_position(demo) == Position(visit.id, "hash", "A1")

    window.show_page(window.VISITS)
    window.back_to_visit_action.trigger()
    assert window.stack.currentWidget() is page

    page.closeRequested.emit()
    assert window.current_page_index() == window.TODAY
    assert window.visit_entry.isHidden()
    assert last_position(demo) is None


def test_visit_changed_refreshes_lists_and_status(window, demo):
    from app.findings import add_good_practice
    from app.visits import cancel_visit

    visit = list_visits(demo, VisitFilter(status="in_progress"), limit=1)[0]
    window.open_visit(visit.id)
    pending = sync_status(demo).pending_changes
    # What the checklist would have done through the runner: a new row, then a status change.
    add_good_practice(demo, visit.id, "校园整洁")
    cancel_visit(demo, visit.id)
    window.checklist_page().visitChanged.emit(visit.id)
    assert window.pending_label.text() == f"Not synced: {pending + 1} change(s)"
    window.show_page(window.TODAY)
    assert window.today_page.visits.topLevelItemCount() == 2


def test_activating_a_visit_in_the_list_opens_it(qtbot, window):
    window.show_page(window.VISITS)
    table = window.visits_page.table
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Down)
    qtbot.keyClick(table, Qt.Key.Key_Return)
    expected = window.visits_page.model.visits[1].id
    assert window.checklist_page().opened[-1][0] == expected


def test_keyboard_only_find_and_open(qtbot, window):
    """Ctrl+2, Ctrl+F, type a unit code, Enter to the results, Enter to open."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    press(qtbot, window, "Ctrl+2")
    press(qtbot, window, "Ctrl+F")
    search = window.visits_page.search
    assert QApplication.focusWidget() is search
    qtbot.keyClicks(search, "DJK039")
    qtbot.keyClick(search, Qt.Key.Key_Return)
    assert QApplication.focusWidget() is window.visits_page.table
    assert window.visits_page.model.rowCount() == 2
    qtbot.keyClick(window.visits_page.table, Qt.Key.Key_Return)
    opened = window.checklist_page().opened[-1][0]
    assert opened == window.visits_page.model.visits[0].id
    assert window.stack.currentWidget() is window.checklist_page()


def test_real_checklist_page_embeds(qtbot, demo, runner):
    import ui.checklist.checklist_page as checklist
    from ui.main_window import MainWindow

    win = MainWindow(demo, runner, today=TODAY)
    qtbot.addWidget(win)
    visit = list_visits(demo, VisitFilter(status="in_progress"), limit=1)[0]
    win.open_visit(visit.id)
    page = win.stack.currentWidget()
    assert isinstance(page, checklist.ChecklistPage)
    # The page's actions are in the Visit menu, and no shortcut is claimed twice (an ambiguous
    # shortcut fires neither action).
    assert win.visit_menu.isEnabled()
    in_menu = [a for a in win.visit_menu.actions() if not a.isSeparator()]
    assert any(a.shortcut().toString() == "Ctrl+W" for a in in_menu)
    window_keys = [k.toString() for m in win.menuBar().actions() for a in m.menu().actions()
                   for k in a.shortcuts() if a not in page.actions()]
    page_keys = [k.toString() for a in page.actions() for k in a.shortcuts()]
    assert len(window_keys) == len(set(window_keys))
    assert not set(window_keys) & set(page_keys)


# --- start-up ------------------------------------------------------------------------------------


def test_startup_opens_the_profile_and_resumes_the_last_visit(qtbot, demo_dir, stub_checklist):
    with Profile.open(demo_dir) as profile:
        visit = list_visits(profile, VisitFilter(status="in_progress"), limit=1)[0]
        save_position(profile, Position(visit.id, "h", "B2"))
    app = QApplication.instance()
    startup = Startup(app, demo_dir, SyncTaskRunner(), today=TODAY)
    with qtbot.waitSignal(startup.ready, timeout=5000):
        startup.start()
    started = startup.window
    qtbot.addWidget(started)
    assert started.checklist_page().opened == [(visit.id, "h", "B2")]
    startup.shutdown()
    assert startup.profile is None


def test_second_instance_gets_a_clear_message(qtbot, demo_dir, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box) or 0)
    with Profile.open(demo_dir):  # the first instance holds the lock
        startup = Startup(QApplication.instance(), demo_dir, SyncTaskRunner(), today=TODAY)
        with qtbot.waitSignal(startup.failed) as blocker:
            startup.start()
    assert blocker.args == [1]
    box = shown[0]
    assert str(demo_dir) in box.text()
    assert "already running" in box.informativeText()
    assert "already open" in box.detailedText()
    assert startup.window is None


def test_unwritable_folder_gets_a_message(qtbot, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box) or 0)
    blocker_file = tmp_path / "file"
    blocker_file.write_text("not a folder")
    startup = Startup(QApplication.instance(), blocker_file / "profile", SyncTaskRunner())
    with qtbot.waitSignal(startup.failed):
        startup.start()
    assert "cannot be opened" in shown[0].text()


def test_bundled_cjk_font_is_registered_as_fallback(qapp):
    family = register_cjk_font()
    assert family == "WenQuanYi Micro Hei"
    assert family in QApplication.font().families()


def test_cli_subcommands_do_not_load_qt(demo_dir):
    code = (
        "import sys\n"
        "from ui.launcher import main\n"
        f"rc = main(['status', '--data-dir', {str(demo_dir)!r}])\n"
        "assert rc == 0, rc\n"
        "assert not any(m.startswith('PySide6') for m in sys.modules), 'Qt loaded for a CLI command'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "visits" in result.stdout


def test_console_script_points_at_the_launcher():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'fieldmark = "ui.launcher:main"' in text


def test_print_the_open_visit_from_the_visit_menu(qtbot, demo, runner):
    from ui.main_window import MainWindow

    win = MainWindow(demo, runner, today=TODAY)
    qtbot.addWidget(win)
    visit = list_visits(demo, VisitFilter(status="finalized"), limit=1)[0]
    win.open_visit(visit.id)
    feedback, rectification, full = win.print_actions
    assert feedback.shortcut().toString() == "Ctrl+P"
    feedback.trigger()
    dialog = win.print_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.page_count > 0, timeout=20000)
    dialog.close()


def test_the_window_is_interactive_before_the_profile_is_open(qtbot, demo_dir, stub_checklist):
    from ui.tasks import TaskRunner

    runner = TaskRunner()
    startup = Startup(QApplication.instance(), demo_dir, runner, today=TODAY)
    order = []
    startup.interactive.connect(lambda: order.append(("interactive", startup.window.profile)))
    startup.ready.connect(lambda: order.append(("ready", startup.window.profile)))
    startup.start()
    # Shown at once, waiting for the profile, with nothing yet to click that needs it.
    assert startup.window.isVisible() and startup.window.profile is None
    assert not startup.window.new_visit_action.isEnabled()
    qtbot.waitUntil(lambda: len(order) == 2, timeout=10000)
    assert order[0] == ("interactive", None)
    assert order[1][0] == "ready" and order[1][1] is not None
    assert startup.window.new_visit_action.isEnabled()
    qtbot.addWidget(startup.window)
    startup.shutdown()


def test_startup_speaks_the_profiles_language_from_the_first_frame(qtbot, demo_dir, stub_checklist):
    from app.settings import LANGUAGE_HINT, set_setting

    with Profile.open(demo_dir) as profile:
        set_setting(profile, "language", "zh_CN")
    assert (demo_dir / LANGUAGE_HINT).read_text(encoding="utf-8") == "zh_CN"
    startup = Startup(QApplication.instance(), demo_dir, SyncTaskRunner(), today=TODAY)
    with qtbot.waitSignal(startup.ready, timeout=5000):
        startup.start()
    qtbot.addWidget(startup.window)
    assert startup.window.nav.item(0).text() == "今日"
    startup.shutdown()
    startup.translations.install(QLocale("en"))


def test_a_stale_language_hint_is_corrected_when_the_profile_opens(qtbot, demo_dir, stub_checklist):
    from app.settings import LANGUAGE_HINT, set_setting

    with Profile.open(demo_dir) as profile:
        set_setting(profile, "language", "zh_CN")
    (demo_dir / LANGUAGE_HINT).write_text("en", encoding="utf-8")  # e.g. changed on another machine
    startup = Startup(QApplication.instance(), demo_dir, SyncTaskRunner(), today=TODAY)
    with qtbot.waitSignal(startup.ready, timeout=5000):
        startup.start()
    qtbot.addWidget(startup.window)
    assert startup.window.nav.item(0).text() == "今日"
    assert (demo_dir / LANGUAGE_HINT).read_text(encoding="utf-8") == "zh_CN"
    startup.shutdown()
    startup.translations.install(QLocale("en"))


def test_launcher_opens_the_desktop_only_without_a_command():
    from ui.launcher import _desktop_args

    assert _desktop_args([])
    assert _desktop_args(["--data-dir", "/x"]) and _desktop_args(["--data-dir=/x"])
    assert not _desktop_args(["status"])
    assert not _desktop_args(["--data-dir", "/x", "status"])
    assert not _desktop_args(["--version"])
