"""The sync status area at the foot of the window.

Idle, it shows the last sync's trouble in words (with "Log in…" when the login is what is missing),
the open conflicts (a button to review them), the changes not yet synced, the last receipt (when,
and its number on the server), and the Sync button. While a sync runs, the same place shows its
step with counts, a progress bar and Cancel; the rest of the window stays usable.
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from ui.sync.auto import AutoSync
from ui.sync.controller import SyncController
from ui.sync.words import progress_text, reason_text, result_details
from ui.tasks import TaskRunner
from ui.widgets.i18n import format_datetime, ui_language

if TYPE_CHECKING:
    from app.profile import Profile
    from app.sync.engine import Progress, SyncResult
    from app.sync.release import Release
    from app.sync.status import SyncOverview

ERROR_STYLE = "color: #b00020;"
CONFLICT_STYLE = "QPushButton { color: #8a4b00; font-weight: bold; }"


class SyncStatusWidget(QWidget):
    """Owns the sync controller of the window; ``loaded`` after each refresh of the figures."""

    loaded = Signal(object)  # SyncOverview
    conflictsRequested = Signal()

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.profile: Profile | None = None
        self.controller: SyncController | None = None
        # Syncs by itself when the server can be reached again, if the setting says so.
        self.auto: AutoSync | None = None
        self.auto_synced_at = ""  # "14:32": when the last automatic sync completed
        self.overview: SyncOverview | None = None

        self.error_label = QLabel(self)
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.login_button = QPushButton(self.tr("Log in…"), self)
        self.login_button.setFlat(True)
        self.conflicts_button = QPushButton(self)
        self.conflicts_button.setFlat(True)
        self.conflicts_button.setStyleSheet(CONFLICT_STYLE)
        self.conflicts_button.setToolTip(self.tr("Review the conflicts: choose which version to keep"))
        self.conflicts_button.clicked.connect(self.conflictsRequested)
        self.pending_label = QLabel(self)
        self.receipt_label = QLabel(self)
        # A newer Fieldmark the office offers: its version and the office's download link. Only
        # said, never installed: the inspector updates when no visit is under way.
        self.update_label = QLabel(self)
        self.update_label.setTextFormat(Qt.TextFormat.RichText)
        self.update_label.setOpenExternalLinks(True)
        self.update_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.progress_label = QLabel(self)
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setFixedWidth(140)
        self.progress_bar.setTextVisible(False)
        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        self.sync_button = QPushButton(self.tr("Sync"), self)
        self.sync_button.setToolTip(self.tr("Send your work to the server and receive the team's (Ctrl+Shift+S)"))

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 4, 0)
        layout.setSpacing(10)
        for widget in (self.error_label, self.login_button, self.conflicts_button, self.progress_label,
                       self.progress_bar, self.cancel_button, self.update_label, self.pending_label,
                       self.receipt_label, self.sync_button):
            layout.addWidget(widget)
        for widget in (self.error_label, self.login_button, self.conflicts_button, self.progress_label,
                       self.progress_bar, self.cancel_button, self.update_label):
            widget.hide()
        self.sync_button.setEnabled(False)

    def attach(self, profile: Profile) -> SyncController:
        self.profile = profile
        self.controller = controller = SyncController(profile, self.runner, self.window())
        controller.progressed.connect(self.show_progress)
        controller.runningChanged.connect(self._running_changed)
        controller.finished.connect(self._finished)
        self.sync_button.clicked.connect(controller.start)
        self.cancel_button.clicked.connect(self._cancel)
        self.login_button.clicked.connect(controller.log_in)
        self.sync_button.setEnabled(True)
        self.auto = AutoSync(controller, self.runner, parent=self)
        self.auto.changed.connect(self._show_error)
        self.auto.reload()
        return controller

    # --- the figures --------------------------------------------------------------------------

    def refresh(self) -> None:
        if self.profile is None:
            return
        from app.sync.status import sync_overview

        profile = self.profile
        self.runner.run(lambda: sync_overview(profile), on_done=self.show_overview, label="")

    def show_overview(self, overview: SyncOverview) -> None:
        self.overview = overview
        self.pending_label.setText(self.tr("Not synced: %n change(s)", "", overview.pending_changes))
        if overview.last_receipt_at and self.auto_synced_at:
            self.receipt_label.setText(self.tr("Synced automatically at {time}").format(time=self.auto_synced_at))
        elif overview.last_receipt_at:
            self.receipt_label.setText(self.tr("Last sync: {date}").format(
                date=format_datetime(overview.last_receipt_at)))
        if overview.last_receipt_at:
            self.receipt_label.setToolTip(self.tr("The server's receipt no. {seq}, {date}").format(
                seq=overview.last_server_seq, date=format_datetime(overview.last_receipt_at)))
        else:
            self.receipt_label.setText(self.tr("Last sync: never"))
            self.receipt_label.setToolTip("")
        self.conflicts_button.setText(self.tr("%n conflict(s) to review", "", overview.open_conflicts))
        self.conflicts_button.setVisible(bool(overview.open_conflicts) and not self._running())
        self._show_release(overview.newer_release)
        self._show_error()
        self.loaded.emit(overview)

    def newer_release(self) -> Release | None:
        return self.overview.newer_release if self.overview is not None else None

    def _show_release(self, offered: Release | None) -> None:
        if offered is None:
            self.update_label.clear()
            self.update_label.hide()
            return
        self.update_label.setText(self.tr("Fieldmark {version} is available: <a href=\"{url}\">download</a>").format(
            version=escape(offered.version), url=escape(offered.download_url, quote=True)))
        notes = offered.notes_zh if ui_language() == "zh" else offered.notes_en or offered.notes_zh
        tip = [self.tr("From the office: {url}").format(url=offered.download_url)]
        if notes:
            tip.append(notes)
        tip.append(self.tr("Install it when no visit is under way: Fieldmark never updates itself, and your "
                           "work stays in the data folder."))
        self.update_label.setToolTip("\n".join(tip))
        self.update_label.setVisible(not self._running())

    def _running(self) -> bool:
        return self.controller is not None and self.controller.running

    def _show_error(self) -> None:
        controller = self.controller
        result = controller.last_result if controller else None
        text, details, login = "", [], False
        auto_note = self.auto.note if self.auto is not None else ""
        if controller is not None and controller.error:
            text = controller.error
        elif auto_note == "login":
            text, login = self.tr("Log in to sync automatically."), True
            details = [self.auto.no_keychain] if self.auto is not None and self.auto.no_keychain else []
        elif result is not None and result.reason and not (
                result.reason == "conflicts" and self.overview is not None and not self.overview.open_conflicts):
            # Conflicts resolved since the sync ended are no trouble any more.
            count = self.overview.open_conflicts if self.overview else result.open_conflicts
            text = reason_text(result.reason, count)
            details = result_details(result)
            login = result.reason == "authentication"
            if result.reason == "offline" and auto_note == "offline":
                text = self._auto_offline_text()
        if not text and auto_note == "offline":
            text = self._auto_offline_text()
        if controller is not None and controller.keychain_note and not text:
            text = controller.keychain_note
        self.error_label.setText(text)
        self.error_label.setToolTip("\n".join(details))
        self.error_label.setVisible(bool(text) and not self._running())
        self.login_button.setVisible(login and not self._running())

    def _auto_offline_text(self) -> str:
        return self.tr("Offline: the server cannot be reached. Fieldmark syncs by itself when it can.")

    # --- a sync in progress ------------------------------------------------------------------

    def _running_changed(self, running: bool) -> None:
        for widget in (self.progress_label, self.progress_bar, self.cancel_button):
            widget.setVisible(running)
        self.cancel_button.setEnabled(True)
        self.sync_button.setEnabled(not running)
        if running:
            automatic = self.controller is not None and self.controller.automatic
            self.progress_label.setText(self.tr("Syncing automatically…") if automatic else self.tr("Syncing…"))
            self.progress_bar.setRange(0, 0)
            for widget in (self.error_label, self.login_button, self.conflicts_button, self.update_label):
                widget.hide()

    def show_progress(self, progress: Progress) -> None:
        if not self._running():
            return  # a report queued just before the end
        self.progress_label.setText(progress_text(progress))
        if progress.phase == "blobs" and progress.bytes_total:
            self.progress_bar.setRange(0, 1000)
            self.progress_bar.setValue(int(1000 * progress.bytes_done / progress.bytes_total))
        elif progress.items_total:
            self.progress_bar.setRange(0, progress.items_total)
            self.progress_bar.setValue(progress.items_done)
        else:
            self.progress_bar.setRange(0, 0)  # the count is not known ahead (a pull)

    def _cancel(self) -> None:
        if self.controller is not None:
            self.controller.cancel()
            self.cancel_button.setEnabled(False)
            self.progress_label.setText(self.tr("Stopping at a safe point…"))

    def _finished(self, result: SyncResult | None) -> None:
        automatic = self.controller is not None and self.controller.automatic
        if result is not None:
            # Local time, as on the inspector's watch.
            self.auto_synced_at = datetime.now().strftime("%H:%M") if automatic and result.complete else ""
        self.refresh()
