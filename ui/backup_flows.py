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
        self.window.runner.wait_idle()  # every save in flight reaches the database first
        self.window.runner.run(lambda: self._restore_on_db_thread(profile, file),
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
