"""One sync at a time, in the background, as ``fieldmark sync`` does it (app/cli_sync.py).

The session comes from the keychain; without a login, or without a keychain, the login dialog
asks (the password then serves this run only). The engine runs on a file-pool thread over its own
connection to the profile (``app.sync.status.open_for_sync``), so the inspector's saves never wait
for the network; its progress comes back through a queued signal. Cancel makes the engine's
progress callback raise ``Cancelled``, which the engine turns into a stop at a safe point.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDialog, QWidget

from app.errors import FieldmarkError
from ui.error_report import report_unexpected
from ui.tasks import Progress as TaskProgress
from ui.tasks import TaskRunner

if TYPE_CHECKING:
    from app.profile import Profile
    from app.sync.client import Retry
    from app.sync.device import Session
    from app.sync.engine import Progress, SyncResult
    from app.sync.status import SyncOverview


@dataclass(frozen=True)
class Login:
    """What the keychain held for the profile's server and login."""

    server_url: str
    login: str
    session: Session | None  # None: the person must log in (or type the password)
    no_keychain: str  # why the password is asked at each sync, when there is no keychain


def find_login(overview: SyncOverview) -> Login:
    """The session the keychain keeps for the profile's server; touches no database."""
    from app import credentials
    from app.sync.device import Session

    server, name = overview.server_url, overview.login
    if not server or not name:
        return Login(server, name, None, "")
    try:
        token = credentials.load_token(server, name)
    except credentials.NoKeychain as exc:
        return Login(server, name, None, str(exc))
    return Login(server, name, None if token is None else Session(server, name, token), "")


class SyncController(QObject):
    """Starts a sync (asking to log in when needed), reports its progress and its outcome."""

    # The engine's Progress, emitted from the worker thread, received on the UI thread.
    progressed = Signal(object)
    # A sync started or ended (the status area swaps its progress for its summary).
    runningChanged = Signal(bool)
    # A sync ended: its SyncResult, or None when it could not start (the error is in ``error``).
    finished = Signal(object)

    def __init__(self, profile: Profile, runner: TaskRunner, parent: QWidget) -> None:
        super().__init__(parent)
        self.profile = profile
        self.runner = runner
        self.window = parent
        self.running = False
        self.last_result: SyncResult | None = None
        # What stopped the last attempt before the engine ran (a refused login, a bad address).
        self.error = ""
        # Said once a login found no keychain: the password is asked at each sync.
        self.keychain_note = ""
        # The running (or last) sync was started by the watcher of ui/sync/auto.py, not by a person.
        self.automatic = False
        # An automatic sync found no login: it asks for none, the status area says to log in.
        self.login_needed = False
        self._cancel = threading.Event()
        # Tests shorten the waits between tries; a person's sync keeps the engine's defaults.
        self.retry: Retry | None = None

    # --- starting ---------------------------------------------------------------------------

    def start(self) -> None:
        """Sync now, unless a sync is running; asks to log in first when there is no session."""
        self._start(automatic=False)

    def start_automatic(self) -> None:
        """The same sync, started by the watcher: without a session it ends at once, asking nothing."""
        self._start(automatic=True)

    def _start(self, *, automatic: bool) -> None:
        if self.running:
            return
        self.automatic = automatic
        self.login_needed = False
        self._set_running(True)
        from app.sync.status import sync_overview

        profile, call_db = self.profile, self.runner.call_db

        def look_up() -> Login:
            return find_login(call_db(lambda: sync_overview(profile)))

        # The keychain may wait on the desktop's keyring service: never on the UI thread.
        self.runner.run(look_up, on_done=self._have_login, on_error=self._could_not_start, io=True,
                        label="sync")

    def _have_login(self, found: Login) -> None:
        if found.session is not None:
            self._run(found.session)
            return
        if self.automatic:
            # Nobody asked for this sync: no password dialog pops up by itself.
            self.login_needed = True
            self._set_running(False)
            self.finished.emit(None)
            return
        session = self.ask_login(found.server_url, found.login, found.no_keychain)
        if session is None:
            self._set_running(False)
            self.finished.emit(None)
            return
        self._run(session)

    def ask_login(self, server_url: str = "", login: str = "", no_keychain: str = "",
                  reason: str = "") -> Session | None:
        """Show the login dialog; the session it made, or None when the person closed it."""
        from ui.sync.login_dialog import LoginDialog

        dialog = LoginDialog(self.profile, self.runner, server_url=server_url, login=login,
                             no_keychain=no_keychain, reason=reason, retry=self.retry, parent=self.window)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.session is None:
            return None
        if dialog.keychain_note:
            self.keychain_note = dialog.keychain_note
        self.error = ""
        self.automatic = self.login_needed = False
        return dialog.session

    def log_in(self) -> None:
        """The login dialog on its own (from the menu, or after an expired login), then a sync."""
        if self.running:
            return
        from app.sync.status import sync_overview

        self.runner.run(lambda: sync_overview(self.profile), on_done=self._log_in_with, on_error=self._could_not_start)

    def _log_in_with(self, overview: SyncOverview) -> None:
        session = self.ask_login(overview.server_url, overview.login)
        if session is not None:
            self._set_running(True)
            self._run(session)

    # --- running ----------------------------------------------------------------------------

    def _run(self, session: Session) -> None:
        from app.sync.client import Cancelled
        from app.sync.engine import sync
        from app.sync.status import open_for_sync

        self._cancel.clear()
        profile, cancel, retry, emit = self.profile, self._cancel, self.retry, self.progressed.emit

        def work(progress: TaskProgress) -> SyncResult:
            def report(step: Progress) -> None:
                # Also stopped when the window closes (the runner cancels its background tasks).
                if cancel.is_set() or progress.cancelled:
                    raise Cancelled("stopped by the inspector")
                emit(step)

            handle = open_for_sync(profile)
            try:
                return sync(handle, session, report, retry=retry)
            finally:
                handle.close()

        self.runner.run(work, on_done=self._done, on_error=self._could_not_start, io=True, label="sync")

    def cancel(self) -> None:
        """Stop the running sync at its next safe point; what was done stays done."""
        self._cancel.set()

    def _done(self, result: SyncResult) -> None:
        from app.sync.status import follow_clock

        self.last_result = result
        self.error = ""
        # The engine moved its own handle's clock; the inspector's next edit must sort after it.
        self.runner.run(lambda: follow_clock(self.profile), on_error=report_unexpected)
        self._set_running(False)
        self.finished.emit(result)

    def _could_not_start(self, exc: BaseException) -> None:
        self._set_running(False)
        if not isinstance(exc, FieldmarkError):
            report_unexpected(exc)
            return
        self.last_result = None
        self.error = str(exc)
        self.finished.emit(None)

    def _set_running(self, running: bool) -> None:
        self.running = running
        self.runningChanged.emit(running)
