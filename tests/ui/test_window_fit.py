"""Every window and dialog fits a 1366×768 laptop with a taskbar, and windows remember where they were.

The UI tests' offscreen screen is 1366×768 (tests/ui/conftest.py); a taskbar takes 40 pixels of
it on a real laptop, so a window's frame must fit in 1366×728 and every button must be inside.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractButton, QApplication, QDialog, QLabel, QScrollArea, QWidget

from app.evidence import list_photos
from app.gaps import gap_check
from app.profile import Profile
from app.rubric_store import get_rubric
from app.visits import VisitFilter, audit_trail, get_visit, list_visits
from tests.ui import shell_support
from tests.ui.checklist_support import make_checklist, open_page
from tests.ui.shell_support import TODAY
from ui.tasks import SyncTaskRunner
from ui.widgets.text_size import apply_text_size

demo_source, demo_dir, demo = shell_support.demo_source, shell_support.demo_dir, shell_support.demo
runner, stub_checklist = shell_support.runner, shell_support.stub_checklist

TASKBAR = 40
LAPTOP = QRect(0, 0, 1366, 768 - TASKBAR)


def _visit(profile: Profile, status: str) -> str:
    return list_visits(profile, VisitFilter(status=status), limit=1)[0].id


def _dialogs(profile: Profile, runner: SyncTaskRunner, parent: QWidget) -> dict[str, Callable[[], QDialog]]:
    """Each dialog of the application, with the content a real visit gives it."""
    from ui.checklist.answers import Draft
    from ui.checklist.finding_dialog import FindingDialog
    from ui.checklist.gap_dialog import GapDialog
    from ui.checklist.signature_pad import SignatureDialog
    from ui.checklist.visit_dialogs import AmendDialog, AuditTrailDialog
    from ui.dialogs.new_visit_dialog import NewVisitDialog
    from ui.dialogs.settings_dialog import SettingsDialog
    from ui.error_report import ErrorDialog
    from ui.evidence.import_dialog import ImportProgressDialog
    from ui.evidence.viewer import PhotoViewerDialog
    from ui.print_preview_dialog import PrintPreviewDialog

    open_visit, done_visit = _visit(profile, "in_progress"), _visit(profile, "amended")
    rubric = get_rubric(profile, get_visit(profile, done_visit).rubric_hashes[0])
    item = next(iter(rubric.items.values()))
    photos = list_photos(profile, done_visit)

    def error() -> QDialog:
        dialog = ErrorDialog(parent)
        dialog.add(RuntimeError("a long message " * 20), "Traceback\n" * 80)
        return dialog

    return {
        "error": error,
        "gaps": lambda: GapDialog(gap_check(profile, open_visit), lambda h, c: c, finalizing=True,
                                  forbidden=False, parent=parent),
        "finding": lambda: FindingDialog(today=TODAY, deadline_days=30, parent=parent, items=[
            ((rubric.content_hash, code), f"{code} {it.text.zh}") for code, it in rubric.items.items()]),
        "signature": lambda: SignatureDialog("unit_head", "", parent=parent),
        "amend": lambda: AmendDialog(item, Draft(rubric.content_hash, item.code), "A › A1", parent=parent),
        "audit": lambda: AuditTrailDialog(audit_trail(profile, done_visit), lambda row: (None, row), parent=parent),
        "print preview": lambda: PrintPreviewDialog(profile, runner, done_visit, "full", parent=parent),
        "new visit": lambda: NewVisitDialog(profile, runner, today=TODAY, parent=parent),
        "settings": lambda: SettingsDialog(profile, runner, parent=parent),
        "import progress": lambda: ImportProgressDialog("Importing", parent=parent),
        "photo viewer": lambda: PhotoViewerDialog(profile, runner, photos, 0, parent=parent),
    }


def _outside(widget: QWidget) -> list[str]:
    """The visible buttons of ``widget`` that are not wholly inside it. A button in a scroll area
    is reached by scrolling: it must lie wholly inside the area's contents instead."""
    found = []
    for button in widget.findChildren(QAbstractButton):
        if not button.isVisible():
            continue
        area = next((a for a in widget.findChildren(QScrollArea)
                     if a.widget() is not None and a.widget().isAncestorOf(button)), None)
        holder = area.widget() if area is not None else widget
        place = QRect(button.mapTo(holder, button.rect().topLeft()), button.size())
        # Scrolled up and down only: a button past the viewport's width would be cut off.
        wide = area is not None and place.right() >= area.viewport().width()
        if wide or not holder.rect().contains(place):
            found.append(button.text() or button.objectName() or type(button).__name__)
    return found


