"""Unexpected errors: a bug must be seen, logged and survived, never lost on stderr.

``install`` makes every uncaught exception (in a slot, a callback, a worker thread) go to
``report_unexpected``: it is written with its traceback to the rotating log file and shown in
a dialog that says what failed and offers "Copy details" for support. The profile stays
consistent because each user action is one transaction: the one that raised was rolled back.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from types import TracebackType

from PySide6.QtCore import QObject, QSize, Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.logs import log_file, logger, setup_logging
from ui.widgets.geometry import place_window


def details_of(exc: BaseException) -> str:
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))


def summary_of(exc: BaseException) -> str:
    text = str(exc).strip()
    name = type(exc).__name__
    return f"{name}: {text}" if text else name


class ErrorDialog(QDialog):
    """What failed in one line, the details below, and a button that copies them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Fieldmark: something went wrong"))
        self.count = 0
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setObjectName("errorMessage")
        self.where = QLabel()
        self.where.setWordWrap(True)
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setMinimumHeight(160)
        self.copy_button = QPushButton(self.tr("&Copy details"))
        self.copy_button.clicked.connect(self.copy_details)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addWidget(self.message)
        box.addWidget(self.where)
        box.addWidget(self.details, 1)
        box.addWidget(buttons)
        place_window(self, "ErrorDialog", QSize(620, 380))

    def add(self, exc: BaseException, details: str) -> None:
        self.count += 1
        if self.count == 1:
            text = self.tr("An unexpected error stopped the last action: {error}").format(error=summary_of(exc))
        else:
            text = self.tr("%n unexpected error(s) stopped the last actions. The latest: {error}", "",
                           self.count).format(error=summary_of(exc))
        self.message.setText(text + "\n" + self.tr(
            "What was saved before is safe; the action that failed left nothing half-done."))
        path = log_file()
        self.where.setText(self.tr("The details are in the log file {path}.").format(path=path) if path
                           else self.tr("The log file could not be written; copy the details below."))
        separator = "\n" + "-" * 60 + "\n" if self.details.toPlainText() else ""
        self.details.setPlainText(self.details.toPlainText() + separator + details)

    def copy_details(self) -> None:
        QApplication.clipboard().setText(self.details.toPlainText())
        self.copy_button.setText(self.tr("Copied"))


class ErrorReporter(QObject):
    """Logs at once (any thread) and shows the dialog on the UI thread; one dialog at a time."""

    _show = Signal(object, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.dialog: ErrorDialog | None = None
        self._show.connect(self._on_show)

    def report(self, exc: BaseException) -> None:
        details = details_of(exc)
        logger.error("unexpected error: %s\n%s", summary_of(exc), details.rstrip())
        self._show.emit(exc, details)

    def _on_show(self, exc: BaseException, details: str) -> None:
        if self.dialog is None:
            parent = QApplication.activeWindow()
            self.dialog = ErrorDialog(parent)
            self.dialog.finished.connect(self._closed)
        self.dialog.add(exc, details)
        self.dialog.show()
        self.dialog.raise_()

    def _closed(self) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
            self.dialog = None


_reporter: ErrorReporter | None = None


def report_unexpected(exc: BaseException) -> None:
    """Log ``exc`` and show it; before ``install`` (some tests) it goes to the log and stderr."""
    if _reporter is not None:
        _reporter.report(exc)
    else:
        logger.error("unexpected error: %s\n%s", summary_of(exc), details_of(exc).rstrip())
        print(details_of(exc), file=sys.stderr)


def _excepthook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, exc, tb)
        return
    if exc.__traceback__ is None:
        exc = exc.with_traceback(tb)
    report_unexpected(exc)


def _thread_hook(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is not None:
        report_unexpected(args.exc_value)


def install(app: QApplication) -> ErrorReporter:
    """Route every uncaught exception to the log file and the error dialog."""
    global _reporter
    if log_file() is None:
        setup_logging()
    _reporter = ErrorReporter(app)
    sys.excepthook = _excepthook
    threading.excepthook = _thread_hook
    logging.captureWarnings(True)
    return _reporter


def uninstall() -> None:
    global _reporter
    sys.excepthook = sys.__excepthook__
    threading.excepthook = threading.__excepthook__
    if _reporter is not None:
        if _reporter.dialog is not None:
            _reporter.dialog.close()
        _reporter.deleteLater()
    _reporter = None
