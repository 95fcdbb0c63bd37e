"""The task runner delivers results and errors on the UI thread, with progress and cancel."""

from __future__ import annotations

import gc
import sys
import threading

from PySide6.QtCore import Qt

from ui.tasks import Cancelled, SyncTaskRunner, TaskRunner


def test_results_come_back_on_the_ui_thread(qtbot):
    runner = TaskRunner()
    seen = {}

    def work():
        seen["worker"] = threading.current_thread().name
        return 42

    def done(value):
        seen["value"] = value
        seen["callback"] = threading.current_thread() is threading.main_thread()

    with qtbot.waitSignal(runner.finished, timeout=5000):
        runner.run(work, on_done=done)
    assert seen == {"worker": seen["worker"], "value": 42, "callback": True}
    assert seen["worker"].startswith("fieldmark-db")
    runner.shutdown()


def test_errors_reach_the_error_callback(qtbot):
    runner = TaskRunner()
    errors = []
    with qtbot.waitSignal(runner.finished, timeout=5000):
        runner.run(lambda: 1 / 0, on_error=errors.append)
    assert isinstance(errors[0], ZeroDivisionError)
    runner.shutdown()


def test_progress_and_cancel(qtbot):
    runner = TaskRunner()
    gate = threading.Event()
    reports, errors = [], []
    runner.progressed.connect(lambda tid, done, total, text: reports.append((done, total)))

    def work(progress):
        for i in range(1000):
            progress.report(i, 1000)
            gate.wait(5)
            progress.check()
        return "finished"

    task = runner.run(work, on_error=errors.append, io=True)
    task.cancel()
    gate.set()
    qtbot.waitUntil(lambda: not runner.busy, timeout=5000)
    assert isinstance(errors[0], Cancelled)
    assert reports and reports[0] == (0, 1000)
    runner.shutdown()


def test_database_tasks_run_in_submission_order(qtbot):
    runner = TaskRunner()
    order = []
    for i in range(20):
        runner.run(lambda i=i: order.append(i))
    runner.wait_idle()
    qtbot.waitUntil(lambda: not runner.busy, timeout=5000)
    assert order == list(range(20))
    runner.shutdown()


def test_sync_runner_runs_at_once(qtbot):
    runner = SyncTaskRunner()
    out = []
    runner.run(lambda: 7, on_done=out.append)
    assert out == [7] and not runner.busy


def test_call_db_runs_a_step_on_the_database_thread_from_an_io_task(qtbot):
    runner = TaskRunner()
    seen, errors = [], []

    def step() -> str:
        return threading.current_thread().name

    def job() -> tuple[str, str]:
        try:
            runner.call_db(lambda: 1 / 0)
        except ZeroDivisionError as exc:  # a step's error reaches the task that asked for it
            errors.append(exc)
        return threading.current_thread().name, runner.call_db(step)

    with qtbot.waitSignal(runner.finished, timeout=5000):
        runner.run(job, io=True, on_done=seen.append)
    [(io_thread, db_thread)] = seen
    assert io_thread.startswith("fieldmark-io") and db_thread.startswith("fieldmark-db")
    assert len(errors) == 1
    # On the database thread itself a step runs in place instead of waiting for itself.
    with qtbot.waitSignal(runner.finished, timeout=5000):
        runner.run(lambda: runner.call_db(step), on_done=seen.append)
    assert seen[-1].startswith("fieldmark-db")
    runner.shutdown()


def test_a_database_task_does_not_wait_for_a_long_io_task(qtbot):
    runner = TaskRunner()
    release, order = threading.Event(), []

    def long_job() -> None:
        runner.call_db(lambda: order.append("job step 1"))
        release.wait(10)  # the rest of a long import or PDF build
        runner.call_db(lambda: order.append("job step 2"))

    runner.run(long_job, io=True)
    qtbot.waitUntil(lambda: order == ["job step 1"], timeout=5000)
    with qtbot.waitSignal(runner.finished, timeout=2000):
        runner.run(lambda: order.append("save"))
    release.set()
    qtbot.waitUntil(lambda: not runner.busy, timeout=5000)
    assert order == ["job step 1", "save", "job step 2"]
    runner.shutdown()


def test_shutdown_stops_background_work_and_flushes_the_database_queue(qtbot):
    runner = TaskRunner()
    steps, saved, started = [], [], threading.Event()

    def endless(progress) -> None:
        started.set()
        while True:
            runner.call_db(lambda: steps.append(1))  # still reaches the database while stopping
            progress.check()

    runner.run(endless, io=True)
    assert started.wait(5)
    for k in range(5):
        runner.run(lambda k=k: saved.append(k))
    runner.shutdown()
    assert saved == list(range(5)) and steps
    count = len(steps)
    runner.wait_idle()  # after shutdown: returns at once, nothing is left to run
    assert len(steps) == count


def test_workers_never_drop_the_last_reference_to_what_the_ui_gave_them(qtbot):
    """A callback or closure released on a worker thread would delete a widget it captured there."""
    runner = TaskRunner()
    released: list[str] = []
    delivered = threading.Event()

    class Tracked:
        def __call__(self, *_: object) -> None:
            delivered.set()

        def __del__(self) -> None:
            released.append(threading.current_thread().name)

    # Hold the worker right after it announces the outcome until the UI thread has delivered
    # it: whatever the worker still holds then, it would release last.
    def hold(*_: object) -> None:
        delivered.wait(5)
    runner._deliver.connect(hold, Qt.ConnectionType.DirectConnection)
    callback, work = Tracked(), Tracked()
    runner.run(work, on_done=callback)
    del callback, work
    qtbot.waitUntil(lambda: not runner.busy, timeout=5000)
    runner.shutdown()
    gc.collect()
    assert released == ["MainThread", "MainThread"]


def test_sync_runner_runs_database_steps_in_place(qtbot):
    runner = SyncTaskRunner()
    out = []
    runner.run(lambda: runner.call_db(lambda: threading.current_thread().name), io=True, on_done=out.append)
    assert out == ["MainThread"]


def test_emitting_signals_does_not_use_up_the_bools(qtbot):
    """PySide6 6.12.0 takes a reference to True at each emit; Python 3.11 aborts when none are left."""
    runner = TaskRunner()
    for k in range(20000):  # more emits than True has references in a whole session
        runner.finished.emit(k)
    assert sys.getrefcount(True) > 1000 and sys.getrefcount(False) > 1000
    runner.shutdown()
