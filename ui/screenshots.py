"""Screenshots of the real application window, for the README and for reviewing the UI.

``make screenshots`` runs this module. It builds a demo profile in a temporary folder, starts
an Xvfb display at 1366×768 (a typical inspector laptop), and for each language runs the real
app on Qt's xcb platform, showing each main screen and capturing the window from the screen:

    python -m ui.screenshots --out docs/screenshots [--lang zh_CN en]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

TODAY = date(2026, 11, 24)
SIZE = (1366, 768)
LANGUAGES = ("zh_CN", "en")


def _wait(app, runner, seconds: float = 0.6) -> None:  # noqa: ANN001 - Qt objects
    """Let queued database work finish and the window repaint."""
    deadline = time.monotonic() + 10
    while runner.busy and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def capture(data_dir: Path, lang: str, out: Path) -> list[Path]:
    """Run inside a display: show each screen of the real window and save it as PNG."""
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from app.profile import Profile
    from app.visits import VisitFilter, list_visits
    from ui.app import Translations, locale_for, register_cjk_font
    from ui.main_window import MainWindow
    from ui.tasks import TaskRunner

    # Remembered window sizes of earlier runs (or of the user's own) must not change the shots.
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(data_dir.parent / "qt-settings"))
    app = QApplication.instance() or QApplication(["fieldmark"])
    register_cjk_font()
    Translations(app).install(locale_for(lang))
    runner = TaskRunner()
    profile = Profile.open(data_dir)
    window = MainWindow(profile, runner, today=TODAY)
    window.resize(*SIZE)
    window.move(0, 0)
    window.show()
    window.raise_()
    window.activateWindow()
    _wait(app, runner, 1.0)
    saved: list[Path] = []

    def shot(name: str) -> None:
        _wait(app, runner)
        path = out / f"{name}-{lang}.png"
        window.screen().grabWindow(0, 0, 0, *SIZE).save(str(path))
        saved.append(path)

    for index, name in enumerate(("today", "visits", "units", "rubrics")):
        window.show_page(index)
        if name == "units":
            _wait(app, runner)
            _select_first_unit(window, profile)
        if name == "rubrics":
            _select_first_rubric(window)
        shot(name)
    open_visits = list_visits(profile, VisitFilter(status="in_progress"), limit=20)
    # A school's standardized acceptance: the demo's fullest checklist.
    visit = next((v for v in open_visits if v.unit_name == "大坝初级中学"), open_visits[0])
    window.open_visit(visit.id)
    shot("checklist")
    _show_finding_dialog(window, lang)
    shot("finding")
    if window.checklist_page().dialog is not None:
        window.checklist_page().dialog.reject()
    finalized = list_visits(profile, VisitFilter(status="finalized"), limit=1)[0]
    window.open_visit(finalized.id)
    window.print_visit("feedback")
    _wait(app, runner, 2.0)
    dialog = window.print_dialog
    if dialog is not None:
        dialog.raise_()  # at the size it opens with: it must fit the screen by itself
        shot("print-preview")
        dialog.close()
    window.close()
    runner.wait_idle()
    profile.close()
    saved.append(_capture_welcome(app, data_dir.parent / f"empty-{lang}", lang, out))
    return saved


def _capture_welcome(app, root: Path, lang: str, out: Path) -> Path:  # noqa: ANN001 - Qt objects
    """The first run: the window on a profile with nothing in it yet."""
    from app.profile import Profile
    from ui.app import app_icon
    from ui.main_window import MainWindow
    from ui.tasks import TaskRunner

    app.setWindowIcon(app_icon())
    runner = TaskRunner()
    profile = Profile.open(root)
    window = MainWindow(profile, runner, today=TODAY)
    window.resize(*SIZE)
    window.move(0, 0)
    window.show()
    window.raise_()
    window.activateWindow()
    _wait(app, runner, 1.0)
    path = out / f"welcome-{lang}.png"
    window.screen().grabWindow(0, 0, 0, *SIZE).save(str(path))
    window.close()
    runner.wait_idle()
    runner.shutdown()
    profile.close()
    return path


def _show_finding_dialog(window, lang: str) -> None:  # noqa: ANN001
    """A finding being written about the item on screen, linked to it by the inspector."""
    page = window.checklist_page()
    if page.data is not None:  # an item a crack in a wall is about, when the rubric has it
        for rubric_hash, rubric in page.data.rubrics.items():
            if "A2.4" in rubric.items:
                page.go_to(rubric_hash, "A2.4")
    page.finding_flows.add_finding()
    dialog = page.dialog
    if dialog is None:
        return
    dialog.description.setPlainText("部分教室墙面开裂，未见安全鉴定报告" if lang == "zh_CN"
                                    else "Cracks in two classroom walls; no safety appraisal report on file")
    dialog.item.setCurrentIndex(min(1, dialog.item.count() - 1))
    dialog.requirement.setPlainText("一个月内完成安全鉴定，鉴定前停用相关教室" if lang == "zh_CN"
                                    else "Have the rooms appraised within a month; close them until then")
    dialog.responsible.setText("总务处" if lang == "zh_CN" else "Facilities office")


def _select_first_unit(window, profile) -> None:  # noqa: ANN001
    """Show the unit page of the demo's first school, which has visits, a trend and findings."""
    from app.units import search_units

    unit = search_units(profile, "均州路中心小学", limit=1)[0]
    window.units_page.show_unit(unit.id, "湖北省 › 十堰市 › 丹江口市 › 均州路街道")


def _select_first_rubric(window) -> None:  # noqa: ANN001
    from PySide6.QtWidgets import QAbstractItemView

    view = window.rubrics_page.findChild(QAbstractItemView)
    if view is not None and view.model() is not None and view.model().rowCount() > 0:
        view.setCurrentIndex(view.model().index(0, 0))


def _start_display() -> tuple[subprocess.Popen, str]:
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        raise SystemExit("Xvfb is not installed (Debian: apt-get install xvfb); `make screenshots` installs it as root")
    read, write = os.pipe()
    proc = subprocess.Popen([xvfb, "-displayfd", str(write), "-screen", "0", f"{SIZE[0]}x{SIZE[1]}x24", "-nolisten", "tcp"],
                            pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as fh:
        number = fh.readline().strip()
    if not number:
        proc.kill()
        raise SystemExit("Xvfb did not start")
    return proc, f":{number}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--lang", nargs="+", default=list(LANGUAGES))
    parser.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.data_dir is not None:  # the child: one language, inside the display
        for path in capture(args.data_dir, args.lang[0], args.out):
            print(path)
        return 0
    from app.demo import build_demo
    from app.profile import Profile

    with tempfile.TemporaryDirectory(prefix="fieldmark-screens-") as tmp:
        data = Path(tmp) / "profile"
        with Profile.open(data) as profile:
            build_demo(profile, today=TODAY)
        display, name = _start_display()
        try:
            env = {**os.environ, "DISPLAY": name, "QT_QPA_PLATFORM": "xcb"}
            for lang in args.lang:
                subprocess.run([sys.executable, "-m", "ui.screenshots", "--data-dir", str(data), "--lang", lang,
                                "--out", str(args.out)], env=env, check=True)
        finally:
            display.terminate()
            display.wait(timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
