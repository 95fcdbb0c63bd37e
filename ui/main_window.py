"""The main window: four views, the open visit's checklist, menus and the sync status."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from app import __version__
from app.errors import FieldmarkError
from app.logs import log_file
from ui.error_report import report_unexpected
from ui.pages.base import WorkspacePage
from ui.sync.status_widget import SyncStatusWidget
from ui.tasks import TaskRunner
from ui.widgets.geometry import place_window

if TYPE_CHECKING:
    # The core's modules load with the profile, after the window is on screen (start-up time).
    from app.overview import Assignment
    from app.profile import Profile
    from app.session import Position
    from app.sync.engine import SyncResult
    from ui.checklist.checklist_page import ChecklistPage
    from ui.pages.rubrics_page import RubricsPage
    from ui.pages.today_page import TodayPage
    from ui.pages.units_page import UnitsPage
    from ui.pages.visits_page import VisitsPage
    from ui.pages.welcome_page import WelcomePage


class MainWindow(QMainWindow):
    """The inspector's workspace. Pages load through the runner; the window only routes."""

    # The window is on screen with its first view's data and the sync status loaded.
    ready = Signal()

    TODAY, VISITS, UNITS, RUBRICS = range(4)

    def __init__(self, profile: Profile | None, runner: TaskRunner, *, today: date | None = None,
                 parent: QWidget | None = None) -> None:
        """With ``profile`` None the window shows at once and waits for ``attach_profile``."""
        super().__init__(parent)
        self.profile: Profile = None  # type: ignore[assignment]  # set by attach_profile
        self.runner = runner
        self.today = today or date.today()
        self._checklist: ChecklistPage | None = None
        # Shown over the views while the profile is empty (the first run); None once left.
        self.welcome: WelcomePage | None = None
        self.open_visit_id: str | None = None
        self.print_dialog: QWidget | None = None
        self._waiting_for_ready = {"page", "status"}
        self.setWindowTitle(self.tr("Fieldmark"))
        # Today is built with the profile; the other views when first shown.
        self.pages: list[WorkspacePage | None] = [None, None, None, None]

        self.stack = QStackedWidget(self)
        self.nav = QListWidget(self)
        self.nav.setAccessibleName(self.tr("Views"))
        self.nav.setFrameShape(QListWidget.Shape.NoFrame)
        self.nav.setIconSize(QSize(0, 0))
        self.nav.setSpacing(1)
        self.nav.setStyleSheet("QListWidget::item { padding: 7px 12px; }")
        titles = [self.tr("Today"), self.tr("Visits"), self.tr("Units"), self.tr("Rubrics")]
        for title in titles:
            self.stack.addWidget(QWidget(self.stack))
            QListWidgetItem(title, self.nav)
        # The open visit's entry appears once a visit is open, so the user can go back to it.
        self.visit_entry = QListWidgetItem(self.tr("Open visit"), self.nav)
        self.visit_entry.setHidden(True)
        self.nav.setFixedWidth(max(150, self.nav.sizeHintForColumn(0) + 40))
        self.nav.currentRowChanged.connect(self._nav_changed)
        self.stack.currentChanged.connect(self._stack_changed)

        central = QWidget(self)
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.busy_label = QLabel(self)
        self.sync_status = SyncStatusWidget(runner, self)
        # The figures every view's edits change, named as before the sync area had its own widget.
        self.pending_label = self.sync_status.pending_label
        self.sync_label = self.sync_status.receipt_label
        self.statusBar().addWidget(self.busy_label, 1)
        self.statusBar().addPermanentWidget(self.sync_status)
        self.sync_status.loaded.connect(lambda _overview: self._part_ready("status"))
        self.sync_status.conflictsRequested.connect(self.review_conflicts)
        # Bound methods, not lambdas: Qt drops these connections when the window is destroyed.
        runner.started.connect(self._task_started)
        runner.finished.connect(self._task_finished)

        self._build_menus()
        self._fit_to_screen()
        if profile is not None:
            self.attach_profile(profile)
        else:
            self.busy_label.setText(self.tr("Opening the profile…"))
            self._set_profile_actions(False)

    def _task_started(self, _task_id: int, label: str) -> None:
        self.busy_label.setText(self.tr("Working…") if label else "")

    def _task_finished(self, _task_id: int) -> None:
        if not self.runner.busy:
            self.busy_label.clear()

    def attach_profile(self, profile: Profile) -> None:
        """The profile is open: build the Today view and load the first data."""
        from ui.pages.today_page import TodayPage

        self.profile = profile
        self.today_page: TodayPage = TodayPage(profile, self.runner, self.today, self)
        self._install_page(self.TODAY, self.today_page)
        self.today_page.startAssignmentRequested.connect(self.new_visit_from_assignment)
        self.today_page.newVisitRequested.connect(lambda: self.new_visit())
        self.today_page.loaded.connect(lambda: self._part_ready("page"))
        self.sync = self.sync_status.attach(profile)
        self.sync.finished.connect(self._synced)
        self._set_profile_actions(True)
        self.busy_label.clear()
        self.nav.setCurrentRow(self.TODAY)
        self.stack.setCurrentIndex(self.TODAY)
        self.refresh_status()
        from ui.pages.welcome_page import profile_is_empty

        self.runner.run(lambda: profile_is_empty(profile), on_done=self._first_run_checked,
                        on_error=self.show_error, label="first run")

    def _set_profile_actions(self, enabled: bool) -> None:
        # Until the profile is open there is nothing to show or change.
        self.nav.setEnabled(enabled)
        for action in (self.new_visit_action, self.settings_action, self.find_action, self.refresh_action,
                       *self.view_actions, *self.sync_actions):
            action.setEnabled(enabled)

    # --- first run ---------------------------------------------------------------------------

    def _first_run_checked(self, empty: bool) -> None:
        if empty and self.welcome is None:
            self.show_welcome()

    def show_welcome(self) -> None:
        """The welcome page in place of the views, until one of its choices fills the profile."""
        from ui.bundles.dialogs import BundleActions
        from ui.pages.welcome_page import WelcomePage

        page = WelcomePage(self.stack)
        page.connectRequested.connect(self.log_in)
        page.demoRequested.connect(self.load_demo)
        # The File menu's import flow: the same file dialog, trust question and messages.
        self.welcome_import = BundleActions(self)
        self.welcome_import.changed.connect(self.leave_welcome)
        page.importRequested.connect(self.welcome_import.import_)
        # A login succeeded once a sync starts (from here or the Sync menu): the server fills Today.
        self.sync.runningChanged.connect(self._welcome_sync_running)
        self.stack.addWidget(page)
        self.stack.setCurrentWidget(page)
        self.welcome = page
        self.nav.setVisible(False)
        for action in (self.new_visit_action, self.find_action, *self.view_actions):
            action.setEnabled(False)

    def _welcome_sync_running(self, running: bool) -> None:
        if running:
            self.leave_welcome()

    def leave_welcome(self) -> None:
        """The profile has data (or a server): the views come back, on Today, never to leave again."""
        page, self.welcome = self.welcome, None
        if page is None:
            return
        self.sync.runningChanged.disconnect(self._welcome_sync_running)
        self.nav.setVisible(True)
        for action in (self.new_visit_action, self.find_action, *self.view_actions):
            action.setEnabled(True)
        self.stack.removeWidget(page)
        page.deleteLater()
        self.refresh_all()
        self.show_page(self.TODAY)
        self.stack.setCurrentIndex(self.TODAY)

    def load_demo(self) -> None:
        """Fill the empty profile with the demo office, as ``make run`` does for a new data folder."""
        from app.demo import build_demo

        page = self.welcome
        if page is None:
            return
        page.set_busy(self.tr("Loading the demo data…"))
        profile, today = self.profile, self.today
        self.runner.run(lambda: build_demo(profile, today=today), on_done=lambda _summary: self.leave_welcome(),
                        on_error=self._demo_failed, label="demo")

    def _demo_failed(self, exc: BaseException) -> None:
        from ui.pages.welcome_page import profile_is_empty

        if self.welcome is not None:
            self.welcome.set_busy("")
        self.show_error(exc)
        # What was written before the failure is the inspector's to look at, not hidden behind this page.
        self.runner.run(lambda: profile_is_empty(self.profile),
                        on_done=lambda empty: None if empty else self.leave_welcome(), on_error=self.show_error)

    # --- menus -------------------------------------------------------------------------------

    def _action(self, text: str, shortcut: QKeySequence.StandardKey | str | None, slot: object) -> QAction:
        action = QAction(text, self)
        # setShortcuts, not setShortcut: the latter's overload lookup builds dozens of Python
        # enum classes on first use (~40 ms of start-up); a standard key gets all its bindings.
        if isinstance(shortcut, str):
            action.setShortcuts([QKeySequence(shortcut)])
        elif shortcut is not None:
            action.setShortcuts(QKeySequence.keyBindings(shortcut))
        action.triggered.connect(slot)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        self.new_visit_action = self._action(self.tr("&New visit…"), QKeySequence.StandardKey.New,
                                             lambda: self.new_visit())
        self.settings_action = self._action(self.tr("&Settings…"), "Ctrl+,", self.show_settings)
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        quit_action = self._action(self.tr("&Quit"), QKeySequence.StandardKey.Quit, self.close)
        quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        file_menu.addActions([self.new_visit_action, self.settings_action])
        file_menu.addSeparator()
        from ui.bundles import bundle_actions

        file_menu.addActions(bundle_actions(self))
        file_menu.addSeparator()
        from ui.backup_flows import backup_actions

        file_menu.addActions(backup_actions(self))
        file_menu.addSeparator()
        file_menu.addAction(quit_action)

        view_menu = bar.addMenu(self.tr("&View"))
        self.view_actions: list[QAction] = []
        for index, title in enumerate([self.tr("&Today"), self.tr("&Visits"), self.tr("&Units"), self.tr("&Rubrics")]):
            action = self._action(title, f"Ctrl+{index + 1}", lambda _=False, i=index: self.show_page(i))
            self.view_actions.append(action)
            view_menu.addAction(action)
        view_menu.addSeparator()
        self.find_action = self._action(self.tr("&Find"), QKeySequence.StandardKey.Find, self.focus_search)
        self.refresh_action = self._action(self.tr("&Refresh"), QKeySequence.StandardKey.Refresh, self.refresh_all)
        view_menu.addActions([self.find_action, self.refresh_action])

        # The open visit's own actions (gap check, sign, finalize, close…) join this menu when
        # the checklist is first made; their shortcuts belong to the page, so none is doubled.
        self.visit_menu = bar.addMenu(self.tr("V&isit"))
        self.back_to_visit_action = self._action(self.tr("&Back to open visit"), "Ctrl+5", self.show_open_visit)
        self.visit_menu.addAction(self.back_to_visit_action)
        self.visit_menu.addSeparator()
        self.print_actions = [
            self._action(self.tr("&Print feedback sheet…"), QKeySequence.StandardKey.Print,
                         lambda: self.print_visit("feedback")),
            self._action(self.tr("Print &rectification notice…"), None, lambda: self.print_visit("rectification")),
            self._action(self.tr("Print full &report…"), None, lambda: self.print_visit("full")),
        ]
        self.visit_menu.addActions(self.print_actions)
        self.visit_menu.setEnabled(False)

        sync_menu = bar.addMenu(self.tr("&Sync"))
        self.sync_action = self._action(self.tr("&Sync now"), "Ctrl+Shift+S", self.start_sync)
        self.login_action = self._action(self.tr("&Log in to the server…"), None, self.log_in)
        self.conflicts_action = self._action(self.tr("Review &conflicts…"), None, self.review_conflicts)
        from ui.free_space import FreeSpaceAction

        self.free_space = FreeSpaceAction(self)
        self.free_space_action = self.free_space.action()
        self.sync_actions = [self.sync_action, self.login_action, self.conflicts_action, self.free_space_action]
        sync_menu.addActions(self.sync_actions[:3])
        sync_menu.addSeparator()
        sync_menu.addAction(self.free_space_action)

        help_menu = bar.addMenu(self.tr("&Help"))
        from ui.backup_flows import diagnostics_action

        help_menu.addAction(diagnostics_action(self))
        help_menu.addAction(self._action(self.tr("&About Fieldmark"), None, self.show_about))

    def _fit_to_screen(self) -> None:
        # Comfortable on a 1366×768 laptop, never larger than the screen it opens on, and where
        # the inspector left it last time (maximized or not).
        self.setMinimumSize(800, 500)
        place_window(self, "MainWindow", QSize(1280, 760))

    # --- navigation --------------------------------------------------------------------------

    def _install_page(self, index: int, page: WorkspacePage) -> None:
        placeholder = self.stack.widget(index)
        self.stack.blockSignals(True)
        self.stack.insertWidget(index, page)
        self.stack.removeWidget(placeholder)
        self.stack.blockSignals(False)
        placeholder.deleteLater()
        page.openVisitRequested.connect(self.open_visit)
        page.failed.connect(self.show_error)
        self.pages[index] = page

    def page(self, index: int) -> WorkspacePage:
        """The view at ``index``, built on first use."""
        page = self.pages[index]
        if page is None:
            if index == self.VISITS:
                from ui.pages.visits_page import VisitsPage

                page = VisitsPage(self.profile, self.runner, self)
            elif index == self.UNITS:
                from ui.pages.units_page import UnitsPage

                page = UnitsPage(self.profile, self.runner, self)
                page.showVisitsRequested.connect(self.show_unit_visits)
            else:
                from ui.pages.rubrics_page import RubricsPage

                page = RubricsPage(self.profile, self.runner, self)
            self._install_page(index, page)
        return page

    @property
    def visits_page(self) -> VisitsPage:
        return self.page(self.VISITS)  # type: ignore[return-value]

    @property
    def units_page(self) -> UnitsPage:
        return self.page(self.UNITS)  # type: ignore[return-value]

    @property
    def rubrics_page(self) -> RubricsPage:
        return self.page(self.RUBRICS)  # type: ignore[return-value]

    def show_page(self, index: int) -> None:
        self.nav.setCurrentRow(index)

    def current_page_index(self) -> int:
        return self.stack.currentIndex()

    def _nav_changed(self, row: int) -> None:
        if row < 0:
            return
        if self.nav.item(row) is self.visit_entry:
            if self._checklist is not None:
                self.stack.setCurrentWidget(self._checklist)
            return
        self.page(row)
        self.stack.setCurrentIndex(row)

    def _stack_changed(self, index: int) -> None:
        widget = self.stack.widget(index)
        if isinstance(widget, WorkspacePage):
            row = index
        else:
            row = self.nav.row(self.visit_entry)
        if self.nav.currentRow() != row:
            self.nav.blockSignals(True)
            self.nav.setCurrentRow(row)
            self.nav.blockSignals(False)

    def focus_search(self) -> None:
        widget = self.stack.currentWidget()
        if isinstance(widget, WorkspacePage):
            widget.focus_search()

    def show_unit_visits(self, unit_id: str, unit_name: str) -> None:
        self.visits_page.show_unit(unit_id, unit_name)
        self.show_page(self.VISITS)

    # --- visits ------------------------------------------------------------------------------

    def checklist_page(self) -> ChecklistPage:
        """The checklist, made on first use: most starts never open a visit before the list shows."""
        if self._checklist is None:
            from ui.checklist.checklist_page import ChecklistPage

            page = ChecklistPage(self.profile, self.runner, self)
            page.visitChanged.connect(self.visit_changed)
            page.closeRequested.connect(self.close_visit)
            self.stack.addWidget(page)
            self._checklist = page
            page_actions = [a for a in page.actions() if a.text()]
            if page_actions:
                self.visit_menu.addSeparator()
                self.visit_menu.addActions(page_actions)
        return self._checklist

    def open_visit(self, visit_id: str, rubric_hash: str | None = None, item_code: str | None = None) -> None:
        """Show the checklist of ``visit_id``, at ``item_code`` of ``rubric_hash`` if given."""
        page = self.checklist_page()
        page.open_visit(visit_id, rubric_hash, item_code)
        self.open_visit_id = visit_id
        self.visit_entry.setHidden(False)
        self.visit_menu.setEnabled(True)
        self.stack.setCurrentWidget(page)
        # Crash-resume: the visit is remembered now; the checklist refines it to the item.
        from app.session import Position

        position = Position(visit_id, rubric_hash, item_code)
        self.runner.run(lambda: _save_position(self.profile, position), on_error=self.show_error,
                        label="remember position")

    def print_visit(self, kind: str) -> None:
        """Preview and print a document of the open visit; the PDF is built off the UI thread."""
        if self._checklist is None or self.visit_entry.isHidden() or not self.open_visit_id:
            return
        from ui.print_preview_dialog import show_print_preview

        # Text typed a moment ago is still waiting to be saved; the sheet must carry it.
        self._checklist.flush()
        self.print_dialog = show_print_preview(self, self.profile, self.runner, self.open_visit_id, kind)

    def resume(self, position: Position) -> None:
        """Reopen where the inspector was when the app last stopped."""
        self.open_visit(position.visit_id, position.rubric_hash, position.item_code)

    def show_open_visit(self) -> None:
        if self._checklist is not None and not self.visit_entry.isHidden():
            self.stack.setCurrentWidget(self._checklist)

    def close_visit(self) -> None:
        if self._checklist is None or self.visit_entry.isHidden():
            return
        self.visit_entry.setHidden(True)
        self.visit_menu.setEnabled(False)
        self.runner.run(lambda: _save_position(self.profile, None), on_error=self.show_error,
                        label="forget position")
        self.show_page(self.TODAY)
        self.visit_changed("")

    def visit_changed(self, _visit_id: str) -> None:
        """A visit changed (answers, status): lists and the sync status are out of date."""
        for page in self.pages[: self.RUBRICS]:
            if page is not None:
                page.mark_stale()
        self.refresh_status()

    def new_visit(self, assignment: Assignment | None = None) -> None:
        from ui.dialogs.new_visit_dialog import NewVisitDialog

        dialog = NewVisitDialog(self.profile, self.runner, today=self.today, assignment=assignment, parent=self)
        dialog.failed.connect(self.show_error)
        if dialog.exec() and dialog.created_visit_id:
            self.visit_changed(dialog.created_visit_id)
            self.open_visit(dialog.created_visit_id)

    def new_visit_from_assignment(self, assignment: Assignment) -> None:
        self.new_visit(assignment)

    # --- status, settings, errors ------------------------------------------------------------

    def refresh_status(self) -> None:
        self.sync_status.refresh()

    # --- sync --------------------------------------------------------------------------------

    def start_sync(self) -> None:
        # Text typed a moment ago is still waiting for its pause: send it with this sync.
        if self._checklist is not None:
            self._checklist.flush()
        self.sync.start()

    def log_in(self) -> None:
        self.sync.log_in()

    def review_conflicts(self) -> None:
        from ui.sync.conflict_dialog import ConflictDialog

        dialog = ConflictDialog(self.profile, self.runner, self)
        dialog.resolved.connect(lambda _id: self._changed_by_sync(reload_visit=True))
        dialog.exec()

    def _synced(self, result: SyncResult | None) -> None:
        self._changed_by_sync(reload_visit=result is not None and result.rows_pulled > 0)

    def _changed_by_sync(self, *, reload_visit: bool) -> None:
        """Rows came from the server or a conflict was settled: every view reloads what it shows."""
        self.refresh_all()
        page = self._checklist
        if not reload_visit or page is None or self.visit_entry.isHidden() or not self.open_visit_id:
            return
        # Reopened where the inspector is, unless answers typed here still wait to be saved.
        page.flush()
        if page.unsaved()[0] == 0:
            current = getattr(page, "current", None)
            rubric_hash, item_code = current if current else (None, None)
            page.open_visit(self.open_visit_id, rubric_hash, item_code)

    def _part_ready(self, part: str) -> None:
        if part in self._waiting_for_ready:
            self._waiting_for_ready.discard(part)
            if not self._waiting_for_ready:
                self.ready.emit()

    def refresh_all(self) -> None:
        for page in self.pages:
            if page is not None:
                page.mark_stale()
        self.refresh_status()

    def show_settings(self) -> None:
        from ui.dialogs.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.profile, self.runner, parent=self)
        dialog.failed.connect(self.show_error)
        dialog.exec()

    def about_text(self) -> str:
        """The About box's text: the version, what it runs on and where the data is, for support calls."""
        import platform

        from PySide6 import __version__ as pyside_version
        from PySide6.QtCore import qVersion

        folder = str(self.profile.root) if self.profile is not None else self.tr("not open yet")
        text = self.tr(
            "Fieldmark {version}\n\nOffline-first inspection checklists, live scoring and feedback.\n\n"
            "Python {python}, Qt {qt} (PySide6 {pyside})\nData folder: {folder}").format(
            version=__version__, python=platform.python_version(), qt=qVersion(), pyside=pyside_version,
            folder=folder)
        offered = self.sync_status.newer_release()
        if offered is not None:
            text += "\n\n" + self.tr("Fieldmark {version} is available from the office: {url}").format(
                version=offered.version, url=offered.download_url)
        return text

    def show_about(self) -> None:
        box = QMessageBox(QMessageBox.Icon.NoIcon, self.tr("About Fieldmark"), self.about_text(),
                          QMessageBox.StandardButton.Close, self)
        # The data folder is there to be copied into a support message.
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        icon = QApplication.windowIcon()
        if not icon.isNull():
            box.setIconPixmap(icon.pixmap(64, 64))
        self.about_box = box
        box.exec()

    def show_error(self, exc: BaseException) -> None:
        """Show a core error as a message; anything else is a bug: logged and shown with its details."""
        if not isinstance(exc, FieldmarkError):
            report_unexpected(exc)
            return
        QMessageBox.warning(self, self.tr("Fieldmark"), str(exc))

    def closeEvent(self, event: QCloseEvent) -> None:
        # Text typed a moment ago is still waiting for its pause: save it, then wait for every
        # write, and only close when the checklist says all is on disk (or the user lets go).
        # Open dialogs first (the photo viewer holds a caption being typed): closing them saves it.
        for dialog in self.findChildren(QDialog):
            if dialog.isVisible():
                dialog.close()
        page = self._checklist
        while page is not None:
            page.flush()
            self.runner.wait_idle()
            self.runner.deliver_pending()
            count, error = page.unsaved()
            if not count:
                break
            choice = self.ask_unsaved(count, error)
            if choice == "retry":
                page.retry_saves()
                continue
            if choice == "cancel":
                event.ignore()
                return
            page.abandon_unsaved()
            break
        event.accept()

    def ask_unsaved(self, count: int, error: BaseException | None) -> str:
        """Closing with answers that could not be saved: "retry", "quit" or "cancel"."""
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Fieldmark"),
                          self.tr("%n answer(s) could not be saved.", "", count), parent=self)
        path = log_file()
        reason = self._checklist.save_error_text(error) if error and self._checklist else ""
        box.setInformativeText((reason + "\n\n" if reason else "") + (
            self.tr("If you quit now, they are written to the log file {path} so they can be "
                    "typed in again.").format(path=path) if path else
            self.tr("If you quit now, they are lost.")))
        retry = box.addButton(self.tr("&Retry"), QMessageBox.ButtonRole.AcceptRole)
        quit_button = box.addButton(self.tr("&Quit without them"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(retry)
        box.exec()
        clicked = box.clickedButton()
        return "retry" if clicked is retry else "quit" if clicked is quit_button else "cancel"



def _save_position(profile: Profile, position: Position | None) -> None:
    from app.session import save_position

    save_position(profile, position)
