"""Sync by itself when the server can be reached again (the setting ``auto_sync``, off by default).

The watcher learns that the network changed from QNetworkInformation where the platform has a
backend for it. Many Linux laptops without NetworkManager have none, and a backend's "online" does
not say that the office's server answers, so the watcher also asks the server's ``/healthz``: every
``interval`` (60 s) while it does not answer, the wait doubling up to five intervals, never more
often; and every five intervals while it does, to notice the next outage. A change the backend
reports only brings the next question forward.

When the server answers after it did not (or after a sync that ended offline), the watcher starts
the same background sync as the Sync button, through the window's controller, so two syncs never
run at once. It never asks for a password: without a login in the keychain the status area says to
log in, and the watcher waits for a sync that logs in. It waits while a modal dialog is open (a
visit being finalized, a signature being taken). A sync it started that fails for any reason but
the network (the login, conflicts, the protocol, the server) is not tried again by itself: the next
return of the network, or the inspector's own Sync, tries again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

from ui.error_report import report_unexpected
from ui.sync.controller import Login, SyncController, find_login
from ui.tasks import TaskRunner

if TYPE_CHECKING:
    from pathlib import Path

    from app.profile import Profile
    from app.sync.engine import SyncResult

# Seconds between two questions to the server while it does not answer (the shortest wait).
PROBE_INTERVAL_S = 60.0
# The longest wait while it does not answer, and the wait while it does, in intervals.
LONGEST_WAIT = 5
# A question to /healthz gives up after this many seconds: the server is then unreachable (short,
# as quitting waits for a question under way).
PROBE_TIMEOUT_S = 3.0
# A modal dialog defers the sync; it is looked for again after this many seconds.
DIALOG_RECHECK_S = 2.0


def server_answers(server_url: str, timeout: float = PROBE_TIMEOUT_S) -> bool:
    """Whether the server's ``/healthz`` says ok (a captive portal's page or a gateway's 502 does not)."""
    try:
        answer = httpx.get(server_url.rstrip("/") + "/healthz", timeout=timeout)
        return answer.status_code == 200 and answer.json().get("status") == "ok"
    except (httpx.HTTPError, ValueError, AttributeError):
        return False


class _SettingsNotice(QObject):
    """Said by the settings dialog after a save, heard by the watcher of the same profile."""

    saved = Signal(object, dict)  # the profile's folder, the changed settings


SETTINGS_NOTICE = _SettingsNotice()


def settings_saved(profile: Profile, changed: dict[str, object]) -> None:
    SETTINGS_NOTICE.saved.emit(profile.root, changed)


