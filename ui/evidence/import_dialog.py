"""Imports in the background: a progress dialog with Cancel, then a per-file summary.

The import runs on one of the runner's file workers; the importer decodes and hashes on its own
worker threads and hands the database thread one short transaction per photo (``call_db``), so
an answer saved meanwhile is not held up and the UI thread only sees progress signals.
"""

from __future__ import annotations

from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from app.evidence import CancelToken, ImportProgress, ImportSummary
from app.evidence.importer import DbCall
from ui.tasks import Progress, Task, TaskRunner

SHOW_AFTER_MS = 400  # a quick import (one photo, a paste) finishes before the dialog would flash

# (progress callback, cancel token, database step runner) -> summary; runs on a file worker.
ImportWork = Callable[[Callable[[ImportProgress], None], CancelToken, DbCall], ImportSummary]


class ImportProgressDialog(QDialog):
    """Progress while importing; afterwards the counts and every file that was not imported."""

    cancelRequested = Signal()

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importProgress")
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        self.heading = QLabel(self.tr("Importing photos…"))
        self.heading.setObjectName("panelTitle")
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)  # busy until the first file reports how many there are
        self.file = QLabel()
        self.file.setObjectName("hint")
        self.file.setTextFormat(Qt.TextFormat.PlainText)
        self.counts = QLabel()
        self.counts.setTextFormat(Qt.TextFormat.PlainText)
        self.counts.hide()
        self.failures = QListWidget()
        self.failures.setObjectName("importFailures")
        self.failures.setWordWrap(True)
        self.failures.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.rejected.connect(self._cancel_or_close)
        box = QVBoxLayout(self)
        for w in (self.heading, self.bar, self.file, self.counts, self.failures):
            box.addWidget(w)
        box.addWidget(self.buttons)
        self.summary: ImportSummary | None = None
        self.cancelling = False

    def set_progress(self, done: int, total: int, name: str) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)
        self.file.setText(self.tr("{done} of {total}: {name}").format(done=done, total=total, name=name))

    def _cancel_or_close(self) -> None:
        if self.summary is not None:
            self.accept()
            return
        if not self.cancelling:
            self.cancelling = True
            self.heading.setText(self.tr("Cancelling: finishing the photos in progress…"))
            self.buttons.setEnabled(False)
            self.cancelRequested.emit()

    def reject(self) -> None:
        # Escape or the window's close box mean Cancel while importing; the import decides when
        # it has stopped, so the dialog stays until the summary arrives.
        self._cancel_or_close()

    def show_summary(self, summary: ImportSummary) -> None:
        self.summary = summary
        self.heading.setText(self.tr("Import cancelled") if summary.cancelled else self.tr("Import finished"))
        self.bar.setRange(0, max(len(summary.results), 1))
        self.bar.setValue(len(summary.results) - len(summary.skipped))
        self.file.hide()
        lines = [self.tr("%n photo(s) imported", "", len(summary.imported))]
        if summary.duplicates:
            lines.append(self.tr("%n photo(s) already in this visit, skipped", "", len(summary.duplicates)))
        if summary.failed:
            lines.append(self.tr("%n file(s) could not be imported:", "", len(summary.failed)))
        if summary.skipped:
            lines.append(self.tr("%n file(s) left out because the import was cancelled", "",
                                 len(summary.skipped)))
        self.counts.setText("\n".join(lines))
        self.counts.show()
        self.failures.clear()
        for result in summary.failed:
            self.failures.addItem(self.tr("{file}: {reason}").format(file=result.source, reason=result.message))
        self.failures.setVisible(bool(summary.failed))
        self.buttons.setStandardButtons(QDialogButtonBox.StandardButton.Close)
        self.buttons.setEnabled(True)
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setFocus()


class _JobToken(CancelToken):
    """Cancelled by the dialog's Cancel, or by the runner when the application quits."""

    def __init__(self) -> None:
        super().__init__()
        self.progress: Progress | None = None

    @property
    def cancelled(self) -> bool:
        return super().cancelled or (self.progress is not None and self.progress.cancelled)


class ImportJob(QObject):
    """One import through the runner, with its dialog. ``on_done`` gets the summary.

    The dialog appears only if the import is still running after a moment, and stays at the
    end only when there is something to read (a failure, a duplicate, a cancel).

    The job is a child of ``parent`` (the dialog's parent too), so Qt decides when it goes, and
    every connection targets its own slots: nothing but the parent keeps it alive. A job kept
    alive by a lambda on its dialog's timer used to be freed from inside the dialog's deletion,
    taking with it whatever its callbacks held (a parent widget, deleted a second time).
    """

    def __init__(self, runner: TaskRunner, work: ImportWork, *, title: str, parent: QWidget,
                 on_done: Callable[[ImportSummary], None], on_error: Callable[[BaseException], None]) -> None:
        super().__init__(parent)
        self.runner, self.token = runner, _JobToken()
        self.dialog = ImportProgressDialog(title, parent)
        self.dialog.cancelRequested.connect(self.cancel)
        self.finished = False
        self._on_done: Callable[[ImportSummary], None] | None = on_done
        self._on_error: Callable[[BaseException], None] | None = on_error
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        # Shown, not opened: a modal dialog would block the checklist for the whole import.
        self._timer.timeout.connect(self._show_late)
        runner.progressed.connect(self._progressed)
        token, call_db = self.token, runner.call_db

        def task(progress: Progress) -> ImportSummary:
            def report(p: ImportProgress) -> None:
                progress.report(p.done, p.total, p.name)
            token.progress = progress
            return work(report, token, call_db)
        self.task: Task | None = None
        self._timer.start(SHOW_AFTER_MS)
        self.task = runner.run(task, on_done=self._done, on_error=self._failed, io=True, label="import photos")

    @Slot()
    def cancel(self) -> None:
        self.token.cancel()
        if self.task is not None:
            self.task.cancel()

    def _alive(self) -> bool:
        # The page (the dialog's parent) may be gone before the import ends, e.g. at shutdown.
        return shiboken6.isValid(self) and shiboken6.isValid(self.dialog)

    @Slot()
    def _show_late(self) -> None:
        if not self.finished and self._alive():
            self.dialog.show()

    @Slot(int, int, int, str)
    def _progressed(self, task_id: int, done: int, total: int, text: str) -> None:
        if self.task is not None and task_id == self.task.id and self._alive():
            self.dialog.set_progress(done, total, text)

    def _finish(self) -> tuple[Callable[[ImportSummary], None] | None, Callable[[BaseException], None] | None]:
        """Mark the job finished and hand back its callbacks, which it no longer holds."""
        self.finished = True
        callbacks = self._on_done, self._on_error
        self._on_done = self._on_error = None
        if shiboken6.isValid(self):
            try:
                self.runner.progressed.disconnect(self._progressed)
            except (RuntimeError, TypeError):
                pass
            self._timer.stop()
        return callbacks

    def _done(self, summary: ImportSummary) -> None:
        on_done, _ = self._finish()
        if not self._alive():
            return  # the page is gone: the photos are saved, and nobody is left to tell
        self.dialog.show_summary(summary)
        if summary.failed or summary.duplicates or summary.cancelled:
            self.dialog.show()
        else:
            self.dialog.done(QDialog.DialogCode.Accepted)
            self.dialog.deleteLater()
        if on_done is not None:
            on_done(summary)

    def _failed(self, exc: BaseException) -> None:
        _, on_error = self._finish()
        if not self._alive():
            return
        self.dialog.done(QDialog.DialogCode.Rejected)
        self.dialog.deleteLater()
        if on_error is not None:
            on_error(exc)
