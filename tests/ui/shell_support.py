"""Fixtures for the desktop shell tests: a demo profile, a window, and a stand-in checklist page.

The shell tests use a stand-in for the checklist page so they check the window's side of the
contract (open_visit, visitChanged, closeRequested) whatever state the real page is in; one
test embeds the real page when it can be imported.
"""

from __future__ import annotations

import shutil
import sys
import types
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from app.demo import build_demo
from app.profile import Profile
from ui.tasks import SyncTaskRunner

TODAY = date(2026, 11, 24)


class StubChecklistPage(QWidget):
    """The checklist page's contract, recording what the window asked of it."""

    visitChanged = Signal(str)
    closeRequested = Signal()

    def __init__(self, profile: Profile, runner: object, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.profile = profile
        self.opened: list[tuple[str, str | None, str | None]] = []

    def open_visit(self, visit_id: str, rubric_hash: str | None = None, item_code: str | None = None) -> None:
        self.opened.append((visit_id, rubric_hash, item_code))

    def flush(self) -> None:
        pass

    def unsaved(self) -> tuple[int, BaseException | None]:
        return 0, None


@pytest.fixture(scope="session")
def demo_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo") / "profile"
    with Profile.open(root) as profile:
        build_demo(profile, today=TODAY)
    return root


@pytest.fixture
def demo_dir(demo_source: Path, tmp_path: Path) -> Path:
    root = tmp_path / "demo"
    shutil.copytree(demo_source, root, ignore=shutil.ignore_patterns(".lock"))
    return root


@pytest.fixture
def demo(demo_dir: Path):
    profile = Profile.open(demo_dir)
    yield profile
    profile.close()


@pytest.fixture
def runner() -> SyncTaskRunner:
    return SyncTaskRunner()


@pytest.fixture
def stub_checklist(monkeypatch: pytest.MonkeyPatch) -> type[StubChecklistPage]:
    module = types.ModuleType("ui.checklist.checklist_page")
    module.ChecklistPage = StubChecklistPage  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "ui.checklist.checklist_page", module)
    return StubChecklistPage


@pytest.fixture
def window(qtbot, demo: Profile, runner: SyncTaskRunner, stub_checklist):
    from ui.main_window import MainWindow

    win = MainWindow(demo, runner, today=TODAY)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win
