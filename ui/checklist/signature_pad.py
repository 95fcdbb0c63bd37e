"""A signature pad (mouse, pen with pressure, or touch) and the dialog that signs a visit."""

from __future__ import annotations

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QEvent,
    QIODevice,
    QPointF,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QTabletEvent,
    QTouchEvent,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

# A stroke is a list of (point, width); width follows pen pressure when there is a pen.
from ui.widgets.geometry import place_window

Stroke = list[tuple[QPointF, float]]
_INK = QColor("#1a237e")
_BASE_WIDTH = 2.6


class SignaturePadWidget(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signaturePad")
        self.setMinimumSize(360, 150)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_StaticContents)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.strokes: list[Stroke] = []
        self._typed = ""

    @property
    def is_empty(self) -> bool:
        return not self.strokes and not self._typed

    def clear(self) -> None:
        self.strokes, self._typed = [], ""
        self.update()
        self.changed.emit()

    def set_typed(self, name: str) -> None:
        """A typed signature: the keyboard-only way to sign, rendered as handwriting-like text."""
        self.strokes, self._typed = [], name.strip()
        self.update()
        self.changed.emit()

    # --- input ---------------------------------------------------------------------------------

    def _begin(self, pos: QPointF, width: float = _BASE_WIDTH) -> None:
        self._typed = ""
        self.strokes.append([(pos, width)])
        self.update()

    def _extend(self, pos: QPointF, width: float = _BASE_WIDTH) -> None:
        if self.strokes:
            self.strokes[-1].append((pos, width))
            self.update()

    def _end(self) -> None:
        self.changed.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._begin(event.position())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._extend(event.position())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._extend(event.position())
            self._end()

    def tabletEvent(self, event: QTabletEvent) -> None:
        width = _BASE_WIDTH * (0.4 + 1.2 * event.pressure())
        kind = event.type()
        if kind == QEvent.Type.TabletPress:
            self._begin(event.position(), width)
        elif kind == QEvent.Type.TabletMove and event.pressure() > 0:
            self._extend(event.position(), width)
        elif kind == QEvent.Type.TabletRelease:
            self._end()
        # Accepted, so Qt does not also synthesise mouse events for the same pen stroke.
        event.accept()

    def event(self, event: QEvent) -> bool:
        if isinstance(event, QTouchEvent) and event.points():
            pos = event.points()[0].position()
            kind = event.type()
            if kind == QEvent.Type.TouchBegin:
                self._begin(pos)
            elif kind == QEvent.Type.TouchUpdate:
                self._extend(pos)
            elif kind in (QEvent.Type.TouchEnd, QEvent.Type.TouchCancel):
                self._end()
            event.accept()
            return True
        return super().event(event)

    # --- drawing -------------------------------------------------------------------------------

    def _paint(self, painter: QPainter, rect: QRectF, scale: float = 1.0) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(rect, Qt.GlobalColor.white)
        if self._typed:
            font = QFont(self.font())
            font.setItalic(True)
            font.setPointSizeF(max(12.0, rect.height() / 4.5))
            painter.setFont(font)
            painter.setPen(_INK)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self._typed)
            return
        for stroke in self.strokes:
            if len(stroke) == 1:
                point, width = stroke[0]
                painter.setPen(QPen(_INK, width * scale, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
                painter.drawPoint(point * scale)
            for (a, wa), (b, wb) in zip(stroke, stroke[1:], strict=False):
                painter.setPen(QPen(_INK, (wa + wb) / 2 * scale, Qt.PenStyle.SolidLine,
                                    Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin))
                painter.drawLine(a * scale, b * scale)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        self._paint(painter, QRectF(self.rect()))
        painter.setPen(QPen(QColor("#c5cad3"), 1, Qt.PenStyle.DashLine))
        y = self.height() * 0.78
        painter.drawLine(QPointF(16, y), QPointF(self.width() - 16, y))
        painter.end()

    def to_png(self, scale: float = 2.0) -> bytes:
        """The signature as PNG bytes, drawn at ``scale`` for a crisp printed sheet."""
        image = QImage(int(self.width() * scale), int(self.height() * scale), QImage.Format.Format_RGB32)
        painter = QPainter(image)
        self._paint(painter, QRectF(image.rect()), scale)
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        buffer.close()
        return bytes(data.data())


class SignatureDialog(QDialog):
    """Signer's name and signature for one role (team leader or unit head)."""

    def __init__(self, role: str, name: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.role = role
        title = self.tr("Team leader's signature") if role == "team_leader" else self.tr("Unit head's signature")
        self.setWindowTitle(title)
        self.name = QLineEdit(name)
        self.name.setPlaceholderText(self.tr("Full name"))
        self.pad = SignaturePadWidget()
        self.clear = QPushButton(self.tr("C&lear"))
        self.clear.clicked.connect(self.pad.clear)
        self.typed = QPushButton(self.tr("&Type the name instead"))
        self.typed.clicked.connect(lambda: self.pad.set_typed(self.name.text()))
        form = QFormLayout()
        form.addRow(self.tr("&Name:"), self.name)
        tools = QHBoxLayout()
        tools.addWidget(self.clear)
        tools.addWidget(self.typed)
        tools.addStretch(1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("&Sign"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(self.pad, 1)
        box.addLayout(tools)
        box.addWidget(self.buttons)
        self.pad.changed.connect(self._check)
        self.name.textChanged.connect(self._check)
        place_window(self, "SignatureDialog", QSize(560, 340))
        self._check()

    def _check(self) -> None:
        ok = bool(self.name.text().strip()) and not self.pad.is_empty
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)
