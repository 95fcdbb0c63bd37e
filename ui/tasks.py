"""The one task runner: database, disk and network work happen off the UI thread.

One single-thread executor owns the profile's database connection, so every database call is
serialised in order; a small pool does file and network work. Results and errors come back to
the UI thread through a queued Qt signal, so callbacks may touch widgets.

Long background work (a photo import, a PDF build) runs on the file pool and hands the
database thread only short steps through ``call_db``: a save the inspector makes meanwhile
waits for one such step at most, never for the whole job.

Usage::

    runner.run(lambda: answer_item(profile, vid, ...), on_done=self.refresh, on_error=self.show_error)
    task = runner.run(import_photos, on_done=..., io=True)   # fn receives a Progress if it asks
    task.cancel()
    # inside an io task: a short read or write on the database thread, its result returned
    rows = runner.call_db(lambda: list_photos(profile, visit_id))

Tests use ``SyncTaskRunner``, which runs each task at once on the calling thread.
"""

from __future__ import annotations

import itertools
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal, Slot

T = TypeVar("T")


class _Probe(QObject):
    ping = Signal()


def _guard_bool_refcounts() -> bool:
    """Make True and False immortal when the installed PySide6 steals their references.

    PySide6 6.12.0's ``SignalInstance.emit`` returns True (or False) without a new reference, so
    each emit from Python takes one reference from the bool. On Python 3.11 a few thousand emits
    (two per task here, one per progress report) deallocate True, and the process aborts with
    "Fatal Python error: bool_dealloc", mid-session or at exit. Python 3.12 made the bools
    immortal; this does the same by hand, only when an emit is seen to take a reference.
    Returns whether it had to.
    """
    if sys.version_info >= (3, 12):
        return False  # immortal already
    probe = _Probe()
    before = sys.getrefcount(True), sys.getrefcount(False)
    for _ in range(8):
        probe.ping.emit()
    if (sys.getrefcount(True), sys.getrefcount(False)) >= before:
        return False
    import ctypes

    for flag in (True, False):
        # ob_refcnt is the first field of every object in a release build of CPython 3.11.
        ctypes.c_ssize_t.from_address(id(flag)).value += 1 << 40
    return True


BOOLS_GUARDED = _guard_bool_refcounts()

# Two long jobs (an import, a PDF build) may each hold a worker for their whole run; the other
# two keep thumbnails, the viewer and file copies from queueing behind them.
IO_WORKERS = 4
# How long a thread busy in Python (laying out a PDF) may keep the GIL from one that waits for
# it. A save on the database thread takes the GIL back after each SQLite call, a dozen times;
# at CPython's default 5 ms that alone made a save wait 60-80 ms behind a PDF build.
GIL_SWITCH_S = 0.001


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


class _Entry:
    """A submitted task with its callbacks, owned by the UI thread until its outcome is delivered."""

    __slots__ = ("task", "fn", "on_done", "on_error", "io")

    def __init__(self, task: Task, fn: Callable[..., Any], on_done: Callback | None,
                 on_error: ErrorCallback | None, io: bool) -> None:
        self.task, self.fn, self.on_done, self.on_error, self.io = task, fn, on_done, on_error, io


def _wants_progress(fn: Callable[..., Any]) -> bool:
    import inspect  # first used after the window is shown

    try:
        return "progress" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


