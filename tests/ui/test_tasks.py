"""The task runner delivers results and errors on the UI thread, with progress and cancel."""

from __future__ import annotations

import threading

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
