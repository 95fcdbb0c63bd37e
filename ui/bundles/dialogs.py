"""File → Export bundle… and Import bundle…: offline bundles from the desktop.

The work runs on a file-pool thread over a second handle on the profile (as a sync does), so a
bundle of a day's photos never holds up an answer being saved. Refusals are shown in words, with
the entry of the file they name; a team-mate's device seen for the first time is shown with its
key's fingerprint and trusted only if the inspector says so.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ui.tasks import TaskRunner

if TYPE_CHECKING:
    from app.models import Visit
    from app.profile import Profile
    from app.sync.bundle_export import Exported
    from app.sync.bundle_import import ImportedBundle

VISIT_ROLE = Qt.ItemDataRole.UserRole + 1
SUFFIX = ".fmbundle"


class ExportBundleDialog(QDialog):
    """Choose visits and whom the bundle is for; ``chosen`` and ``recipient`` say what was chosen."""

    def __init__(self, profile: Profile, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.profile = profile
        self.runner = runner
        self.setWindowTitle(self.tr("Export bundle"))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("Visits to carry in the bundle:")))
        self.visits = QListWidget()
        layout.addWidget(self.visits)
        self.for_office = QRadioButton(self.tr("For the office (encrypted: only the office's server can open it)"))
        self.for_team = QRadioButton(self.tr("For a team-mate's laptop"))
        self.for_office.setChecked(True)
        layout.addWidget(self.for_office)
        layout.addWidget(self.for_team)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Export…"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.visits.itemChanged.connect(self._update)
        self._update()
        self.runner.run(self._load, on_done=self._show)

    def _load(self) -> list[Visit]:
        from app.visits import list_visits

        return list_visits(self.profile, limit=500)

    def _show(self, visits: list[Visit]) -> None:
        words = {"in_progress": self.tr("in progress"), "finalized": self.tr("finalized"),
                 "amended": self.tr("amended"), "cancelled": self.tr("cancelled")}
        for visit in visits:
            item = QListWidgetItem(f"{visit.unit_name} · {visit.starts_on} · {words.get(visit.status, visit.status)}")
            item.setData(VISIT_ROLE, visit.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.visits.addItem(item)

    def chosen(self) -> list[str]:
        return [str(self.visits.item(i).data(VISIT_ROLE)) for i in range(self.visits.count())
                if self.visits.item(i).checkState() == Qt.CheckState.Checked]

    def recipient(self) -> str:
        return "office" if self.for_office.isChecked() else "team"

    def _update(self, *_: Any) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(self.chosen()))


class BundleActions(QObject):
    """The two menu entries' work; ``changed`` after an import stored something."""

    changed = Signal()

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window

    def actions(self) -> list[QAction]:
        export = QAction(self.tr("&Export bundle…"), self.window)
        export.triggered.connect(self.export)
        imported = QAction(self.tr("&Import bundle…"), self.window)
        imported.triggered.connect(self.import_)
        return [export, imported]

    @property
    def runner(self) -> TaskRunner:
        runner: TaskRunner = self.window.runner
        return runner

    # --- export ------------------------------------------------------------------------------

    def export(self) -> None:
        profile = self.window.profile
        if profile is None:
            return
        dialog = ExportBundleDialog(profile, self.runner, self.window)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        name, _ = QFileDialog.getSaveFileName(self.window, self.tr("Save bundle"), "visits" + SUFFIX,
                                              self.tr("Fieldmark bundles (*.fmbundle)"))
        if name:
            self.export_to(Path(name if name.endswith(SUFFIX) else name + SUFFIX), dialog.chosen(),
                           dialog.recipient())

    def export_to(self, out: Path, visits: list[str], recipient: str) -> None:
        from app.sync.bundle_export import export_bundle
        from app.sync.status import open_for_sync

        profile = self.window.profile

        def work() -> Exported:
            handle = open_for_sync(profile)
            try:
                return export_bundle(handle, visits, out, recipient="office" if recipient == "office" else "team")
            finally:
                handle.close()

        self.runner.run(work, on_done=self._exported, on_error=self._refused, io=True, label="bundle")

    def _exported(self, done: Exported) -> None:
        whom = (self.tr("It is encrypted for the office: hand it in, or import it on the server.")
                if done.recipient == "office" else self.tr("Your team-mate imports it with File → Import bundle…."))
        text = "\n".join([
            self.tr("Wrote %n visit(s) to {path}.", "", len(done.visits)).format(path=done.path),
            self.tr("%n photo(s) included.", "", done.blobs), whom,
            self.tr("Your changes stay marked as not yet synced until the server confirms them."),
        ])
        QMessageBox.information(self.window, self.tr("Export bundle"), text)

    # --- import ------------------------------------------------------------------------------

    def import_(self) -> None:
        if self.window.profile is None:
            return
        name, _ = QFileDialog.getOpenFileName(self.window, self.tr("Import bundle"), "",
                                              self.tr("Fieldmark bundles (*.fmbundle)"))
        if name:
            self.import_from(Path(name))

    def import_from(self, path: Path, *, trust: bool = False) -> None:
        from app.sync.bundle_import import import_bundle
        from app.sync.status import open_for_sync

        profile = self.window.profile

        def work() -> ImportedBundle:
            handle = open_for_sync(profile)
            try:
                return import_bundle(handle, path, trust=trust)
            finally:
                handle.close()

        self.runner.run(work, on_done=self._imported, on_error=lambda exc: self._import_refused(path, exc),
                        io=True, label="bundle")

    def _import_refused(self, path: Path, exc: BaseException) -> None:
        from app.sync.bundle_export import fingerprint
        from app.sync.bundle_import import UntrustedDevice

        if isinstance(exc, UntrustedDevice) and exc.key_id is not None:
            if self.ask_trust(exc.device_id, fingerprint(exc.key_id)):
                self.import_from(path, trust=True)
            return
        self._refused(exc)

    def ask_trust(self, device_id: str, fingerprint: str) -> bool:
        answer = QMessageBox.question(self.window, self.tr("Import bundle"), self.tr(
            "This bundle comes from device {device}, which this laptop has not seen before.\n\n"
            "Its key's fingerprint is {fingerprint}. Ask the sender to read theirs (fieldmark bundle key) "
            "and trust the device only if they match.\n\nTrust this device?").format(
            device=device_id, fingerprint=fingerprint))
        return answer == QMessageBox.StandardButton.Yes

    def _imported(self, done: ImportedBundle) -> None:
        from app.sync.status import follow_clock

        if not done.new:
            QMessageBox.information(self.window, self.tr("Import bundle"),
                                    self.tr("This bundle was imported before; nothing changed."))
            return
        # The other handle moved its clock past the received revisions; the window's must follow.
        self.runner.run(lambda: follow_clock(self.window.profile))
        lines = [self.tr("%n row(s) stored.", "", done.rows_applied),
                 self.tr("%n photo(s) stored.", "", done.blobs_stored)]
        if done.conflicts:
            lines.append(self.tr("%n conflict(s) wait for you to choose a version (Sync → Review conflicts…).",
                                 "", done.conflicts))
        if done.rows_skipped:
            lines.append(self.tr("%n row(s) could not be stored here:", "", len(done.rows_skipped)))
            lines += done.rows_skipped[:5]
        QMessageBox.information(self.window, self.tr("Import bundle"), "\n".join(lines))
        self.changed.emit()

    def _refused(self, exc: BaseException) -> None:
        from app.errors import FieldmarkError
        from app.sync.errors import BundleError

        if isinstance(exc, BundleError):
            QMessageBox.warning(self.window, self.tr("Bundle refused"),
                                self.tr("The bundle was refused; nothing of it was stored.") + "\n\n" + str(exc))
        elif isinstance(exc, FieldmarkError):
            QMessageBox.warning(self.window, self.tr("Bundle"), str(exc))
        else:
            self.window.show_error(exc)
