"""The full-size photo viewer: zoom and pan, previous and next, caption, annotations, delete.

Every change is saved at once through the task runner (the caption after a short pause in
typing), so there is no Save button and closing never loses anything. The photo file itself is
never written: annotations go to their own layer with ``save_annotations``.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QColor,
    QIcon,
    QImage,
    QImageReader,
    QKeySequence,
    QPixmap,
)
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app.evidence import (
    DEFAULT_MAX_PIXELS,
    AnnotationLayer,
    Photo,
    delete_photo,
    display_path,
    get_annotations,
    restore_photo,
    save_annotations,
    set_caption,
    set_on_sheet,
    thumbnail_path,
)
from app.profile import Profile
from app.sync.offload import PhotoOnServer
from ui.evidence.canvas import (
    ARROW,
    ELLIPSE,
    FREEHAND,
    PAN,
    RECT,
    TEXT,
    ZOOM_STEP,
    PhotoCanvasWidget,
)
from ui.tasks import TaskRunner
from ui.widgets.geometry import place_window

CAPTION_PAUSE_MS = 600
COLORS = ("#e53935", "#fdd835", "#43a047", "#1e88e5", "#ffffff", "#000000")


def read_display_image(path: Path) -> QImage:
    """Decode the photo upright (EXIF orientation applied); runs on the I/O pool."""
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    # Qt refuses images above 256 MB by default; the importer already capped the pixel count.
    reader.setAllocationLimit(DEFAULT_MAX_PIXELS * 4 // (1024 * 1024) + 1)
    image = reader.read()
    if image.isNull():
        raise OSError(reader.errorString())
    return image


# The sheet choice as combo data: Qt keeps no None as item data, so each choice has a key.
_SHEET_KEYS: dict[bool | None, str] = {None: "auto", True: "yes", False: "no"}
_SHEET_CHOICES = {key: choice for choice, key in _SHEET_KEYS.items()}


class PhotoViewerDialog(QDialog):
    """Opened on ``photos`` at ``index``; emits ``changed`` after each saved change so the
    strip can refresh."""

    changed = Signal()

    def __init__(self, profile: Profile, runner: TaskRunner, photos: list[Photo], index: int = 0, *,
                 read_only: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.closed = False
        self.setObjectName("photoViewer")
        self.setWindowTitle(self.tr("Photo"))
        self.profile, self.runner, self.read_only = profile, runner, read_only
        self.photos = list(photos)
        self.index = min(max(index, 0), len(self.photos) - 1) if self.photos else -1
        self.layer = AnnotationLayer()
        self.history: list[AnnotationLayer] = []  # earlier layers of this photo, for undo
        self.deleted: tuple[Photo, int] | None = None  # the photo to offer back, and where it was
        self._caption_for: str | None = None  # the photo whose caption waits to be saved

        self.canvas = PhotoCanvasWidget()
        self.canvas.shapeDrawn.connect(self._shape_drawn)
        self.canvas.zoomChanged.connect(self._zoom_changed)
        self.toolbar = QToolBar()
        self.acts: dict[str, QAction] = {}
        self._build_actions()

        self.banner = QFrame()
        self.banner.setObjectName("deletedBanner")
        self.banner_text = QLabel()
        self.undo_delete = QPushButton(self.tr("&Undo"))
        self.undo_delete.clicked.connect(self.restore)
        bbox = QHBoxLayout(self.banner)
        bbox.setContentsMargins(8, 4, 8, 4)
        bbox.addWidget(self.banner_text, 1)
        bbox.addWidget(self.undo_delete)
        self.banner.hide()

        self.caption_label = QLabel(self.tr("&Caption:"))
        self.caption = QLineEdit()
        self.caption.setObjectName("captionEdit")
        self.caption.setPlaceholderText(self.tr("What this photo shows"))
        self.caption.setMaxLength(2000)
        self.caption_label.setBuddy(self.caption)
        self.caption.textEdited.connect(self._caption_edited)
        self.caption.returnPressed.connect(self.flush_caption)
        self.caption_timer = QTimer(self)
        self.caption_timer.setSingleShot(True)
        self.caption_timer.setInterval(CAPTION_PAUSE_MS)
        self.caption_timer.timeout.connect(self.flush_caption)
        # Which photos the feedback sheet carries: the inspector's choice, else the default rule
        # (findings' photos first, then captioned ones).
        self.sheet = QComboBox()
        self.sheet.setObjectName("onSheet")
        self.sheet.setAccessibleName(self.tr("On the feedback sheet"))
        for text, choice in ((self.tr("Sheet: automatic"), None), (self.tr("Sheet: print this photo"), True),
                             (self.tr("Sheet: leave it out"), False)):
            self.sheet.addItem(text, _SHEET_KEYS[choice])
        self.sheet.setToolTip(self.tr("Whether the feedback sheet prints this photo. Automatic puts "
                                      "the findings' photos first, then captioned ones."))
        self.sheet.activated.connect(self._sheet_chosen)
        self.where = QLabel()
        self.where.setObjectName("photoWhere")
        self.zoom_label = QLabel()
        self.status = QLabel()
        self.status.setObjectName("hint")
        bottom = QHBoxLayout()
        bottom.addWidget(self.caption_label)
        bottom.addWidget(self.caption, 1)
        bottom.addWidget(self.sheet)
        bottom.addWidget(self.where)
        bottom.addWidget(self.zoom_label)
        bottom.addWidget(self.status)

        box = QVBoxLayout(self)
        box.setContentsMargins(6, 6, 6, 6)
        box.addWidget(self.toolbar)
        box.addWidget(self.banner)
        box.addWidget(self.canvas, 1)
        box.addLayout(bottom)
        place_window(self, "PhotoViewerDialog", QSize(1100, 780))
        self.caption.setReadOnly(read_only)
        self.sheet.setEnabled(not read_only)
        self.show_photo()
        self.canvas.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- actions ------------------------------------------------------------------------------

    def _add(self, name: str, text: str, keys: list[str | QKeySequence.StandardKey], slot: object,
             *, checkable: bool = False, edits: bool = False) -> QAction:
        action = QAction(text, self)
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setCheckable(checkable)
        if keys:
            key = QKeySequence(keys[0]).toString(QKeySequence.SequenceFormat.NativeText)
            action.setToolTip(self.tr("{action} ({key})").format(action=text, key=key))
        action.triggered.connect(lambda _=False, s=slot: s())  # type: ignore[operator]
        action.setProperty("edits", edits)
        self.addAction(action)
        self.acts[name] = action
        return action

    def _build_actions(self) -> None:
        tools = QActionGroup(self)
        for name, text, key in ((PAN, self.tr("Move"), "H"), (ARROW, self.tr("Arrow"), "A"),
                                (RECT, self.tr("Rectangle"), "R"), (ELLIPSE, self.tr("Ellipse"), "E"),
                                (FREEHAND, self.tr("Freehand"), "F"), (TEXT, self.tr("Text"), "T")):
            action = self._add(name, text, [key], lambda n=name: self.set_tool(n),
                               checkable=True, edits=name != PAN)
            tools.addAction(action)
            self.toolbar.addAction(action)
        self.acts[PAN].setChecked(True)
        self.toolbar.addSeparator()
        colors = QActionGroup(self)
        for k, color in enumerate(COLORS):
            action = self._add(f"color{k}", self.tr("Colour {number}").format(number=k + 1), [],
                               lambda c=color: self.set_color(c), checkable=True, edits=True)
            pix = QPixmap(16, 16)
            pix.fill(QColor(color))
            action.setIcon(QIcon(pix))
            colors.addAction(action)
            self.toolbar.addAction(action)
        self.acts["color0"].setChecked(True)
        self._add("next_color", self.tr("Next colour"), ["C"], self.next_color, edits=True)
        self.toolbar.addSeparator()
        for name, text, keys, slot in (
            ("undo", self.tr("Undo"), [QKeySequence.StandardKey.Undo], self.undo),
            ("clear", self.tr("Clear drawings"), ["Ctrl+Shift+Delete"], self.clear_annotations),
            ("zoom_out", self.tr("Zoom out"), ["-", "Ctrl+-"], lambda: self.canvas.zoom_by(1 / ZOOM_STEP)),
            ("zoom_in", self.tr("Zoom in"), ["+", "=", "Ctrl++", "Ctrl+="], lambda: self.canvas.zoom_by(ZOOM_STEP)),
            ("fit", self.tr("Fit"), ["0", "Ctrl+0"], self.canvas.zoom_fit),
            ("actual", self.tr("100%"), ["1", "Ctrl+1"], self.canvas.zoom_actual),
            ("prev", self.tr("Previous"), ["Left", "PgUp"], lambda: self.step(-1)),
            ("next", self.tr("Next"), ["Right", "PgDown"], lambda: self.step(1)),
            ("delete", self.tr("Delete photo"), ["Delete"], self.delete),
        ):
            self._add(name, text, keys, slot, edits=name in ("undo", "clear", "delete"))
            self.toolbar.addAction(self.acts[name])
            if name in ("clear", "actual"):
                self.toolbar.addSeparator()
        self._add("caption", self.tr("Edit caption"), ["F2"],
                  lambda: self.caption.setFocus(Qt.FocusReason.ShortcutFocusReason))

    def set_tool(self, tool: str) -> None:
        self.acts[tool].setChecked(True)
        self.canvas.set_tool(tool)

    def set_color(self, color: str) -> None:
        self.canvas.color = color
        self.acts[f"color{COLORS.index(color)}"].setChecked(True)

    def next_color(self) -> None:
        k = COLORS.index(self.canvas.color) if self.canvas.color in COLORS else -1
        self.set_color(COLORS[(k + 1) % len(COLORS)])

    def _update_actions(self) -> None:
        has = self.current is not None
        for action in self.acts.values():
            if action.property("edits"):
                action.setEnabled(has and not self.read_only)
        self.acts["undo"].setEnabled(self.deleted is not None or (
            has and not self.read_only and bool(self.history or self.layer.shapes)))
        self.acts["prev"].setEnabled(self.index > 0)
        self.acts["next"].setEnabled(0 <= self.index < len(self.photos) - 1)
        self.caption.setEnabled(has)

    # --- showing a photo ----------------------------------------------------------------------

    @property
    def current(self) -> Photo | None:
        return self.photos[self.index] if 0 <= self.index < len(self.photos) else None

    def show_photo(self) -> None:
        photo = self.current
        self.history = []
        self.layer = AnnotationLayer()
        self.canvas.set_shapes(())
        if photo is None:
            self.caption.clear()
            self.where.setText("")
            self.canvas.set_image(QImage(), self.tr("No photos"))
            self._update_actions()
            return
        self.caption.setText(photo.caption)
        self.sheet.setCurrentIndex(max(0, self.sheet.findData(_SHEET_KEYS[photo.on_sheet])))
        self.where.setText(self.tr("{number} of {count} · {name}").format(
            number=self.index + 1, count=len(self.photos), name=photo.original_name))
        self.canvas.set_image(QImage(), self.tr("Loading…"))
        self._update_actions()
        profile, pid = self.profile, photo.id

        def loaded(image: QImage) -> None:
            if not self.closed and self.current is not None and self.current.id == pid:
                self.canvas.set_image(image)

        def failed(exc: BaseException) -> None:
            if not self.closed and self.current is not None and self.current.id == pid:
                self.canvas.set_image(QImage(), self.tr("This photo cannot be shown: {error}").format(error=exc))

        def on_server(exc: BaseException) -> None:
            # The original was removed to free space and cannot be fetched now: its thumbnail,
            # and the reason in words.
            if not isinstance(exc, PhotoOnServer):
                failed(exc)
                return
            if not self.closed and self.current is not None and self.current.id == pid:
                self.status.setText(self.tr("This photo is kept on the server; sync or log in to see it in full. "
                                            "Its thumbnail is shown."))
                self.runner.run(lambda: thumbnail_path(profile, pid), on_done=located, on_error=failed,
                                label="show photo")

        def located(path: Path) -> None:
            if self.closed:
                return
            self.runner.run(lambda: read_display_image(path), on_done=loaded, on_error=failed, io=True,
                            label="show photo")

        def annotated(layer: AnnotationLayer) -> None:
            if not self.closed and self.current is not None and self.current.id == pid:
                self.layer = layer
                self.canvas.set_shapes(layer.shapes)
                self._update_actions()
        self.runner.run(lambda: display_path(profile, pid), on_done=located, on_error=on_server, label="show photo")
        self.runner.run(lambda: get_annotations(profile, pid), on_done=annotated, on_error=self._failed,
                        label="annotations")

    def step(self, delta: int) -> None:
        index = self.index + delta
        if 0 <= index < len(self.photos) and index != self.index:
            self.flush_caption()
            self.index = index
            self.show_photo()

    def _zoom_changed(self, scale: float) -> None:
        self.zoom_label.setText(self.tr("{percent}%").format(percent=round(scale * 100)))

    # --- saving -------------------------------------------------------------------------------

    def _saved(self, _: object = None) -> None:
        self.status.setText(self.tr("Saved"))
        self.changed.emit()

    def _failed(self, exc: BaseException) -> None:
        if not isinstance(exc, Exception):
            raise exc
        self.status.setText(self.tr("Not saved: {error}").format(error=exc))

    def _caption_edited(self, _text: str) -> None:
        if self.current is not None and not self.read_only:
            self._caption_for = self.current.id
            self.caption_timer.start()

    def _sheet_chosen(self, index: int) -> None:
        photo = self.current
        if photo is None or self.read_only:
            return
        choice = _SHEET_CHOICES[self.sheet.itemData(index)]
        self.photos = [replace(p, on_sheet=choice) if p.id == photo.id else p for p in self.photos]
        profile, pid = self.profile, photo.id
        self.status.setText(self.tr("Saving…"))
        self.runner.run(lambda: set_on_sheet(profile, pid, choice), on_done=self._saved, on_error=self._failed,
                        label="photo on sheet")

    def flush_caption(self) -> None:
        """Save the caption typed so far now (leaving the photo, closing, or Enter)."""
        self.caption_timer.stop()
        pid, self._caption_for = self._caption_for, None
        if pid is None:
            return
        text = self.caption.text().strip() if self.current is not None and self.current.id == pid else None
        if text is None:
            return
        self.photos = [replace(p, caption=text) if p.id == pid else p for p in self.photos]
        profile = self.profile
        self.status.setText(self.tr("Saving…"))
        self.runner.run(lambda: set_caption(profile, pid, text), on_done=self._saved, on_error=self._failed,
                        label="caption")

    def _set_layer(self, layer: AnnotationLayer, *, undoable: bool = True) -> None:
        photo = self.current
        if photo is None or self.read_only:
            return
        if undoable:
            self.history.append(self.layer)
        self.layer = layer
        self.canvas.set_shapes(layer.shapes)
        self._update_actions()
        profile = self.profile
        self.status.setText(self.tr("Saving…"))
        self.runner.run(lambda: save_annotations(profile, photo.id, layer), on_done=self._saved,
                        on_error=self._failed, label="annotations")

    def _shape_drawn(self, shape: object) -> None:
        self._set_layer(AnnotationLayer((*self.layer.shapes, shape)))  # type: ignore[arg-type]

    def clear_annotations(self) -> None:
        if self.layer.shapes:
            self._set_layer(AnnotationLayer())

    def undo(self) -> None:
        """Bring a just-deleted photo back; otherwise take back the last drawing step."""
        if self.deleted is not None:
            self.restore()
        elif self.history:
            self._set_layer(self.history.pop(), undoable=False)
        elif self.layer.shapes:  # drawn in an earlier session: remove the newest shape
            self._set_layer(AnnotationLayer(self.layer.shapes[:-1]), undoable=False)

    # --- delete and restore -------------------------------------------------------------------

    def delete(self) -> None:
        photo = self.current
        if photo is None or self.read_only:
            return
        self.flush_caption()
        profile, index = self.profile, self.index

        def done(_: object) -> None:
            self.deleted = (photo, index)
            self.photos = [p for p in self.photos if p.id != photo.id]
            self.index = min(index, len(self.photos) - 1)
            self.banner_text.setText(self.tr("Photo “{name}” deleted.").format(name=photo.original_name))
            self.undo_delete.setToolTip(self.tr("Restore it (Ctrl+Z)"))
            self.banner.show()
            self.show_photo()
            self._saved()
        self.runner.run(lambda: delete_photo(profile, photo.id), on_done=done, on_error=self._failed,
                        label="delete photo")

    def restore(self) -> None:
        if self.deleted is None:
            return
        photo, index = self.deleted
        profile = self.profile

        def done(_: object) -> None:
            self.deleted = None
            self.banner.hide()
            self.photos.insert(min(index, len(self.photos)), photo)
            self.index = min(index, len(self.photos) - 1)
            self.show_photo()
            self._saved()
        self.runner.run(lambda: restore_photo(profile, photo.id), on_done=done, on_error=self._failed,
                        label="restore photo")

    def done(self, result: int) -> None:
        self.flush_caption()
        self.closed = True
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.flush_caption()
        # Loads still on their way must not reach widgets that are about to be deleted.
        self.closed = True
        super().closeEvent(event)
