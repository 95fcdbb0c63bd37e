"""The photos attached to the current item: thumbnails, attach (file dialog or drop), delete.

Listing runs on the database thread; thumbnails are made and decoded on the I/O pool (QImage
is safe off the UI thread, QPixmap is not), and only the icons are built on the UI thread.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QKeyEvent, QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.evidence import Photo
from app.evidence.thumbnails import ensure_thumbnail
from app.profile import Profile

THUMB_PX = 96
PHOTO_FILTER = "*.jpg *.jpeg *.png *.webp *.heic *.heif *.JPG *.JPEG *.PNG *.HEIC"


def load_thumbnails(profile: Profile, photos: list[Photo]) -> list[tuple[Photo, QImage]]:
    """Make (if needed) and decode each thumbnail; runs on the I/O pool."""
    out = []
    for photo in photos:
        try:
            path = ensure_thumbnail(profile.root, profile.media_dir, photo.sha256, photo.orientation)
            image = QImage(str(path))
        except Exception:  # noqa: BLE001 - one unreadable file must not hide the other photos
            image = QImage()
        out.append((photo, image))
    return out


class PhotoListWidget(QListWidget):
    deletePressed = Signal(str)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        item = self.currentItem()
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and item is not None:
            self.deletePressed.emit(item.data(Qt.ItemDataRole.UserRole))
            return
        super().keyPressEvent(event)


class PhotoStripWidget(QWidget):
    """Emits ``filesChosen`` with the paths to import, ``deleteRequested`` with a photo id."""

    filesChosen = Signal(list)
    deleteRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel(self.tr("Photos:"))
        self.required = QLabel()
        self.required.setObjectName("photoRequired")
        self.attach = QPushButton(self.tr("Attach &photos…"))
        self.attach.clicked.connect(self.choose_files)
        self.status = QLabel()
        self.status.setObjectName("hint")
        self.list = PhotoListWidget()
        self.list.setObjectName("photoStrip")
        self.list.setViewMode(QListView.ViewMode.IconMode)
        self.list.setFlow(QListView.Flow.LeftToRight)
        self.list.setWrapping(False)
        self.list.setIconSize(QSize(THUMB_PX, THUMB_PX))
        self.list.setFixedHeight(THUMB_PX + 40)
        self.list.setMovement(QListView.Movement.Static)
        self.list.deletePressed.connect(self.deleteRequested)
        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addWidget(self.required)
        head.addStretch(1)
        head.addWidget(self.status)
        head.addWidget(self.attach)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addLayout(head)
        box.addWidget(self.list)
        self.dialog: QFileDialog | None = None

    def set_photos(self, thumbs: list[tuple[Photo, QImage]]) -> None:
        self.list.clear()
        for photo, image in thumbs:
            item = QListWidgetItem(photo.caption or photo.original_name)
            if not image.isNull():
                item.setIcon(QIcon(QPixmap.fromImage(image)))
            item.setToolTip(photo.original_name)
            item.setData(Qt.ItemDataRole.UserRole, photo.id)
            self.list.addItem(item)
        self.list.setVisible(bool(thumbs))

    def set_required(self, required: bool, count: int) -> None:
        self.required.setText(self.tr("(a photo is required)") if required and not count else "")

    def set_read_only(self, read_only: bool) -> None:
        self.attach.setEnabled(not read_only)

    def choose_files(self) -> None:
        dialog = QFileDialog(self, self.tr("Attach photos"))
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.setNameFilter(self.tr("Photos ({patterns})").format(patterns=PHOTO_FILTER))
        dialog.filesSelected.connect(lambda paths: self.filesChosen.emit([str(Path(p)) for p in paths]))
        self.dialog = dialog
        dialog.open()
