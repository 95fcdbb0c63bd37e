"""Starting the desktop application: fonts, translations, the profile and the main window.

The profile is opened through the task runner like every other disk access, so the start-up
sequence is asynchronous: QApplication → open the profile (and read the language setting and
the last position) on the database thread → install the translations → show the main window →
reopen the visit the inspector was in.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from PySide6.QtCore import (
    QCoreApplication,
    QLibraryInfo,
    QLocale,
    QObject,
    QTimer,
    QTranslator,
    Signal,
)
from PySide6.QtGui import QFont, QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from app.errors import ProfileError
from app.paths import language_hint, resolve_data_dir
from ui.tasks import TaskRunner
from ui.widgets.text_size import apply_text_size

if TYPE_CHECKING:
    # Loaded on the database thread when the profile opens, after the window is on screen.
    from app.profile import Profile
    from app.session import Position
    from ui.main_window import MainWindow

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
FONT_FILE = RESOURCES / "fonts" / "wqy-microhei.ttc"
TRANSLATIONS = RESOURCES / "translations"
ICONS = RESOURCES / "icons"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def app_icon() -> QIcon:
    """Fieldmark's icon at every rendered size, so each place (title bar, task bar) gets a sharp one."""
    icon = QIcon()
    for size in ICON_SIZES:
        path = ICONS / f"fieldmark-{size}.png"
        if path.exists():
            icon.addFile(str(path))
    return icon


def register_cjk_font() -> str | None:
    """Register the bundled CJK font and make it the fallback for Chinese text.

    Without this a laptop with no CJK system font shows boxes for every Chinese character.
    Returns the registered family, or None when the font file is missing.
    """
    font_id = QFontDatabase.addApplicationFont(str(FONT_FILE))
    if font_id < 0:
        return None
    families = QFontDatabase.applicationFontFamilies(font_id)
    if not families:
        return None
    family = families[0]
    # PySide6 has no per-script fallback call (Qt's takes a QChar::Script, which is not bound),
    # so the family goes on the default font's family list, and becomes the substitute of the
    # platform's UI families: text in any widget font then falls back to it for CJK glyphs.
    font = QApplication.font()
    if family not in font.families():
        font.setFamilies([*font.families(), family])
        QApplication.setFont(font)
    general = QFontDatabase.systemFont(QFontDatabase.SystemFont.GeneralFont).family()
    for name in {general, font.family(), "Sans Serif", "Segoe UI", "Helvetica", ".AppleSystemUIFont"}:
        if family not in QFont.substitutes(name):
            QFont.insertSubstitution(name, family)
    return family


def locale_for(language: str) -> QLocale:
    """The locale the ``language`` setting asks for: "system", "zh_CN" or "en"."""
    if language == "zh_CN":
        return QLocale(QLocale.Language.Chinese, QLocale.Script.SimplifiedChineseScript, QLocale.Country.China)
    if language == "en":
        return QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
    return QLocale.system()


