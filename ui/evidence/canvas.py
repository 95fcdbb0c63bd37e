"""The viewer's drawing surface: the photo with zoom and pan, its annotation layer, and the
shape being drawn, all in one paint so a stroke follows the mouse without lag."""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPixmap,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QLineEdit, QWidget

from app.evidence import Arrow, Ellipse, Freehand, Rect, Text
from app.evidence.annotations import MAX_POINTS, RED, Shape
from ui.evidence.painting import paint_shapes, qcolor

PAN, ARROW, RECT, ELLIPSE, FREEHAND, TEXT = "pan", "arrow", "rect", "ellipse", "freehand", "text"
ZOOM_STEP = 1.25
MIN_ZOOM, MAX_ZOOM = 0.02, 16.0
_MIN_DRAG = 3  # screen pixels: a click is not a shape


class PhotoCanvasWidget(QWidget):
    """Shows one upright photo. Emits ``shapeDrawn`` with each finished shape (fractions of
    the photo); the owner decides whether to keep it and calls ``set_shapes``."""

    shapeDrawn = Signal(object)
    zoomChanged = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("photoCanvas")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(False)
        self.setMinimumSize(320, 240)
        self.image = QImage()
        self.shapes: tuple[Shape, ...] = ()
        self.tool = PAN
        self.color = RED
        self.scale = 1.0
        self.offset = QPointF(0, 0)
        self.fit = True  # follow the window size until the user zooms
        self.empty_text = ""
        self._scaled: tuple[float, QPixmap] | None = None
        self._pixmap: QPixmap | None = None
        self._drag_from: QPointF | None = None
        self._pan_from: tuple[QPointF, QPointF] | None = None
        self._draft: Shape | None = None
        self._points: list[tuple[float, float]] = []
        self.text_edit = QLineEdit(self)
        self.text_edit.setObjectName("annotationText")
        self.text_edit.setMaxLength(500)
        self.text_edit.setPlaceholderText(self.tr("Type, then Enter"))
        self.text_edit.hide()
        self.text_edit.returnPressed.connect(self._commit_text)
        self.text_edit.installEventFilter(self)
        self._text_at: tuple[float, float] | None = None

    def sizeHint(self) -> QSize:
        return QSize(900, 600)

    # --- content ------------------------------------------------------------------------------

    def set_image(self, image: QImage, empty_text: str = "") -> None:
        self.image = image
        self.empty_text = empty_text
        self._pixmap = None if image.isNull() else QPixmap.fromImage(image)
        self._scaled = None
        self.cancel_drawing()
        self.zoom_fit()

    def set_shapes(self, shapes: tuple[Shape, ...]) -> None:
        self.shapes = shapes
        self.update()

    def set_tool(self, tool: str) -> None:
        self.cancel_drawing()
        self.tool = tool
        self.setCursor(Qt.CursorShape.OpenHandCursor if tool == PAN else Qt.CursorShape.CrossCursor)

    def cancel_drawing(self) -> None:
        self._draft, self._points, self._drag_from = None, [], None
        self.text_edit.hide()
        self._text_at = None
        self.update()

    # --- zoom and pan -------------------------------------------------------------------------

    def fit_scale(self) -> float:
        if self.image.isNull():
            return 1.0
        return min(self.width() / self.image.width(), self.height() / self.image.height())

    def zoom_fit(self) -> None:
        self.fit = True
        self._set_scale(self.fit_scale(), None)

    def zoom_actual(self) -> None:
        self.fit = False
        self._set_scale(1.0, None)

    def zoom_by(self, factor: float, anchor: QPointF | None = None) -> None:
        self.fit = False
        self._set_scale(self.scale * factor, anchor)

    def _set_scale(self, scale: float, anchor: QPointF | None) -> None:
        scale = max(min(self.fit_scale(), MIN_ZOOM), min(MAX_ZOOM, scale))
        anchor = anchor if anchor is not None else QPointF(self.width() / 2, self.height() / 2)
        # Keep the photo point under the anchor (the mouse, or the centre) where it is.
        at = (anchor - self.offset) / self.scale
        self.scale = scale
        self.offset = anchor - at * scale
        self._clamp()
        self.update()
        self.zoomChanged.emit(scale)

    def pan_by(self, dx: float, dy: float) -> None:
        self.offset += QPointF(dx, dy)
        self._clamp()
        self.update()

    def _clamp(self) -> None:
        """Centre a photo smaller than the view; otherwise never show past its edges."""
        if self.image.isNull():
            return
        w, h = self.image.width() * self.scale, self.image.height() * self.scale
        x, y = self.offset.x(), self.offset.y()
        x = (self.width() - w) / 2 if w <= self.width() else min(0.0, max(self.width() - w, x))
        y = (self.height() - h) / 2 if h <= self.height() else min(0.0, max(self.height() - h, y))
        self.offset = QPointF(x, y)

    def to_fraction(self, pos: QPointF) -> tuple[float, float]:
        p = (pos - self.offset) / self.scale
        w, h = max(1, self.image.width() - 1), max(1, self.image.height() - 1)
        return (min(1.0, max(0.0, p.x() / w)), min(1.0, max(0.0, p.y() / h)))

    def to_screen(self, frac: tuple[float, float]) -> QPointF:
        w, h = max(1, self.image.width() - 1), max(1, self.image.height() - 1)
        return self.offset + QPointF(frac[0] * w, frac[1] * h) * self.scale

    # --- painting -----------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#202124"))
        if self._pixmap is None:
            painter.setPen(QColor("#e8eaed"))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.empty_text)
            return
        target = QRectF(self.offset, QSize(self.image.width(), self.image.height()).toSizeF() * self.scale)
        if self.scale < 1:
            # A smoothly pre-scaled copy: scaling 12 MP on every paint would make panning stutter.
            if self._scaled is None or self._scaled[0] != self.scale:
                size = QSize(max(1, round(target.width())), max(1, round(target.height())))
                self._scaled = (self.scale, self._pixmap.scaled(
                    size, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.SmoothTransformation))
            painter.drawPixmap(target.topLeft(), self._scaled[1])
        else:
            painter.drawPixmap(target, self._pixmap, QRectF(self._pixmap.rect()))
        painter.translate(self.offset)
        painter.scale(self.scale, self.scale)
        shapes = self.shapes + ((self._draft,) if self._draft is not None else ())
        paint_shapes(painter, shapes, self.image.width(), self.image.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        if self.fit:
            self.zoom_fit()
        else:
            self._clamp()
        super().resizeEvent(event)

    # --- input --------------------------------------------------------------------------------

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120
        if steps and not self.image.isNull():
            self.zoom_by(ZOOM_STEP ** steps, event.position())
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Shift+arrows pan: plain Left/Right belong to previous/next photo.
        step = 0.1 * max(self.width(), self.height())
        moves = {Qt.Key.Key_Left: (step, 0), Qt.Key.Key_Right: (-step, 0),
                 Qt.Key.Key_Up: (0, step), Qt.Key.Key_Down: (0, -step)}
        if event.modifiers() == Qt.KeyboardModifier.ShiftModifier and event.key() in moves:
            self.pan_by(*moves[Qt.Key(event.key())])
            return
        if event.key() == Qt.Key.Key_Escape and (self._draft is not None or self.text_edit.isVisible()):
            self.cancel_drawing()
            return
        super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self.image.isNull():
            return
        pos = event.position()
        if event.button() == Qt.MouseButton.MiddleButton or (
                event.button() == Qt.MouseButton.LeftButton and self.tool == PAN):
            self._pan_from = (pos, self.offset)
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
        elif event.button() == Qt.MouseButton.LeftButton and self.tool == TEXT:
            self._start_text(pos)
        elif event.button() == Qt.MouseButton.LeftButton:
            self._drag_from = pos
            self._points = [self.to_fraction(pos)]

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        if self._pan_from is not None:
            start, offset = self._pan_from
            self.offset = offset + (pos - start)
            self._clamp()
            self.update()
        elif self._drag_from is not None:
            self._draft = self._shape_to(pos)
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._pan_from is not None:
            self._pan_from = None
            self.setCursor(Qt.CursorShape.OpenHandCursor if self.tool == PAN else Qt.CursorShape.CrossCursor)
            return
        if self._drag_from is None:
            return
        pos = event.position()
        moved = math.dist((pos.x(), pos.y()), (self._drag_from.x(), self._drag_from.y())) >= _MIN_DRAG
        shape = self._shape_to(pos) if moved else None
        self._drag_from, self._draft, self._points = None, None, []
        self.update()
        if shape is not None:
            self.shapeDrawn.emit(shape)

    def _shape_to(self, pos: QPointF) -> Shape | None:
        assert self._drag_from is not None
        a, b = self.to_fraction(self._drag_from), self.to_fraction(pos)
        if self.tool == ARROW:
            return Arrow(a, b, self.color)
        if self.tool in (RECT, ELLIPSE):
            box = (min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1]))
            return Rect(box, self.color) if self.tool == RECT else Ellipse(box, self.color)
        if self.tool == FREEHAND:
            last = self.to_screen(self._points[-1])
            # Skip points closer than two screen pixels: they add bytes, not shape.
            if math.dist((last.x(), last.y()), (pos.x(), pos.y())) >= 2 and len(self._points) < MAX_POINTS:
                self._points.append(b)
            return Freehand(tuple(self._points), self.color) if len(self._points) >= 2 else None
        return None

    # --- text ---------------------------------------------------------------------------------

    def _start_text(self, pos: QPointF) -> None:
        self._text_at = self.to_fraction(pos)
        self.text_edit.clear()
        self.text_edit.setStyleSheet(f"color: {qcolor(self.color).name()};")
        self.text_edit.adjustSize()
        self.text_edit.resize(max(220, self.text_edit.width()), self.text_edit.height())
        self.text_edit.move(QPoint(round(pos.x()), round(pos.y())))
        self.text_edit.show()
        self.text_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _commit_text(self) -> None:
        text, at = self.text_edit.text().strip(), self._text_at
        self.cancel_drawing()
        self.setFocus(Qt.FocusReason.OtherFocusReason)
        if text and at is not None:
            self.shapeDrawn.emit(Text(at, text, self.color))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Escape in the text box drops the text; it must not reach the dialog and close it.
        if watched is self.text_edit and isinstance(event, QKeyEvent) \
                and event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Escape:
            self.cancel_drawing()
            self.setFocus(Qt.FocusReason.OtherFocusReason)
            return True
        return super().eventFilter(watched, event)
