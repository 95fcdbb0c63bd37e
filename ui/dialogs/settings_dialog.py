"""Settings: the inspector, language, text size, deadline, server URL, printing, photos and the data folder."""

from __future__ import annotations

from PySide6.QtCore import QSize, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.errors import FieldmarkError
from app.profile import Profile
from app.settings import all_settings, set_settings
from ui.sync.auto import settings_saved
from ui.tasks import TaskRunner
from ui.widgets.geometry import place_window
from ui.widgets.text_size import apply_text_size


def load_settings(profile: Profile) -> dict[str, object]:
    return all_settings(profile)


def save_settings(profile: Profile, values: dict[str, object]) -> None:
    """One action, one transaction: every changed setting is saved, or none is."""
    set_settings(profile, values)


class SettingsDialog(QDialog):
    failed = Signal(object)
    # Emitted after the values were saved (a language change applies on the next start).
    saved = Signal(dict)

    def __init__(self, profile: Profile, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.profile = profile
        self.runner = runner
        self.loaded: dict[str, object] = {}
        self.setWindowTitle(self.tr("Settings"))

        self.inspector_name = QLineEdit(self)
        self.office_name = QLineEdit(self)
        self.language = QComboBox(self)
        self.language.addItem(self.tr("Follow the system"), "system")
        # Each language is named in itself, so anyone can find their own.
        self.language.addItem("简体中文", "zh_CN")
        self.language.addItem("English", "en")
        self.language_note = QLabel(self.tr("A new language takes effect when Fieldmark is restarted."), self)
        self.language_note.setWordWrap(True)
        self.text_size = QSpinBox(self)
        self.text_size.setRange(100, 150)
        self.text_size.setSingleStep(10)
        self.text_size.setSuffix("%")
        self.text_size.setToolTip(self.tr("Larger text on screen; printed documents keep their size."))
        self.deadline_days = QSpinBox(self)
        self.deadline_days.setRange(0, 365)
        self.deadline_days.setSuffix(self.tr(" days"))
        self.finalize_with_gaps = QComboBox(self)
        self.finalize_with_gaps.addItem(self.tr("Allowed after an explicit confirmation"), "confirm")
        self.finalize_with_gaps.addItem(self.tr("Not allowed: close every gap first"), "forbid")
        self.server_url = QLineEdit(self)
        self.server_url.setPlaceholderText("https://")
        server_note = QLabel(self.tr("The office's server: Sync → Log in to the server… connects to it."), self)
        server_note.setWordWrap(True)
        self.auto_sync = QCheckBox(self.tr("Sync automatically when the network returns"), self)
        self.auto_sync.setToolTip(self.tr(
            "When the server can be reached again after it could not, Fieldmark syncs by itself "
            "(only once logged in; it never asks for the password on its own)."))
        self.photos_after_sync = QComboBox(self)
        self.photos_after_sync.addItem(self.tr("Keep them on this laptop"), "keep")
        self.photos_after_sync.addItem(self.tr("Remove the originals of finalized visits once the server holds them"),
                                       "remove")
        self.photos_after_sync.setToolTip(self.tr(
            "Thumbnails always stay; a removed original comes back from the server when you open or print it. "
            "Sync → Free up space… removes them once, now."))
        self.paper_size = QComboBox(self)
        self.paper_size.addItem(self.tr("A4"), "a4")
        self.paper_size.addItem(self.tr("Letter"), "letter")
        self.office_logo = QLineEdit(self)
        self.office_logo.setPlaceholderText(self.tr("PNG or JPEG file"))
        choose_logo = QPushButton(self.tr("&Browse…"), self)
        choose_logo.clicked.connect(self._choose_logo)
        self.reduce_photos = QCheckBox(self.tr("Store photos reduced to 2048 pixels (quality 85) instead of the originals"), self)

        folder = QLineEdit(str(profile.root), self)
        folder.setReadOnly(True)
        folder.setAccessibleName(self.tr("Data folder"))
        open_folder = QPushButton(self.tr("&Open folder"), self)
        open_folder.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(profile.root))))
        folder_note = QLabel(self.tr(
            "Chosen with --data-dir or FIELDMARK_DATA_DIR. Back it up by copying the whole folder while "
            "Fieldmark is closed."), self)
        folder_note.setWordWrap(True)

        you = QGroupBox(self.tr("Inspector"), self)
        form = QFormLayout(you)
        form.addRow(self.tr("&Name"), self.inspector_name)
        form.addRow(self.tr("&Office"), self.office_name)
        form.addRow(self.tr("&Language"), self.language)
        form.addRow("", self.language_note)
        form.addRow(self.tr("&Text size"), self.text_size)
        work = QGroupBox(self.tr("Work"), self)
        form = QFormLayout(work)
        form.addRow(self.tr("Default rectification &deadline"), self.deadline_days)
        form.addRow(self.tr("&Finalizing with gaps"), self.finalize_with_gaps)
        # Beside the address it watches, on the same line: at 150% text the groups fill the screen.
        server_row = QHBoxLayout()
        server_row.addWidget(self.server_url, 1)
        server_row.addWidget(self.auto_sync)
        server_label = QLabel(self.tr("&Server URL"), self)
        server_label.setBuddy(self.server_url)
        form.addRow(server_label, server_row)
        form.addRow("", server_note)
        form.addRow(self.tr("Photos after s&ync"), self.photos_after_sync)
        printing = QGroupBox(self.tr("Printing and photos"), self)
        form = QFormLayout(printing)
        form.addRow(self.tr("&Paper"), self.paper_size)
        logo_row = QHBoxLayout()
        logo_row.addWidget(self.office_logo, 1)
        logo_row.addWidget(choose_logo)
        # A row whose field is a layout gets a label without a buddy, which would show "&" as
        # typed: the label is made here, with the file field as its buddy.
        logo_label = QLabel(self.tr("Office &logo"), self)
        logo_label.setBuddy(self.office_logo)
        form.addRow(logo_label, logo_row)
        form.addRow("", self.reduce_photos)
        data = QGroupBox(self.tr("Data folder"), self)
        box = QVBoxLayout(data)
        row = QHBoxLayout()
        row.addWidget(folder, 1)
        row.addWidget(open_folder)
        box.addLayout(row)
        box.addWidget(folder_note)

        self.error_label = QLabel(self)
        self.error_label.setStyleSheet("color: #b00020")
        self.error_label.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        # The groups scroll when large text makes them taller than the screen; Save never does.
        content = QWidget(self)
        groups = QVBoxLayout(content)
        groups.setContentsMargins(0, 0, 0, 0)
        for widget in (you, work, printing, data):
            groups.addWidget(widget)
        groups.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        wanted = content.sizeHint()
        place_window(self, "SettingsDialog", QSize(max(560, wanted.width() + 40),
                                                   wanted.height() + self.buttons.sizeHint().height() + 40))
        self.runner.run(lambda: load_settings(profile), on_done=self._fill, on_error=self.failed.emit,
                        label="settings")

    def _fill(self, values: dict[str, object]) -> None:
        self.loaded = values
        self.inspector_name.setText(str(values["inspector_name"]))
        self.office_name.setText(str(values["office_name"]))
        self.language.setCurrentIndex(max(0, self.language.findData(values["language"])))
        self.text_size.setValue(int(values["text_size"]))  # type: ignore[call-overload]
        self.deadline_days.setValue(int(values["deadline_days"]))  # type: ignore[call-overload]
        self.finalize_with_gaps.setCurrentIndex(max(0, self.finalize_with_gaps.findData(values["finalize_with_gaps"])))
        self.server_url.setText(str(values["server_url"]))
        self.auto_sync.setChecked(bool(values["auto_sync"]))
        self.photos_after_sync.setCurrentIndex(max(0, self.photos_after_sync.findData(values["photos_after_sync"])))
        self.paper_size.setCurrentIndex(max(0, self.paper_size.findData(values["paper_size"])))
        self.office_logo.setText(str(values["office_logo"]))
        self.reduce_photos.setChecked(bool(values["reduce_photos"]))

    def _choose_logo(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, self.tr("Office logo"), self.office_logo.text(),
                                                    self.tr("Images (*.png *.jpg *.jpeg)"))
        if path:
            self.office_logo.setText(path)

    def values(self) -> dict[str, object]:
        return {
            "inspector_name": self.inspector_name.text().strip(),
            "office_name": self.office_name.text().strip(),
            "language": self.language.currentData(),
            "text_size": self.text_size.value(),
            "deadline_days": self.deadline_days.value(),
            "finalize_with_gaps": self.finalize_with_gaps.currentData(),
            "server_url": self.server_url.text().strip(),
            "auto_sync": self.auto_sync.isChecked(),
            "photos_after_sync": self.photos_after_sync.currentData(),
            "paper_size": self.paper_size.currentData(),
            "office_logo": self.office_logo.text().strip(),
            "reduce_photos": self.reduce_photos.isChecked(),
        }

    def save(self) -> None:
        # Only what changed is written, all of it in one transaction.
        changed = {k: v for k, v in self.values().items() if self.loaded.get(k) != v}
        self.buttons.setEnabled(False)
        self.runner.run(lambda: save_settings(self.profile, changed), on_done=lambda _: self._saved(changed),
                        on_error=self._not_saved, label="save settings")

    def _saved(self, changed: dict[str, object]) -> None:
        if "text_size" in changed:
            apply_text_size(int(changed["text_size"]))  # type: ignore[call-overload]  # at once, no restart
        settings_saved(self.profile, changed)  # the window's automatic sync follows its setting
        self.saved.emit(changed)
        self.accept()

    def _not_saved(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        if isinstance(exc, FieldmarkError):
            self.error_label.setText(str(exc))
        else:
            self.failed.emit(exc)