class TaskRunner(QObject):
    """Runs callables off the UI thread and delivers their outcome on it.

    A worker thread never holds the last reference to what the UI handed it (the callable, its
    closure, the callbacks) nor to what it made (the result): each entry stays in ``_entries``
    until the UI thread delivers it. Otherwise a widget captured by a closure could be deleted
    by the worker that dropped it last, which Qt does not allow.
    """

    # (task id, done, total, text); connected views show it and offer cancel.
    progressed = Signal(int, int, int, str)
    started = Signal(int, str)
    finished = Signal(int)
    _deliver = Signal(int)  # the task id; its outcome waits in ``_outcomes``

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        sys.setswitchinterval(min(sys.getswitchinterval(), GIL_SWITCH_S))
        self._db_ident: int | None = None
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fieldmark-db",
                                      initializer=self._on_db_thread)
        self._io = ThreadPoolExecutor(max_workers=IO_WORKERS, thread_name_prefix="fieldmark-io")
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._entries: dict[int, _Entry] = {}
        self._outcomes: dict[int, tuple[Any, bool]] = {}
        self._io_futures: dict[int, Future[None]] = {}
        self._pending = 0
        self._closed = False
        self._deliver.connect(self._on_deliver)

    def _on_db_thread(self) -> None:
        self._db_ident = threading.get_ident()

    @property
    def busy(self) -> bool:
        return self._pending > 0

    def run(self, fn: Callable[..., Any], *, on_done: Callback | None = None,
            on_error: ErrorCallback | None = None, io: bool = False, label: str = "") -> Task:
        """Run ``fn`` (on the database thread unless ``io``); if it takes ``progress``, it gets one.

        Do not touch widgets inside ``fn``; do it in ``on_done``. An ``io`` task that needs the
        database goes through ``call_db`` for each short step.
        """
        task = self._register(fn, on_done, on_error, io, label)
        if io:
            future = self._io.submit(self._call, task.id)
            with self._lock:
                self._io_futures[task.id] = future
        else:
            self._db.submit(self._call, task.id)
        return task

    def _register(self, fn: Callable[..., Any], on_done: Callback | None, on_error: ErrorCallback | None,
                  io: bool, label: str) -> Task:
        task = Task(next(self._ids), Progress(self, 0))
        task.progress.task_id = task.id
        with self._lock:
            self._entries[task.id] = _Entry(task, fn, on_done, on_error, io)
        self._pending += 1
        self.started.emit(task.id, label)
        return task

    def call_db(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` on the database thread, wait for it, and return its result or raise its error.

        For io tasks: each call is one short step queued behind whatever the UI submitted
        before it, so a long job never holds the database thread for longer than one step.
        """
        if threading.get_ident() == self._db_ident:  # already there: queueing would deadlock
            return fn()
        return self._db.submit(fn).result()

    def _call(self, task_id: int) -> None:
        with self._lock:
            entry = self._entries[task_id]
        fn, task = entry.fn, entry.task
        del entry
        value: Any
        failed = False
        try:
            value = fn(progress=task.progress) if _wants_progress(fn) else fn()
        except BaseException as exc:  # delivered to the UI thread, never swallowed
            value, failed = exc, True
        with self._lock:
            self._outcomes[task_id] = (value, failed)
        # This thread lets go of everything before the UI thread hears of it (see the class).
        del fn, task, value
        self._deliver.emit(task_id)

    @Slot(int)
    def _on_deliver(self, task_id: int) -> None:
        with self._lock:
            entry = self._entries.pop(task_id)
            value, failed = self._outcomes.pop(task_id)
            self._io_futures.pop(task_id, None)
        self._pending -= 1
        self.finished.emit(task_id)
        callback = entry.on_error if failed else entry.on_done
        if callback is not None:
            callback(value)
        elif failed and not isinstance(value, Cancelled):
            raise value

    def wait_idle(self) -> None:
        """Block until the database work queued so far is done (used at shutdown)."""
        if self._closed:  # already shut down: nothing can be queued any more
            return
        self._db.submit(lambda: None).result()

    def stop_background(self) -> None:
        """Cancel the io tasks and wait until they have stopped (before the profile closes).

        An import stops after the photos in flight, whose rows it still writes through
        ``call_db``; so this runs while the database thread still takes work.
        """
        with self._lock:
            running = dict(self._io_futures)
            tasks = [self._entries[tid].task for tid in running if tid in self._entries]
        for task in tasks:
            task.cancel()
        wait_futures(list(running.values()))

    def deliver_pending(self) -> None:
        """Run the outcome callbacks of finished tasks now, without returning to the event loop.

        Closing the window uses it after ``wait_idle`` to learn whether the last saves succeeded.
        """
        from PySide6.QtCore import QCoreApplication, QEvent

        QCoreApplication.sendPostedEvents(self, QEvent.Type.MetaCall.value)

    def shutdown(self) -> None:
        """Stop the background work, then finish every queued database task and end the threads."""
        if self._closed:
            return
        self.stop_background()
        self._closed = True
        self._io.shutdown(wait=True, cancel_futures=True)
        self._db.shutdown(wait=True)


class SyncTaskRunner(TaskRunner):
    """Runs each task immediately on the calling thread: deterministic tests."""

    def run(self, fn: Callable[..., Any], *, on_done: Callback | None = None,
            on_error: ErrorCallback | None = None, io: bool = False, label: str = "") -> Task:
        task = self._register(fn, on_done, on_error, io, label)
        self._call(task.id)
        return task

    def call_db(self, fn: Callable[[], T]) -> T:
        return fn()

    def wait_idle(self) -> None:
        return None