@pytest.fixture
def main_window(qtbot, demo, runner, stub_checklist):
    from ui.main_window import MainWindow

    window = MainWindow(demo, runner, today=TODAY)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_the_test_screen_is_a_1366x768_laptop(qapp):
    assert QGuiApplication.primaryScreen().geometry() == QRect(0, 0, 1366, 768)


def test_the_main_window_fits_the_laptop(text_size, main_window):
    assert LAPTOP.contains(main_window.frameGeometry())
    assert _outside(main_window) == []


@pytest.fixture(params=[100, 150], ids=["text 100%", "text 150%"])
def text_size(request, qapp):
    apply_text_size(request.param)
    QApplication.processEvents()
    yield request.param
    apply_text_size(100)
    QApplication.processEvents()


@pytest.mark.parametrize("name", ["error", "gaps", "finding", "signature", "amend", "audit", "print preview",
                                  "new visit", "settings", "import progress", "photo viewer"])
def test_each_dialog_fits_the_laptop_with_a_taskbar(qtbot, text_size, main_window, demo, runner, name):
    dialog = _dialogs(demo, runner, main_window)[name]()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    QApplication.processEvents()
    frame = dialog.frameGeometry()
    assert frame.width() <= LAPTOP.width() and frame.height() <= LAPTOP.height(), (name, frame)
    assert dialog.screen().availableGeometry().contains(frame), (name, frame)
    assert _outside(dialog) == [], name


def test_a_window_comes_back_where_it_was(qtbot, demo, runner, stub_checklist):
    from ui.main_window import MainWindow

    first = MainWindow(demo, runner, today=TODAY)
    qtbot.addWidget(first)
    first.show()
    qtbot.waitExposed(first)
    first.setGeometry(QRect(100, 80, 1000, 600))
    first.close()

    second = MainWindow(demo, runner, today=TODAY)
    qtbot.addWidget(second)
    assert second.geometry() == QRect(100, 80, 1000, 600)
    second.showMaximized()
    qtbot.waitUntil(second.isMaximized)
    second.close()

    third = MainWindow(demo, runner, today=TODAY)
    qtbot.addWidget(third)
    third.show()
    qtbot.waitExposed(third)
    assert third.isMaximized()
    third.showNormal()
    qtbot.waitUntil(lambda: not third.isMaximized())
    assert third.geometry() == QRect(100, 80, 1000, 600)  # the size it had before it was maximized


def test_a_remembered_window_is_clamped_to_the_screen_it_opens_on(qtbot, demo, runner, stub_checklist):
    from ui.main_window import MainWindow

    small = next(s for s in QGuiApplication.screens() if s.name() == "small")
    first = MainWindow(demo, runner, today=TODAY)
    qtbot.addWidget(first)
    first.show()
    qtbot.waitExposed(first)
    # Left on the small screen at the size it had on the laptop (e.g. the laptop was docked).
    first.setGeometry(QRect(small.geometry().x() + 600, 300, 1300, 720))
    first.close()

    second = MainWindow(demo, runner, today=TODAY)
    qtbot.addWidget(second)
    second.show()
    qtbot.waitExposed(second)
    assert second.screen() is small
    assert small.availableGeometry().contains(second.frameGeometry())


MNEMONIC = re.compile(r"&[^&\s]")


def _literal_ampersands(widget: QWidget) -> list[str]:
    """Labels showing "&x" as typed: a QLabel draws a mnemonic only when it has a buddy."""
    return [label.text() for label in widget.findChildren(QLabel)
            if label.isVisibleTo(widget) and label.buddy() is None
            and MNEMONIC.search(label.text().replace("&&", ""))]


@pytest.mark.parametrize("name", ["error", "gaps", "finding", "signature", "amend", "audit", "print preview",
                                  "new visit", "settings", "import progress", "photo viewer"])
def test_no_dialog_label_shows_a_literal_ampersand(qtbot, main_window, demo, runner, name):
    dialog = _dialogs(demo, runner, main_window)[name]()
    qtbot.addWidget(dialog)
    dialog.show()
    assert _literal_ampersands(dialog) == []


def test_no_view_label_shows_a_literal_ampersand(main_window):
    for index in range(4):
        main_window.show_page(index)
        assert _literal_ampersands(main_window) == [], index


def test_no_checklist_label_shows_a_literal_ampersand(qtbot, seeded):
    c = make_checklist(seeded)
    page = open_page(qtbot, c, c.school_visit)
    for code in ("A1.1", "A2.3", "X1"):
        page.go_to(c.school, code)
        assert _literal_ampersands(page) == [], code
