"""The automatic sync when the network returns, on a real window against the live server.

The laptop reaches the server through tests/server/fault_proxy.py: "down" resets every connection
as it is accepted (the network is gone), "up" lets everything through. The watcher asks /healthz
every 0.2 s here instead of every 60 s.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtNetwork import QNetworkInformation
from PySide6.QtWidgets import QDialog

from app.settings import get_setting, set_setting
from tests.server.fault_proxy import FaultProxy
from tests.server.sync_support import MemoryKeyring, add_photos, laptop
from tests.server.ui_sync.test_sync_window import WAIT_MS, open_window, sign_in
from tests.ui import shell_support
from ui.sync import auto as auto_module
from ui.tasks import TaskRunner

INTERVAL = 0.2
# The longest wait between two questions: five intervals.
LONGEST = INTERVAL * auto_module.LONGEST_WAIT
# The shell's stand-in checklist, made visible to pytest in this module.
stub_checklist = shell_support.stub_checklist


class Network:
    """The way from the laptop to the server, which the test cuts and restores."""

    def __init__(self, server: Any) -> None:
        port = int(server.url.rsplit(":", 1)[1])
        self.proxy = FaultProxy(port, seed=12, weights={"refuse": 1})
        self.proxy.faulty = False  # up until a test cuts it
        self.url = self.proxy.url

    def down(self) -> None:
        self.proxy.faulty = True

    def up(self) -> None:
        self.proxy.faulty = False

    def close(self) -> None:
        self.proxy.close()


@pytest.fixture
def keychain() -> Iterator[MemoryKeyring]:
    from tests.server.sync_support import use_keyring

    yield from use_keyring(MemoryKeyring())  # type: ignore[misc]


@pytest.fixture
def runner() -> Iterator[TaskRunner]:
    tasks = TaskRunner()
    yield tasks
    tasks.shutdown()


@pytest.fixture
def net(server: Any) -> Iterator[Network]:
    network = Network(server)
    yield network
    network.close()


@pytest.fixture
def one(server: Any, net: Network, demo_template: Path, tmp_path: Path, keychain: MemoryKeyring,
        monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A logged-in laptop whose server address goes through the network above; auto sync on."""
    machine = laptop(server, demo_template, tmp_path / "one", mirror=True)
    set_setting(machine.profile, "server_url", net.url)
    set_setting(machine.profile, "auto_sync", True)
    keychain.set_password("fieldmark", f"{net.url}|{machine.session.login}", machine.session.token)
    monkeypatch.setattr(auto_module, "PROBE_INTERVAL_S", INTERVAL)
    yield machine
    machine.profile.close()


