"""The one task runner: database, disk and network work happen off the UI thread.

One single-thread executor owns the profile's database connection, so every database call is
serialised in order; a small pool does file and network work. Results and errors come back to
the UI thread through a queued Qt signal, so callbacks may touch widgets.

Usage::

    runner.run(lambda: answer_item(profile, vid, ...), on_done=self.refresh, on_error=self.show_error)
    task = runner.run(import_photos, on_done=..., progress=True)   # fn receives a Progress
    task.cancel()

Tests use ``SyncTaskRunner``, which runs each task at once on the calling thread.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot


class Cancelled(Exception):
    """Raised inside a task by ``Progress.check()`` after the user cancelled it."""


# Plain classes, not dataclasses: this module loads before the first window is shown, and
# dataclasses (with inspect) is a noticeable part of start-up.
class Progress:
    """Handed to a task that asked for it: report progress, and notice a cancel request."""

    def __init__(self, runner: TaskRunner | None, task_id: int) -> None:
        self._runner = runner
        self.task_id = task_id
        self._cancel = threading.Event()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        if self._cancel.is_set():
            raise Cancelled()

    def report(self, done: int, total: int, text: str = "") -> None:
        """Safe from any thread: the UI sees it through ``TaskRunner.progressed``."""
        if self._runner is not None:
            self._runner.progressed.emit(self.task_id, done, total, text)


class Task:
    def __init__(self, id: int, progress: Progress) -> None:  # noqa: A002 - the task's id
        self.id = id
        self.progress = progress

    def cancel(self) -> None:
        self.progress._cancel.set()


Callback = Callable[[Any], None]
ErrorCallback = Callable[[BaseException], None]


def _wants_progress(fn: Callable[..., Any]) -> bool:
    import inspect  # first used after the window is shown

    try:
        return "progress" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


class TaskRunner(QObject):
    """Runs callables off the UI thread and delivers their outcome on it."""

    # (task id, done, total, text); connected views show it and offer cancel.
    progressed = Signal(int, int, int, str)
    started = Signal(int, str)
    finished = Signal(int)
    _deliver = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fieldmark-db")
        self._io = ThreadPoolExecutor(max_workers=2, thread_name_prefix="fieldmark-io")
        self._ids = itertools.count(1)
        self._pending = 0
        self._closed = False
        self._deliver.connect(self._on_deliver)

    @property
    def busy(self) -> bool:
        return self._pending > 0

    def run(self, fn: Callable[..., Any], *, on_done: Callback | None = None,
            on_error: ErrorCallback | None = None, io: bool = False, label: str = "") -> Task:
        """Run ``fn`` (on the database thread unless ``io``); if it takes ``progress``, it gets one.

        Do not touch widgets inside ``fn``; do it in ``on_done``.
        """
        task = Task(next(self._ids), Progress(self, 0))
        task.progress.task_id = task.id
        self._pending += 1
        self.started.emit(task.id, label)
        pool = self._io if io else self._db
        pool.submit(self._call, task, fn, on_done, on_error)
        return task

    def _call(self, task: Task, fn: Callable[..., Any], on_done: Callback | None,
              on_error: ErrorCallback | None) -> None:
        try:
            value = fn(progress=task.progress) if _wants_progress(fn) else fn()
        except BaseException as exc:  # delivered to the UI thread, never swallowed
            self._deliver.emit((task, on_error, exc, True))
        else:
            self._deliver.emit((task, on_done, value, False))

    @Slot(object)
    def _on_deliver(self, payload: tuple) -> None:
        task, callback, value, failed = payload
        self._pending -= 1
        self.finished.emit(task.id)
        if callback is not None:
            callback(value)
        elif failed and not isinstance(value, Cancelled):
            raise value

    def wait_idle(self) -> None:
        """Block until queued database work is done (used at shutdown)."""
        if self._closed:  # already shut down: nothing can be queued any more
            return
        self._db.submit(lambda: None).result()

    def deliver_pending(self) -> None:
        """Run the outcome callbacks of finished tasks now, without returning to the event loop.

        Closing the window uses it after ``wait_idle`` to learn whether the last saves succeeded.
        """
        from PySide6.QtCore import QCoreApplication, QEvent

        QCoreApplication.sendPostedEvents(self, QEvent.Type.MetaCall.value)

    def shutdown(self) -> None:
        self._closed = True
        self._io.shutdown(wait=True, cancel_futures=True)
        self._db.shutdown(wait=True)


class SyncTaskRunner(TaskRunner):
    """Runs each task immediately on the calling thread: deterministic tests."""

    def run(self, fn: Callable[..., Any], *, on_done: Callback | None = None,
            on_error: ErrorCallback | None = None, io: bool = False, label: str = "") -> Task:
        task = Task(next(self._ids), Progress(self, 0))
        task.progress.task_id = task.id
        self._pending += 1
        self.started.emit(task.id, label)
        self._call(task, fn, on_done, on_error)
        return task

    def wait_idle(self) -> None:
        return None
