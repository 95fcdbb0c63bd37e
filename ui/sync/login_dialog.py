"""Log in to the office's server: its address, the login name and the password.

The address and the login name are remembered in the profile's settings (``app.sync.device.login``
does it); the token goes to the keychain and nowhere else, and the password is never kept. Without
a keychain the dialog says so: the login then serves this sync only, and the next one asks again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.errors import FieldmarkError
from ui.error_report import report_unexpected
from ui.tasks import TaskRunner

if TYPE_CHECKING:
    from app.profile import Profile
    from app.sync.client import Retry
    from app.sync.device import Session


def log_in(profile: Profile, server_url: str, login_name: str, password: str, keep: bool,
           retry: Retry | None) -> tuple[Session, bool]:
    """Log in on a second handle (network waits stay off the database thread); the session and
    whether the keychain kept its token."""
    from app import credentials
    from app.sync.device import login
    from app.sync.status import open_for_sync

    handle = open_for_sync(profile)
    try:
        session = login(handle, server_url, login_name, password, keep=keep, retry=retry)
    finally:
        handle.close()
    try:
        kept = keep and credentials.load_token(session.server_url, session.login) is not None
    except credentials.NoKeychain:
        kept = False
    return session, kept


class LoginDialog(QDialog):
    def __init__(self, profile: Profile, runner: TaskRunner, *, server_url: str = "", login: str = "",
                 no_keychain: str = "", reason: str = "", retry: Retry | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from app import credentials

        self.profile = profile
        self.runner = runner
        self.retry = retry
        self.session: Session | None = None
        self.keychain_note = ""
        self.keep = not no_keychain and credentials.keychain_available()
        self.setWindowTitle(self.tr("Log in to the server"))

        self.reason = QLabel(reason, self)
        self.reason.setWordWrap(True)
        self.reason.setVisible(bool(reason))
        self.server_url = QLineEdit(server_url, self)
        self.server_url.setPlaceholderText("https://")
        self.login_name = QLineEdit(login, self)
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.keychain = QLabel(self)
        self.keychain.setWordWrap(True)
        if self.keep:
            self.keychain.setText(self.tr("The login is kept in this computer's keychain; the password is not kept."))
        else:
            self.keychain.setText(self.tr(
                "No keychain is available on this computer: Fieldmark does not keep your login, and asks "
                "for the password at each sync."))
            self.keychain.setProperty("warning", True)
            self.keychain.setStyleSheet("color: #8a4b00;")
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020;")
        self.error.hide()

        form = QFormLayout()
        form.addRow(self.tr("Server address:"), self.server_url)
        form.addRow(self.tr("Login name:"), self.login_name)
        form.addRow(self.tr("Password:"), self.password)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.ok = self.buttons.addButton(self.tr("&Log in"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.reason)
        layout.addLayout(form)
        layout.addWidget(self.keychain)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(440)
        # Straight to what is missing: usually only the password.
        for field in (self.server_url, self.login_name, self.password):
            if not field.text():
                field.setFocus()
                break

    def submit(self) -> None:
        url, name, password = self.server_url.text().strip(), self.login_name.text().strip(), self.password.text()
        if not url or not name or not password:
            self.show_error(self.tr("Fill in the server address, the login name and the password."))
            return
        if not url.startswith(("https://", "http://")):
            self.show_error(self.tr("The server address starts with https://"))
            return
        self.ok.setEnabled(False)
        self.error.setText(self.tr("Logging in…"))
        self.error.setStyleSheet("")
        self.error.show()
        profile, keep, retry = self.profile, self.keep, self.retry
        self.runner.run(lambda: log_in(profile, url, name, password, keep, retry), on_done=self._logged_in,
                        on_error=self._refused, io=True, label="log in")

    def _logged_in(self, answer: tuple[Session, bool]) -> None:
        self.session, kept = answer
        self.password.clear()
        if not kept:
            self.keychain_note = self.tr(
                "No keychain is available: the password is asked at each sync.")
        self.accept()

    def _refused(self, exc: BaseException) -> None:
        self.ok.setEnabled(True)
        self.password.clear()
        if not isinstance(exc, FieldmarkError):
            self.error.hide()
            report_unexpected(exc)
            return
        from app.sync.client import SyncError
        from ui.sync.words import reason_text

        if isinstance(exc, SyncError) and exc.reason == "authentication":
            self.show_error(self.tr("The server did not accept this login name with that password."))
        elif isinstance(exc, SyncError):
            self.show_error(reason_text(exc.reason) + "\n" + str(exc))
        else:
            self.show_error(str(exc))

    def show_error(self, text: str) -> None:
        self.error.setStyleSheet("color: #b00020;")
        self.error.setText(text)
        self.error.show()
