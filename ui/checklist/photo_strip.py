"""The photos attached to the current item: thumbnails with captions, attach (file dialog,
drop, a camera card's folder, the clipboard), reorder, open in the viewer, delete and undo.

Listing runs on the database thread; thumbnails are made and decoded on the I/O pool (QImage
is safe off the UI thread, QPixmap is not), and only the icons are built on the UI thread.
The strip only emits requests; ui.evidence.PhotoFlows carries them out.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QEvent, QMimeData, QSize, Qt, Signal
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QIcon,
    QImage,
    QKeyEvent,
    QKeySequence,
    QPixmap,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.evidence import Photo
from app.evidence.thumbnails import ensure_thumbnail
from app.profile import Profile

THUMB_PX = 96
PHOTO_FILTER = "*.jpg *.jpeg *.png *.webp *.heic *.heif *.JPG *.JPEG *.PNG *.HEIC"
# Photos dragged out of a strip carry their ids, so a finding (or the strip itself) knows
# they are already evidence and links them instead of importing them again.
EVIDENCE_MIME = "application/x-fieldmark-evidence-ids"


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


def evidence_ids(mime: QMimeData) -> list[str]:
    if not mime.hasFormat(EVIDENCE_MIME):
        return []
    return [i for i in bytes(mime.data(EVIDENCE_MIME).data()).decode().split("\n") if i]


def local_paths(mime: QMimeData) -> list[str]:
    return [url.toLocalFile() for url in mime.urls() if url.isLocalFile()]


class PhotoListWidget(QListWidget):
    """Keys: Delete removes, Enter opens, Ctrl+Left/Right move, Ctrl+V pastes, Ctrl+Z undoes a
    delete. Dragging a thumbnail onto another reorders; files dropped here are attached."""

    deletePressed = Signal(str)
    openPressed = Signal(str)
    moveRequested = Signal(list)  # photo ids in their new order
    pastePressed = Signal()
    undoPressed = Signal()
    filesDropped = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.can_undo = False
        self.read_only = False

    def ids(self) -> list[str]:
        return [self.item(r).data(Qt.ItemDataRole.UserRole) for r in range(self.count())]

    def event(self, event: QEvent) -> bool:
        # Ctrl+Z belongs to the page's answer undo, except right after a photo was deleted here:
        # claiming the key for this widget turns it into a key press instead of the page's shortcut.
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) \
                and event.matches(QKeySequence.StandardKey.Undo) and self.can_undo:
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        item = self.currentItem()
        key, ctrl = event.key(), event.modifiers() == Qt.KeyboardModifier.ControlModifier
        if event.matches(QKeySequence.StandardKey.Paste):
            self.pastePressed.emit()
        elif event.matches(QKeySequence.StandardKey.Undo) and self.can_undo:
            self.undoPressed.emit()
        elif item is None:
            super().keyPressEvent(event)
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and not self.read_only:
            self.deletePressed.emit(item.data(Qt.ItemDataRole.UserRole))
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.openPressed.emit(item.data(Qt.ItemDataRole.UserRole))
        elif ctrl and key in (Qt.Key.Key_Left, Qt.Key.Key_Right) and not self.read_only:
            row = self.row(item)
            target = row + (1 if key == Qt.Key.Key_Right else -1)
            if 0 <= target < self.count():
                ids = self.ids()
                ids.insert(target, ids.pop(row))
                self.moveRequested.emit(ids)
        else:
            super().keyPressEvent(event)

    def startDrag(self, supportedActions: Qt.DropAction) -> None:
        # Copy only: a Move accepted anywhere would make Qt remove the rows itself, while the
        # order and the list belong to the database (reorder_photos, then a reload).
        super().startDrag(Qt.DropAction.CopyAction)

    def mimeData(self, items: list[QListWidgetItem]) -> QMimeData:
        mime = QMimeData()
        ids = "\n".join(i.data(Qt.ItemDataRole.UserRole) for i in items)
        mime.setData(EVIDENCE_MIME, QByteArray(ids.encode()))
        return mime

    def mimeTypes(self) -> list[str]:
        return [EVIDENCE_MIME, "text/uri-list"]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        self.dragMoveEvent(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        # Not the base class: in icon mode it would place items freely instead of reordering.
        mime = event.mimeData()
        if not self.read_only and (evidence_ids(mime) or local_paths(mime)):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        mime = event.mimeData()
        if self.read_only:
            event.ignore()
            return
        moved, ids = evidence_ids(mime), self.ids()
        if moved and set(moved) <= set(ids):
            target = self.itemAt(event.position().toPoint())
            rest = [i for i in ids if i not in moved]
            at = rest.index(target.data(Qt.ItemDataRole.UserRole)) if target is not None and \
                target.data(Qt.ItemDataRole.UserRole) in rest else len(rest)
            order = rest[:at] + moved + rest[at:]
            event.setDropAction(Qt.DropAction.CopyAction)  # the rows are rebuilt, never moved by Qt
            event.accept()
            if order != ids:
                self.moveRequested.emit(order)
        elif local_paths(mime):
            event.acceptProposedAction()
            self.filesDropped.emit(local_paths(mime))
        else:
            event.ignore()


class PhotoStripWidget(QWidget):
    """Emits requests; ``PhotoFlows`` does the work and calls ``set_photos`` back."""

    filesChosen = Signal(list)
    folderChosen = Signal(str)
    deleteRequested = Signal(str)
    restoreRequested = Signal(str)
    reorderRequested = Signal(list)
    openRequested = Signal(str)
    pasteRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel(self.tr("Photos:"))
        self.required = QLabel()
        self.required.setObjectName("photoRequired")
        self.attach = QPushButton(self.tr("Attach &photos…"))
        self.attach.clicked.connect(self.choose_files)
        self.more = QToolButton()
        self.more.setText(self.tr("More"))
        self.more.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.menu = QMenu(self.more)
        self.folder_action = self.menu.addAction(self.tr("Import folder…"), self.choose_folder)
        self.paste_action = self.menu.addAction(self.tr("Paste photo"), self.pasteRequested)
        self.paste_action.setShortcut(QKeySequence.StandardKey.Paste)  # shown; the list handles the key
        self.paste_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.deleted_menu = self.menu.addMenu(self.tr("Recently deleted"))
        self.more.setMenu(self.menu)
        self.undo = QPushButton(self.tr("&Undo delete"))
        self.undo.setObjectName("undoDelete")
        self.undo.hide()
        self.undo.clicked.connect(self._undo)
        self.status = QLabel()
        self.status.setObjectName("hint")
        self.list = PhotoListWidget()
        self.list.setObjectName("photoStrip")
        self.list.setViewMode(QListView.ViewMode.IconMode)
        self.list.setFlow(QListView.Flow.LeftToRight)
        self.list.setWrapping(False)
        self.list.setIconSize(QSize(THUMB_PX, THUMB_PX))
        self.list.setGridSize(QSize(THUMB_PX + 28, THUMB_PX + 30))
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setFixedHeight(THUMB_PX + 48)
        self.list.setMovement(QListView.Movement.Snap)  # Static would turn drag and drop off
        self.list.setDragEnabled(True)
        self.list.setAcceptDrops(True)
        self.list.setDragDropMode(QListView.DragDropMode.DragDrop)
        self.list.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.list.deletePressed.connect(self.deleteRequested)
        self.list.openPressed.connect(self.openRequested)
        self.list.itemDoubleClicked.connect(lambda item: self.openRequested.emit(item.data(Qt.ItemDataRole.UserRole)))
        self.list.moveRequested.connect(self.reorderRequested)
        self.list.pastePressed.connect(self.pasteRequested)
        self.list.undoPressed.connect(self._undo)
        self.list.filesDropped.connect(self.filesChosen)
        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addWidget(self.required)
        head.addStretch(1)
        head.addWidget(self.status)
        head.addWidget(self.undo)
        head.addWidget(self.attach)
        head.addWidget(self.more)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addLayout(head)
        box.addWidget(self.list)
        self.dialog: QFileDialog | None = None
        self.photos: list[Photo] = []
        self.last_deleted: Photo | None = None
        self.set_deleted([])

    def set_photos(self, thumbs: list[tuple[Photo, QImage]], keep: str | None = None) -> None:
        """Show these photos; ``keep`` (a photo id) stays the current one, e.g. after a move."""
        keep = keep or (self.list.currentItem().data(Qt.ItemDataRole.UserRole) if self.list.currentItem() else None)
        self.photos = [p for p, _ in thumbs]
        self.list.clear()
        for photo, image in thumbs:
            item = QListWidgetItem(photo.caption or photo.original_name)
            if not image.isNull():
                item.setIcon(QIcon(QPixmap.fromImage(image)))
            tip = self.tr("{caption}\n{name}").format(caption=photo.caption, name=photo.original_name) \
                if photo.caption else photo.original_name
            item.setToolTip(tip)
            item.setData(Qt.ItemDataRole.UserRole, photo.id)
            self.list.addItem(item)
            if photo.id == keep:
                self.list.setCurrentItem(item)
        self.list.setVisible(bool(thumbs))
        self.title.setText(self.tr("Photos (%n):", "", len(thumbs)) if thumbs else self.tr("Photos:"))

    def reset(self) -> None:
        """Another item is shown: nothing of the last one's photos, imports or deletes remains."""
        self.set_photos([])
        self.status.clear()
        self.offer_undo(None)

    def set_deleted(self, photos: list[Photo]) -> None:
        """The item's deleted photos, newest first, each restorable from the menu."""
        self.deleted_menu.clear()
        for photo in photos[:10]:
            self.deleted_menu.addAction(photo.caption or photo.original_name,
                                        lambda pid=photo.id: self.restoreRequested.emit(pid))
        self.deleted_menu.setEnabled(bool(photos))

    def offer_undo(self, photo: Photo | None) -> None:
        """Offer to bring back ``photo`` (just deleted); None withdraws the offer."""
        self.last_deleted = photo
        self.list.can_undo = photo is not None
        self.undo.setVisible(photo is not None)
        if photo is not None:
            self.undo.setToolTip(self.tr("Restore “{name}” (Ctrl+Z)").format(name=photo.original_name))

    def _undo(self) -> None:
        if self.last_deleted is not None:
            self.restoreRequested.emit(self.last_deleted.id)

    def tab_stops(self) -> list[QWidget]:
        return [self.attach, self.more, self.undo, self.list]

    def set_required(self, required: bool, count: int) -> None:
        self.required.setText(self.tr("(a photo is required)") if required and not count else "")

    def set_read_only(self, read_only: bool) -> None:
        self.list.read_only = read_only
        for w in (self.attach, self.more, self.undo):
            w.setEnabled(not read_only)

    def choose_files(self) -> None:
        dialog = QFileDialog(self, self.tr("Attach photos"))
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.setNameFilter(self.tr("Photos ({patterns})").format(patterns=PHOTO_FILTER))
        dialog.filesSelected.connect(lambda paths: self.filesChosen.emit([str(Path(p)) for p in paths]))
        self.dialog = dialog
        dialog.open()

    def choose_folder(self) -> None:
        """A camera card's DCIM folder: only photos not yet in the visit are imported."""
        dialog = QFileDialog(self, self.tr("Import a folder of photos"))
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.fileSelected.connect(lambda path: path and self.folderChosen.emit(str(Path(path))))
        self.dialog = dialog
        dialog.open()
