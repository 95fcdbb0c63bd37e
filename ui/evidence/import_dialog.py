"""Imports in the background: a progress dialog with Cancel, then a per-file summary.

The import runs on the runner's database thread, because it writes one row per photo through
the profile's single connection; the importer decodes and hashes on its own worker threads, so
the UI thread only sees progress signals and stays responsive.
"""

from __future__ import annotations

from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
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
from ui.tasks import Progress, Task, TaskRunner

SHOW_AFTER_MS = 400  # a quick import (one photo, a paste) finishes before the dialog would flash

ImportWork = Callable[[Callable[[ImportProgress], None], CancelToken], ImportSummary]


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


def summary_text(summary: ImportSummary) -> str:
    """One line for a status label: what the import did, without opening anything."""
    n = len(summary.imported)
    if summary.failed:
        return QCoreApplication.translate("ImportProgressDialog",
                                          "%n photo(s) attached, some files could not be imported", "", n)
    if summary.duplicates:
        return QCoreApplication.translate("ImportProgressDialog",
                                          "%n photo(s) attached, the others were already in this visit", "", n)
    return QCoreApplication.translate("ImportProgressDialog", "%n photo(s) attached", "", n)


class ImportJob:
    """One import through the runner, with its dialog. ``on_done`` gets the summary.

    The dialog appears only if the import is still running after a moment, and stays at the
    end only when there is something to read (a failure, a duplicate, a cancel).
    """

    def __init__(self, runner: TaskRunner, work: ImportWork, *, title: str, parent: QWidget,
                 on_done: Callable[[ImportSummary], None], on_error: Callable[[BaseException], None]) -> None:
        self.runner, self.token = runner, CancelToken()
        self.dialog = ImportProgressDialog(title, parent)
        self.dialog.cancelRequested.connect(self.cancel)
        self.finished = False
        self._on_done, self._on_error = on_done, on_error
        self._timer = QTimer(self.dialog)
        self._timer.setSingleShot(True)
        # Shown, not opened: a modal dialog would block the checklist for the whole import.
        self._timer.timeout.connect(lambda: self.finished or self.dialog.show())
        runner.progressed.connect(self._progressed)
        token = self.token

        def task(progress: Progress) -> ImportSummary:
            def report(p: ImportProgress) -> None:
                progress.report(p.done, p.total, p.name)
            return work(report, token)
        self.task: Task | None = None
        self._timer.start(SHOW_AFTER_MS)
        self.task = runner.run(task, on_done=self._done, on_error=self._failed, label="import photos")

    def cancel(self) -> None:
        self.token.cancel()
        if self.task is not None:
            self.task.cancel()

    def _alive(self) -> bool:
        # The page (the dialog's parent) may be gone before the import ends, e.g. at shutdown.
        return shiboken6.isValid(self.dialog)

    def _progressed(self, task_id: int, done: int, total: int, text: str) -> None:
        if self.task is not None and task_id == self.task.id and self._alive():
            self.dialog.set_progress(done, total, text)

    def _finish(self) -> None:
        self.finished = True
        try:
            self.runner.progressed.disconnect(self._progressed)
        except (RuntimeError, TypeError):
            pass
        if self._alive():
            self._timer.stop()

    def _done(self, summary: ImportSummary) -> None:
        self._finish()
        if self._alive():
            self.dialog.show_summary(summary)
            if summary.failed or summary.duplicates or summary.cancelled:
                self.dialog.show()
            else:
                self.dialog.done(QDialog.DialogCode.Accepted)
                self.dialog.deleteLater()
        self._on_done(summary)

    def _failed(self, exc: BaseException) -> None:
        self._finish()
        if self._alive():
            self.dialog.done(QDialog.DialogCode.Rejected)
            self.dialog.deleteLater()
        self._on_error(exc)
