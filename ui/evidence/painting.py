"""Drawing an annotation layer with QPainter, the way app.evidence.annotations draws it with
Pillow for reports: the same fractions, stroke widths and arrow heads, so what the inspector
draws in the viewer is what the PDF shows."""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen, QPolygonF

from app.evidence import Arrow, Ellipse, Freehand, Rect, Text
from app.evidence.annotations import Shape


def qcolor(color: str) -> QColor:
    h = color.lstrip("#")
    c = QColor(int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16))
    if len(h) == 8:
        c.setAlpha(int(h[6:8], 16))
    return c


def paint_shapes(painter: QPainter, shapes: tuple[Shape, ...], width: int, height: int) -> None:
    """Draw ``shapes`` in image pixel coordinates of an upright ``width`` x ``height`` photo.

    The caller sets the painter's transform (zoom and pan); pens scale with it, as the shapes
    belong to the photo, not to the screen.
    """
    edge = max(width, height)

    def xy(p: tuple[float, float]) -> QPointF:
        # (w - 1): the Pillow renderer maps 1.0 onto the last pixel, not past it.
        return QPointF(p[0] * (width - 1), p[1] * (height - 1))

    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    for shape in shapes:
        color = qcolor(shape.color)
        if isinstance(shape, Text):
            _text(painter, shape, xy(shape.at), color, max(8, round(shape.size * edge)))
            continue
        stroke = max(1, round(shape.width * edge))
        pen = QPen(color, stroke)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap if isinstance(shape, Freehand) else Qt.PenCapStyle.SquareCap)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if isinstance(shape, Rect | Ellipse):
            b = shape.box
            rect = QRectF(xy((min(b[0], b[2]), min(b[1], b[3]))), xy((max(b[0], b[2]), max(b[1], b[3]))))
            if isinstance(shape, Rect):
                painter.drawRect(rect)
            else:
                painter.drawEllipse(rect)
        elif isinstance(shape, Freehand):
            painter.drawPolyline(QPolygonF([xy(p) for p in shape.points]))
        elif isinstance(shape, Arrow):
            _arrow(painter, xy(shape.start), xy(shape.end), color, stroke)
    painter.restore()


def _arrow(painter: QPainter, start: QPointF, end: QPointF, color: QColor, stroke: int) -> None:
    angle = math.atan2(end.y() - start.y(), end.x() - start.x())
    head = max(stroke * 4, 8)
    shaft_end = QPointF(end.x() - math.cos(angle) * head * 0.6, end.y() - math.sin(angle) * head * 0.6)
    painter.drawLine(start, shaft_end)
    spread = math.radians(25)
    left = QPointF(end.x() - head * math.cos(angle - spread), end.y() - head * math.sin(angle - spread))
    right = QPointF(end.x() - head * math.cos(angle + spread), end.y() - head * math.sin(angle + spread))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(color)
    painter.drawPolygon(QPolygonF([end, left, right]))


def _text(painter: QPainter, shape: Text, at: QPointF, color: QColor, px: int) -> None:
    font = QFont(painter.font())
    font.setPixelSize(px)
    path = QPainterPath()
    # Pillow anchors text at its top-left; Qt at the baseline, hence the ascent.
    path.addText(at.x(), at.y() + QFontMetricsF(font).ascent(), font, shape.text)
    halo = QColor(255, 255, 255, color.alpha())
    painter.strokePath(path, QPen(halo, 2 * max(1, px // 12), Qt.PenStyle.SolidLine,
                                  Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin))
    painter.fillPath(path, color)
