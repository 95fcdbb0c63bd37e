"""Sync → Free up space…: remove the photo originals the server holds, after saying how many and
how many MB (app/sync/offload.py decides which may go).

The server is asked on a file-pool thread over a second handle on the profile, as a sync is, so
the window stays usable; nothing is removed before the inspector agrees.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox

from ui.tasks import TaskRunner

if TYPE_CHECKING:
    from app.sync.offload import FreeSpace


def megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f}"


class FreeSpaceAction(QObject):
    """The menu entry's work; ``finished`` carries what was removed (None when nothing was)."""

    finished = Signal(object)

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.retry: Any = None  # tests shorten the waits between tries

    def action(self) -> QAction:
        entry = QAction(self.tr("Free &up space…"), self.window)
        entry.setStatusTip(self.tr("Remove from this laptop the photo originals of finalized visits that the "
                                   "server holds; their thumbnails stay"))
        entry.triggered.connect(self.start)
        return entry

    @property
    def runner(self) -> TaskRunner:
        runner: TaskRunner = self.window.runner
        return runner

    def start(self) -> None:
        from app.sync.offload import client_for, plan
        from app.sync.status import open_for_sync

        profile = self.window.profile
        if profile is None:
            return
        retry = self.retry

        def work() -> FreeSpace:
            handle = open_for_sync(profile)
            try:
                with client_for(handle, retry=retry) as client:
                    return plan(handle, client)
            finally:
                handle.close()

        self.runner.run(work, on_done=self._planned, on_error=self._refused, io=True, label="free space")

    def _planned(self, found: FreeSpace) -> None:
        lacking = (self.tr("Photos kept because the server does not hold them yet: {count}. Sync first.").format(
            count=len(found.server_lacks)) if found.server_lacks else "")
        if not found.held:
            text = self.tr("Nothing to remove: no photo of a finalized, synced visit is held only here.")
            self.information("\n".join(t for t in (text, lacking) if t))
            self.finished.emit(None)
            return
        text = "\n\n".join(t for t in (
            self.tr("Photo originals of finalized visits that the server holds: {count} ({mb} MB). They can be "
                    "removed from this laptop.").format(count=len(found.held), mb=megabytes(found.bytes_held)),
            self.tr("Thumbnails stay, so the visits still show their photos; an original comes back from the "
                    "server when you open it or print it."),
            lacking,
            self.tr("Remove them now?")) if t)
        if not self.confirm(text):
            self.finished.emit(None)
            return
        self._remove(found)

    def _remove(self, found: FreeSpace) -> None:
        from app.sync.offload import remove
        from app.sync.status import open_for_sync

        profile = self.window.profile

        def work() -> FreeSpace:
            handle = open_for_sync(profile)
            try:
                return remove(handle, found)
            finally:
                handle.close()

        self.runner.run(work, on_done=self._removed, on_error=self._refused, io=True, label="free space")

    def _removed(self, found: FreeSpace) -> None:
        lines = [self.tr("Photo originals removed: {count}, {mb} MB freed.").format(
            count=len(found.removed), mb=megabytes(found.bytes_removed))]
        if found.failed:
            lines.append(self.tr("Photos that could not be removed and stay on this laptop: {count}").format(
                count=len(found.failed)))
            lines += found.failed[:5]
        self.information("\n".join(lines))
        self.finished.emit(found)

    def _refused(self, exc: BaseException) -> None:
        if not isinstance(exc, Exception):
            raise exc
        QMessageBox.warning(self.window, self.tr("Free up space"),
                            self.tr("Nothing was removed: {error}").format(error=exc))
        self.finished.emit(None)

    # The two questions, apart so a test can answer them.
    def confirm(self, text: str) -> bool:
        answer = QMessageBox.question(self.window, self.tr("Free up space"), text,
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def information(self, text: str) -> None:
        QMessageBox.information(self.window, self.tr("Free up space"), text)
