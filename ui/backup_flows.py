"""Backups in the desktop: File → Back up now and Restore from backup…, and the daily backup.

A restore replaces the database the window has open, so the profile is closed first and
Fieldmark starts again on the restored data (a copy from another installation takes its new
device id as it opens). The database in use is always kept as a backup before it is replaced.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QProcess
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from app.errors import FieldmarkError

logger = logging.getLogger("fieldmark")


def restart_app() -> None:
    """Start Fieldmark again with the same arguments, then quit this instance."""
    if getattr(sys, "frozen", False):
        program, args = sys.executable, sys.argv[1:]
    else:
        program, args = sys.executable, sys.orig_argv[1:]
    QProcess.startDetached(program, args)
    QApplication.quit()


class BackupActions(QObject):
    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        # The daily backup waits for the window's first data: the profile is open by then.
        window.ready.connect(self.daily)

    def actions(self) -> list[QAction]:
        self.backup_action = QAction(self.tr("&Back up now"), self.window)
        self.backup_action.triggered.connect(self.back_up)
        self.restore_action = QAction(self.tr("&Restore from backup…"), self.window)
        self.restore_action.triggered.connect(self.choose_restore)
        return [self.backup_action, self.restore_action]

    # --- backup ----------------------------------------------------------------------------

    def daily(self) -> None:
        profile = self.window.profile
        if profile is None:
            return
        from app.backups import daily_backup

        # Quietly, but never silently lost: a failed daily backup is logged for support staff.
        self.window.runner.run(lambda: daily_backup(profile.root, profile.db.conn),
                               on_error=lambda exc: logger.warning("daily backup: %s", exc))

    def back_up(self) -> None:
        profile = self.window.profile
        if profile is None:
            return
        from app.backups import make_backup

        self.window.runner.run(lambda: make_backup(profile.root, profile.db.conn),
                               on_done=self._backed_up, on_error=self.window.show_error,
                               label=self.tr("Backing up…"))

    def _backed_up(self, path: Path) -> None:
        QMessageBox.information(self.window, self.tr("Back up now"),
                                self.tr("The data was backed up to {file}.").format(file=path))

    # --- restore ---------------------------------------------------------------------------

    def choose_restore(self) -> None:
        profile = self.window.profile
        if profile is None:
            return
        from app.backups import backup_dir

        name, _ = QFileDialog.getOpenFileName(self.window, self.tr("Restore from backup"),
                                              str(backup_dir(profile.root)),
                                              self.tr("Fieldmark backups (*.sqlite3)"))
        if name:
            self.restore_from(Path(name))

    def confirm(self, file: Path, folder: Path) -> bool:
        answer = QMessageBox.question(
            self.window, self.tr("Restore from backup"),
            self.tr("Replace the data in use with {file}?\n\nThe current data is kept as a backup in "
                    "{folder}, so this can be undone. Fieldmark restarts on the restored data.").format(
                file=file, folder=folder))
        return answer == QMessageBox.StandardButton.Yes

    def restore_from(self, file: Path) -> None:
        from app.backups import backup_dir, check_restorable

        profile = self.window.profile
        try:
            check_restorable(file)  # a wrong file is refused before anything is closed
        except FieldmarkError as exc:
            self.window.show_error(exc)
            return
        if not self.confirm(file, backup_dir(profile.root)):
            return
        runner = self.window.runner
        runner.wait_idle()  # every save in flight reaches the database first
        runner.deliver_pending()
        if runner.busy:
            # A sync, bundle or free-space task has its own handle on the database: the file
            # must not be replaced under it.
            QMessageBox.warning(self.window, self.tr("Restore from backup"),
                                self.tr("Fieldmark is still syncing or working in the background. Wait until "
                                        "it has finished, then restore again. Nothing was changed."))
            return
        runner.run(lambda: self._restore_on_db_thread(profile, file),
                               on_done=self._restored, on_error=self._restore_failed,
                               label=self.tr("Restoring…"))

    @staticmethod
    def _restore_on_db_thread(profile: Any, file: Path) -> Path | None:
        from app.backups import restore

        root = profile.root
        profile.close()  # the restore takes the profile's lock and replaces its file
        return restore(root, file)

    def _restored(self, kept: Path | None) -> None:
        text = self.tr("The backup was restored. Fieldmark starts again now.")
        if kept is not None:
            text += "\n\n" + self.tr("The data it replaced is kept as {file}.").format(file=kept)
        QMessageBox.information(self.window, self.tr("Restore from backup"), text)
        restart_app()

    def _restore_failed(self, exc: BaseException) -> None:
        # The profile was closed for the restore: start again so it opens (unchanged) once more.
        self.window.show_error(exc)
        QMessageBox.information(self.window, self.tr("Restore from backup"),
                                self.tr("Nothing was replaced. Fieldmark starts again to reopen your data."))
        restart_app()


def backup_actions(window: Any) -> list[QAction]:
    """The File menu's backup entries for ``window`` (the main window)."""
    work = BackupActions(window)
    window.backup_flows = work
    return work.actions()


class DiagnosticsAction(QObject):
    """Help → Save diagnostics…: a zip for the office's support staff (no secret, no photo)."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window

    def action(self) -> QAction:
        action = QAction(self.tr("Save &diagnostics…"), self.window)
        action.triggered.connect(self.choose)
        return action

    def choose(self) -> None:
        if self.window.profile is None:
            return
        name, _ = QFileDialog.getSaveFileName(self.window, self.tr("Save diagnostics"), "fieldmark-diagnostics.zip",
                                              self.tr("Zip files (*.zip)"))
        if name:
            self.save_to(Path(name if name.lower().endswith(".zip") else name + ".zip"))

    def save_to(self, out: Path) -> None:
        from PySide6 import __version__ as pyside_version
        from PySide6.QtCore import qVersion

        from app.diagnostics import write_diagnostics

        profile = self.window.profile
        extra = {"qt": qVersion(), "pyside6_runtime": pyside_version}
        self.window.runner.run(lambda: write_diagnostics(profile, out, extra_versions=extra),
                               on_done=self._saved, on_error=self.window.show_error,
                               label=self.tr("Saving diagnostics…"))

    def _saved(self, out: Path) -> None:
        QMessageBox.information(
            self.window, self.tr("Save diagnostics"),
            self.tr("Diagnostics saved to {file}. It holds no password and no photo; send it to your "
                    "office's support staff.").format(file=out))


def diagnostics_action(window: Any) -> QAction:
    work = DiagnosticsAction(window)
    window.diagnostics_flow = work
    return work.action()