@pytest.fixture
def probe_times(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """When each question to /healthz was asked (the real question is still asked)."""
    times: list[float] = []
    real = auto_module.server_answers

    def timed(url: str, timeout: float = auto_module.PROBE_TIMEOUT_S) -> bool:
        times.append(time.monotonic())
        return real(url, timeout)

    monkeypatch.setattr(auto_module, "server_answers", timed)
    return times


@pytest.fixture
def no_dialog(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The login dialogs shown; an automatic sync must show none."""
    shown: list[str] = []

    def refuse(dialog: QDialog) -> int:
        shown.append(dialog.server_url.text())
        return QDialog.DialogCode.Rejected

    monkeypatch.setattr("ui.sync.login_dialog.LoginDialog.exec", refuse)
    return shown


def sync_starts(win: Any) -> list[bool]:
    """Each sync started, as whether it was automatic."""
    starts: list[bool] = []
    win.sync.runningChanged.connect(lambda running: running and starts.append(win.sync.automatic))
    return starts


def settle(qtbot: Any, seconds: float) -> None:
    """Let the event loop run (timers fire, probes answer) for a while."""
    qtbot.wait(int(seconds * 1000))


def test_offline_then_back_runs_exactly_one_automatic_sync(qtbot, net, one, runner, stub_checklist, probe_times,
                                                           no_dialog):
    net.down()
    add_photos(one, 1)
    win = open_window(qtbot, one.profile, runner)
    auto, status = win.sync_status.auto, win.sync_status
    starts = sync_starts(win)
    qtbot.waitUntil(lambda: auto.note == "offline", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: status.error_label.isVisible(), timeout=WAIT_MS)
    assert status.error_label.text() == ("Offline: the server cannot be reached. Fieldmark syncs by itself "
                                         "when it can.")
    # Down for a while: the questions go on, each wait longer up to five intervals, and no sync starts.
    qtbot.waitUntil(lambda: len(probe_times) >= 5, timeout=WAIT_MS)
    assert starts == [] and not win.sync.running
    gaps = [b - a for a, b in zip(probe_times, probe_times[1:], strict=False)]
    assert all(gap >= INTERVAL * 0.9 for gap in gaps), gaps
    assert gaps[2] > gaps[0] * 1.5, gaps
    assert auto.wait == pytest.approx(LONGEST)

    net.up()
    qtbot.waitUntil(lambda: starts == [True] and not win.sync.running, timeout=WAIT_MS)
    result = win.sync.last_result
    assert result is not None and result.complete, (result.reason, result.message)
    assert result.blobs_uploaded >= 1
    qtbot.waitUntil(lambda: status.receipt_label.text().startswith("Synced automatically"), timeout=WAIT_MS)
    assert re.fullmatch(r"Synced automatically at \d\d:\d\d", status.receipt_label.text())
    assert "receipt no." in status.receipt_label.toolTip()
    assert not status.error_label.isVisible()
    # Reachable from now on: the server is still asked now and then, and no second sync starts.
    asked = len(probe_times)
    settle(qtbot, LONGEST * 3)
    assert starts == [True]
    assert len(probe_times) > asked
    assert no_dialog == []
    # The inspector's own sync afterwards is shown as such.
    win.sync.start()
    qtbot.waitUntil(lambda: len(starts) == 2 and not win.sync.running, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: status.receipt_label.text().startswith("Last sync: "), timeout=WAIT_MS)


def test_no_sync_at_start_but_one_after_a_sync_that_ended_offline(qtbot, net, one, runner, stub_checklist):
    win = open_window(qtbot, one.profile, runner)
    auto, status = win.sync_status.auto, win.sync_status
    starts = sync_starts(win)
    qtbot.waitUntil(lambda: auto.reachable is True, timeout=WAIT_MS)
    # The server answers from the start: nothing came back, so nothing syncs by itself.
    settle(qtbot, INTERVAL * 3)
    assert starts == []

    net.down()
    win.sync.start()
    qtbot.waitUntil(lambda: starts == [False] and not win.sync.running, timeout=WAIT_MS)
    assert win.sync.last_result is not None and win.sync.last_result.reason == "offline"
    qtbot.waitUntil(lambda: status.error_label.isVisible(), timeout=WAIT_MS)
    assert status.error_label.text().startswith("Offline: the server cannot be reached. Fieldmark syncs by itself")
    assert "cannot be reached" in status.error_label.toolTip()  # the engine's own words stay at hand
    net.up()
    qtbot.waitUntil(lambda: starts == [False, True] and not win.sync.running, timeout=WAIT_MS)
    assert win.sync.last_result is not None and win.sync.last_result.complete
    settle(qtbot, LONGEST * 2)
    assert starts == [False, True]


def test_a_refused_login_is_not_retried_until_the_network_returns_again(qtbot, net, one, runner, stub_checklist,
                                                                        keychain, no_dialog):
    keychain.set_password("fieldmark", f"{net.url}|{one.session.login}", "not-a-token")
    net.down()
    win = open_window(qtbot, one.profile, runner)
    auto, status = win.sync_status.auto, win.sync_status
    starts = sync_starts(win)
    qtbot.waitUntil(lambda: auto.note == "offline", timeout=WAIT_MS)
    net.up()
    qtbot.waitUntil(lambda: starts == [True] and not win.sync.running, timeout=WAIT_MS)
    assert win.sync.last_result is not None and win.sync.last_result.reason == "authentication"
    qtbot.waitUntil(lambda: status.login_button.isVisible(), timeout=WAIT_MS)
    assert status.error_label.text().startswith("Not logged in, or the login expired")
    # The server keeps answering: no loop of refused syncs, and no password dialog by itself.
    probes = auto.probes
    settle(qtbot, LONGEST * 3)
    assert starts == [True] and no_dialog == []
    assert auto.probes > probes
    # The next return of the network tries once more.
    net.down()
    qtbot.waitUntil(lambda: auto.note == "offline", timeout=WAIT_MS)
    net.up()
    qtbot.waitUntil(lambda: starts == [True, True] and not win.sync.running, timeout=WAIT_MS)
    settle(qtbot, LONGEST * 2)
    assert starts == [True, True] and no_dialog == []


def test_without_a_login_it_says_log_in_and_never_asks_by_itself(qtbot, net, one, runner, stub_checklist, keychain,
                                                                  monkeypatch):
    keychain.delete_password("fieldmark", f"{net.url}|{one.session.login}")
    asked: list[str] = []

    def fill(dialog: QDialog) -> int:
        asked.append(dialog.server_url.text())
        return sign_in(qtbot, dialog, one.account.password)

    monkeypatch.setattr("ui.sync.login_dialog.LoginDialog.exec", fill)
    net.down()
    win = open_window(qtbot, one.profile, runner)
    auto, status = win.sync_status.auto, win.sync_status
    starts = sync_starts(win)
    qtbot.waitUntil(lambda: auto.note == "login", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: status.login_button.isVisible(), timeout=WAIT_MS)
    assert status.error_label.text() == "Log in to sync automatically."
    net.up()
    settle(qtbot, LONGEST * 2)
    assert starts == [] and asked == [] and auto.probes == 0
    # Log in… from the status area: the login's sync runs, and the watcher wakes up.
    status.login_button.click()
    qtbot.waitUntil(lambda: starts == [False] and not win.sync.running, timeout=WAIT_MS)
    assert asked == [net.url]
    assert win.sync.last_result is not None and win.sync.last_result.complete
    qtbot.waitUntil(lambda: auto.note == "" and auto.probes > 0, timeout=WAIT_MS)
    assert not status.login_button.isVisible()


def test_an_automatic_sync_that_finds_no_login_asks_nothing(qtbot, net, one, runner, stub_checklist, keychain,
                                                           no_dialog):
    net.down()
    win = open_window(qtbot, one.profile, runner)
    auto, status = win.sync_status.auto, win.sync_status
    starts = sync_starts(win)
    qtbot.waitUntil(lambda: auto.note == "offline", timeout=WAIT_MS)
    # Logged out from the command line while the window was open.
    keychain.delete_password("fieldmark", f"{net.url}|{one.session.login}")
    net.up()
    qtbot.waitUntil(lambda: auto.note == "login", timeout=WAIT_MS)
    assert starts == [True] and no_dialog == [] and not win.sync.running
    qtbot.waitUntil(lambda: status.error_label.text() == "Log in to sync automatically.", timeout=WAIT_MS)
    assert status.login_button.isVisible()
    probes = auto.probes
    settle(qtbot, LONGEST * 2)
    assert starts == [True] and auto.probes == probes


def test_an_open_dialog_holds_the_sync_until_it_closes(qtbot, net, one, runner, stub_checklist):
    net.down()
    win = open_window(qtbot, one.profile, runner)
    auto = win.sync_status.auto
    starts = sync_starts(win)
    qtbot.waitUntil(lambda: auto.note == "offline", timeout=WAIT_MS)
    # A window-modal dialog, as the finalize and signature flows open theirs.
    dialog = QDialog(win)
    dialog.open()
    qtbot.waitExposed(dialog)
    net.up()
    qtbot.waitUntil(lambda: auto.reachable is True, timeout=WAIT_MS)
    settle(qtbot, 1.0)
    assert starts == []
    dialog.accept()
    qtbot.waitUntil(lambda: starts == [True] and not win.sync.running, timeout=WAIT_MS)
    assert win.sync.last_result is not None and win.sync.last_result.complete


def test_never_a_second_sync_while_one_runs(qtbot, net, one, runner, stub_checklist):
    add_photos(one, 2)
    win = open_window(qtbot, one.profile, runner)
    auto = win.sync_status.auto
    starts = sync_starts(win)
    qtbot.waitUntil(lambda: auto.reachable is True, timeout=WAIT_MS)

    def network_back_now(running: bool) -> None:
        # The watcher hears the server again while the inspector's sync runs.
        if running:
            auto.offline_seen = True
            auto._sync_when_free()

    win.sync.runningChanged.connect(network_back_now)
    win.sync.start()
    qtbot.waitUntil(lambda: len(starts) >= 1 and not win.sync.running, timeout=WAIT_MS)
    win.sync.runningChanged.disconnect(network_back_now)
    assert starts[0] is False
    settle(qtbot, LONGEST)
    assert starts == [False]
    assert win.sync.last_result is not None and win.sync.last_result.complete


def test_a_system_network_change_asks_the_server_at_once(qtbot, net, one, runner, stub_checklist, monkeypatch):
    # A long interval: only the system's word can bring the sync this soon.
    monkeypatch.setattr(auto_module, "PROBE_INTERVAL_S", 120.0)
    net.down()
    win = open_window(qtbot, one.profile, runner)
    auto = win.sync_status.auto
    starts = sync_starts(win)
    qtbot.waitUntil(lambda: auto.note == "offline", timeout=WAIT_MS)
    net.up()
    auto.network_changed(QNetworkInformation.Reachability.Online)
    qtbot.waitUntil(lambda: starts == [True] and not win.sync.running, timeout=15_000)
    assert win.sync.last_result is not None and win.sync.last_result.complete


def test_with_the_setting_off_nothing_happens(qtbot, net, one, runner, stub_checklist, probe_times):
    set_setting(one.profile, "auto_sync", False)
    net.down()
    win = open_window(qtbot, one.profile, runner)
    auto, status = win.sync_status.auto, win.sync_status
    starts = sync_starts(win)
    settle(qtbot, LONGEST)
    net.up()
    settle(qtbot, LONGEST * 2)
    assert starts == [] and probe_times == [] and auto.note == "" and not auto.enabled
    assert not status.error_label.isVisible()


def test_turning_the_setting_off_in_the_dialog_stops_the_watcher(qtbot, net, one, runner, stub_checklist,
                                                                 probe_times):
    from ui.dialogs.settings_dialog import SettingsDialog

    net.down()
    win = open_window(qtbot, one.profile, runner)
    auto, status = win.sync_status.auto, win.sync_status
    starts = sync_starts(win)
    qtbot.waitUntil(lambda: auto.note == "offline", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: status.error_label.isVisible(), timeout=WAIT_MS)

    dialog = SettingsDialog(one.profile, runner, parent=win)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: bool(dialog.loaded), timeout=WAIT_MS)
    assert dialog.auto_sync.isChecked()
    dialog.auto_sync.setChecked(False)
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS) as saved:
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert saved.args[0] == {"auto_sync": False}
    assert get_setting(one.profile, "auto_sync") is False
    assert not auto.enabled and auto.note == ""
    assert not status.error_label.isVisible()
    asked = len(probe_times)
    net.up()
    settle(qtbot, LONGEST * 2)
    assert starts == [] and len(probe_times) == asked

    # And on again: the watcher starts anew (the server answers, nothing came back: no sync).
    dialog = SettingsDialog(one.profile, runner, parent=win)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: bool(dialog.loaded), timeout=WAIT_MS)
    dialog.auto_sync.setChecked(True)
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS):
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    qtbot.waitUntil(lambda: auto.reachable is True, timeout=WAIT_MS)
    assert auto.enabled and starts == []


def test_a_gateway_error_or_a_portal_page_is_not_the_server_answering(qtbot, net, one, runner, stub_checklist):
    # The hotel's gateway answers 502 itself: the server is still out of reach.
    net.proxy.weights = {"error_before": 1}
    net.down()
    win = open_window(qtbot, one.profile, runner)
    auto = win.sync_status.auto
    starts = sync_starts(win)
    qtbot.waitUntil(lambda: auto.note == "offline", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: auto.probes >= 3, timeout=WAIT_MS)
    assert starts == [] and auto.reachable is False
    net.up()
    qtbot.waitUntil(lambda: starts == [True] and not win.sync.running, timeout=WAIT_MS)
    assert win.sync.last_result is not None and win.sync.last_result.complete


def test_server_answers_only_for_the_servers_own_ok():
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    pages = {"/portal/healthz": (200, b"<html>Log in to the hotel Wi-Fi</html>"),
             "/broken/healthz": (503, b'{"status": "ok"}'),
             "/fine/healthz": (200, b'{"status": "ok"}')}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the standard library's name
            status, body = pages.get(self.path, (404, b""))
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        assert auto_module.server_answers(base + "/fine/")
        assert not auto_module.server_answers(base + "/portal")
        assert not auto_module.server_answers(base + "/broken")
        assert not auto_module.server_answers(base + "/nothing")
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert not auto_module.server_answers(base, timeout=1.0)  # nobody listens any more


def test_a_watcher_whose_runner_has_stopped_stays_quiet(qtbot, net, one, stub_checklist):
    tasks = TaskRunner()
    win = open_window(qtbot, one.profile, tasks)
    auto = win.sync_status.auto
    qtbot.waitUntil(lambda: auto.reachable is True, timeout=WAIT_MS)
    tasks.shutdown()  # the application is quitting
    auto._probe()  # its timer fires once more
    assert not auto._timer.isActive() and auto.reachable is None