class AutoSync(QObject):
    """Watches whether the server can be reached, and syncs through ``controller`` when it can again."""

    # What the status area shows changed: ``note`` is "", "offline" or "login".
    changed = Signal()

    def __init__(self, controller: SyncController, runner: TaskRunner, *, interval: float | None = None,
                 timeout: float = PROBE_TIMEOUT_S, system_hints: bool = True, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.runner = runner
        self.profile: Profile = controller.profile
        self.interval = PROBE_INTERVAL_S if interval is None else interval
        self.timeout = timeout
        self.system_hints = system_hints
        self.enabled = False
        self.note = ""
        self.reachable: bool | None = None
        # The server did not answer (or a sync ended offline) since the last sync that reached it.
        self.offline_seen = False
        self.probes = 0  # questions asked, for the status tooltip and the tests
        self.wait = self.interval
        self.server_url = ""
        self.no_keychain = ""  # why no login can be kept, when there is no keychain
        self._generation = 0  # bumped when turned off: answers of an earlier watch are ignored
        self._probing = False
        self._last_probe = 0.0
        self._hinted = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._probe)
        self._dialog_timer = QTimer(self)
        self._dialog_timer.setSingleShot(True)
        self._dialog_timer.timeout.connect(self._sync_when_free)
        controller.finished.connect(self._sync_ended)
        SETTINGS_NOTICE.saved.connect(self._settings_saved)

    # --- on and off ---------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the setting from the profile and start or stop watching to match it."""
        from app.settings import get_setting

        profile = self.profile
        self.runner.run(lambda: bool(get_setting(profile, "auto_sync")), on_done=self.set_enabled,
                        on_error=report_unexpected)

    def _settings_saved(self, root: Path, changed: dict[str, object]) -> None:
        if root == self.profile.root and ("auto_sync" in changed or "server_url" in changed):
            if "auto_sync" in changed:
                self.set_enabled(bool(changed["auto_sync"]))
            elif self.enabled:
                self._restart()  # another server: its login and its answers are new

    def set_enabled(self, enabled: bool) -> None:
        if enabled == self.enabled:
            return
        self.enabled = enabled
        if enabled:
            self._restart()
        else:
            self._stop()
            self._set_note("")

    def _stop(self) -> None:
        self._generation += 1
        self._timer.stop()
        self._dialog_timer.stop()
        self._probing = False
        self.reachable = None
        self.offline_seen = False
        self.wait = self.interval

    def _restart(self) -> None:
        self._stop()
        self._listen_to_system()
        self._check_login()

    def _listen_to_system(self) -> None:
        if not self.system_hints or self._hinted:
            return
        from PySide6.QtNetwork import QNetworkInformation

        feature = QNetworkInformation.Feature.Reachability
        if QNetworkInformation.instance() is None:
            QNetworkInformation.loadBackendByFeatures(feature)
        info = QNetworkInformation.instance()
        if info is not None and info.supports(feature):
            info.reachabilityChanged.connect(self.network_changed)
            self._hinted = True

    # --- the login ----------------------------------------------------------------------------

    def _check_login(self) -> None:
        from app.sync.status import sync_overview

        profile, call_db, generation = self.profile, self.runner.call_db, self._generation

        def look_up() -> Login:
            return find_login(call_db(lambda: sync_overview(profile)))

        # The keychain may wait on the desktop's keyring service: never on the UI thread.
        self._run(look_up, lambda found: self._login_found(found, generation), io=True)

    def _login_found(self, found: Login, generation: int) -> None:
        if generation != self._generation or not self.enabled:
            return
        self.server_url, self.no_keychain = found.server_url, found.no_keychain
        if found.session is None:
            # No password dialog unasked: the status area says to log in, and a sync that logs
            # in (from the Log in… button or the Sync button) wakes the watcher again.
            self._set_note("login")
            return
        self._set_note("")
        self._probe()

    # --- asking the server --------------------------------------------------------------------

    def network_changed(self, _reachability: object) -> None:
        """The system says the network changed: ask the server soon, from the shortest wait again."""
        if not self.enabled or self.note == "login" or not self.server_url:
            return
        self.wait = self.interval
        # A backend that flaps does not make the questions more frequent than one per interval.
        since = time.monotonic() - self._last_probe
        self._schedule(max(0.0, min(self.interval, 5.0) - since))

    def _schedule(self, seconds: float) -> None:
        self._timer.start(max(0, int(seconds * 1000)))

    def _probe(self) -> None:
        if not self.enabled or self._probing or not self.server_url:
            return
        if self.controller.running:
            self._schedule(self.interval)  # the sync under way says more than /healthz
            return
        self._probing = True
        self._last_probe = time.monotonic()
        self.probes += 1
        url, timeout, generation = self.server_url, self.timeout, self._generation
        self._run(lambda: server_answers(url, timeout), lambda ok: self._answered(ok, generation), io=True)

    def _answered(self, ok: bool, generation: int) -> None:
        if generation != self._generation or not self.enabled:
            return
        self._probing = False
        if not ok:
            self._went_offline()
            return
        self.reachable = True
        self._set_note("")
        self._schedule(self.interval * LONGEST_WAIT)
        if self.offline_seen:
            self._sync_when_free()

    def _went_offline(self) -> None:
        self.reachable = False
        self.offline_seen = True
        self._set_note("offline")
        self._schedule(self.wait)
        self.wait = min(self.wait * 2, self.interval * LONGEST_WAIT)

    # --- syncing ------------------------------------------------------------------------------

    def _sync_when_free(self) -> None:
        if not self.enabled or not self.offline_seen or self.note == "login":
            return
        if self.controller.running:
            return  # its outcome decides (an offline end makes the watcher wait again)
        if QApplication.activeModalWidget() is not None:
            # A dialog is open (a visit being finalized, a signature): sync once it is closed.
            self._dialog_timer.start(int(min(self.interval, DIALOG_RECHECK_S) * 1000))
            return
        self.offline_seen = False
        self.controller.start_automatic()

    def _sync_ended(self, result: SyncResult | None) -> None:
        if not self.enabled:
            return
        if result is None:
            if self.controller.login_needed:
                self._timer.stop()
                self._set_note("login")
            return
        if result.reason == "offline":
            self._timer.stop()
            self._went_offline()
            return
        # The server was reached: whatever else stopped the sync (the login, conflicts, the
        # protocol) waits for the next return of the network or the inspector's own Sync.
        self.reachable = True
        self.offline_seen = False
        self.wait = self.interval
        if self.note == "login":
            self._check_login()  # logged in by this sync: the session is in the keychain now
            return
        self._set_note("")
        self._schedule(self.interval * LONGEST_WAIT)

    # --- plumbing -----------------------------------------------------------------------------

    def _run(self, fn: Callable[[], Any], on_done: Callable[[Any], None], *, io: bool) -> None:
        try:
            self.runner.run(fn, on_done=on_done, on_error=self._failed, io=io)
        except RuntimeError:
            self._stop()  # the runner was shut down: the window is closing

    def _failed(self, exc: BaseException) -> None:
        self._probing = False
        report_unexpected(exc)

    def _set_note(self, note: str) -> None:
        if note != self.note:
            self.note = note
            self.changed.emit()