class Translations:
    """The installed translators; replacing the language removes the old ones first."""

    def __init__(self, app: QCoreApplication) -> None:
        self._app = app
        self._installed: list[QTranslator] = []
        self.locale = QLocale.system()

    def install(self, locale: QLocale) -> bool:
        """Install Fieldmark's and Qt's own translations for ``locale``; True if Fieldmark's loaded."""
        for translator in self._installed:
            self._app.removeTranslator(translator)
        self._installed.clear()
        QLocale.setDefault(locale)
        self.locale = locale
        ours = QTranslator(self._app)
        loaded = ours.load(locale, "fieldmark", "_", str(TRANSLATIONS))
        if loaded:
            self._app.installTranslator(ours)
            self._installed.append(ours)
        qt = QTranslator(self._app)
        if qt.load(locale, "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
            self._app.installTranslator(qt)
            self._installed.append(qt)
        return loaded


class Opened(NamedTuple):
    profile: Profile
    language: str
    position: Position | None
    text_size: int = 100


def open_profile(root: Path) -> Opened:
    """Runs on the database thread: open the profile and read what start-up needs from it."""
    from app.profile import Profile
    from app.session import last_position
    from app.settings import get_setting, remember_language_hint

    profile = Profile.open(root)
    remember_language_hint(profile)
    return Opened(profile, str(get_setting(profile, "language")), last_position(profile),
                  int(get_setting(profile, "text_size")))  # type: ignore[call-overload]


def profile_error_box(root: Path, exc: BaseException, parent: QWidget | None = None) -> QMessageBox:
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle(QCoreApplication.translate("Startup", "Fieldmark cannot start"))
    box.setText(QCoreApplication.translate("Startup", "The data folder {folder} cannot be opened.").format(
        folder=root))
    if "already open" in str(exc):
        # The lock of a second instance: the most common case deserves plain words.
        info = QCoreApplication.translate(
            "Startup", "Fieldmark is already running with this data folder. Switch to that window, "
            "or close it first and start Fieldmark again.")
    else:
        info = QCoreApplication.translate("Startup", "Check that the folder exists and can be written, "
                                          "or choose another one with --data-dir.")
    box.setInformativeText(info)
    box.setDetailedText(str(exc))
    box.setStandardButtons(QMessageBox.StandardButton.Close)
    return box


class Startup(QObject):
    """Drives the asynchronous start and owns what lives as long as the application.

    The window is shown first, then the profile opens on the database thread and the window
    fills in: the inspector sees Fieldmark at once, whatever the size of the profile.
    """

    # The window is on screen and answers input (the profile may still be opening).
    interactive = Signal()
    # The window shows its first data: Today's lists and the sync status.
    ready = Signal()
    failed = Signal(int)

    def __init__(self, app: QApplication, root: Path, runner: TaskRunner, *, today: date | None = None) -> None:
        super().__init__(app)
        self.app = app
        self.root = root
        self.runner = runner
        self.today = today
        self.translations = Translations(app)
        self.profile: Profile | None = None
        self.window: MainWindow | None = None
        self.error_box: QMessageBox | None = None
        self.language = "system"

    def start(self) -> None:
        from ui.main_window import MainWindow

        # The language comes from a copy beside the database, so the window can be built in
        # the right language before the database is open.
        self.language = language_hint(self.root)
        self.translations.install(locale_for(self.language))
        self.window = MainWindow(None, self.runner, today=self.today)
        self.window.ready.connect(self.ready)
        self.window.show()
        QTimer.singleShot(0, self._open)

    def _open(self) -> None:
        self.interactive.emit()
        self.runner.run(lambda: open_profile(self.root), on_done=self._opened, on_error=self._failed,
                        label="open profile")

    def _opened(self, opened: Opened) -> None:
        from ui.main_window import MainWindow

        self.profile = opened.profile
        window = self.window
        assert window is not None
        if opened.language != self.language:
            # The setting changed since the hint was written: rebuild in the right language.
            self.language = opened.language
            self.translations.install(locale_for(opened.language))
            old, window = window, MainWindow(None, self.runner, today=self.today)
            window.ready.connect(self.ready)
            window.setGeometry(old.geometry())
            window.show()
            old.hide()
            old.deleteLater()
            self.window = window
        if opened.text_size != 100:
            apply_text_size(opened.text_size)
        window.attach_profile(opened.profile)
        if opened.position is not None:
            window.resume(opened.position)

    def _failed(self, exc: BaseException) -> None:
        if not isinstance(exc, ProfileError):
            raise exc
        # No profile, no workspace: the empty window goes and the message says why.
        if self.window is not None:
            self.window.hide()
            self.window.deleteLater()
            self.window = None
        self.error_box = profile_error_box(self.root, exc)
        self.error_box.exec()
        self.failed.emit(1)

    def shutdown(self) -> None:
        """Finish queued writes, close the profile on its own thread, stop the workers."""
        # An import or a PDF build stops first: its last steps still reach the open database.
        self.runner.stop_background()
        if self.profile is not None:
            profile, self.profile = self.profile, None
            self.runner.run(profile.close, label="close profile")
        self.runner.wait_idle()
        self.runner.shutdown()


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="fieldmark", description="Fieldmark desktop")
    parser.add_argument("--data-dir", metavar="DIR", help="profile folder")
    # For the start-up benchmark: quit as soon as the window is interactive, printing the time.
    parser.add_argument("--exit-when-ready", action="store_true", help=argparse.SUPPRESS)
    args, _qt = parser.parse_known_args(list(argv))
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Start the desktop application; returns the process exit code."""
    started = time.perf_counter()
    args = parse_args(sys.argv[1:] if argv is None else argv)
    QCoreApplication.setOrganizationName("Fieldmark")
    QCoreApplication.setApplicationName("Fieldmark")
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "fieldmark"])
    assert isinstance(app, QApplication)
    from ui import error_report

    error_report.install(app)
    app.setWindowIcon(app_icon())
    register_cjk_font()
    runner = TaskRunner()
    startup = Startup(app, resolve_data_dir(args.data_dir), runner)
    startup.failed.connect(app.exit)
    app.aboutToQuit.connect(startup.shutdown)
    if args.exit_when_ready:
        def report() -> None:
            print(f"ready {(time.perf_counter() - started) * 1000:.1f} ms", flush=True)
            QTimer.singleShot(0, app.quit)

        startup.interactive.connect(
            lambda: print(f"interactive {(time.perf_counter() - started) * 1000:.1f} ms", flush=True))
        startup.ready.connect(report)
    startup.start()
    return int(app.exec())


if __name__ == "__main__":
    raise SystemExit(main())
