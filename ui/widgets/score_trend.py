"""A small line chart of a unit's scores over time, drawn with QPainter (no QtCharts)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from ui.widgets.i18n import format_date


class ScoreTrendWidget(QWidget):
    """Percentages (0–100) of successive visits, oldest on the left."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.points: list[tuple[str, Decimal]] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(120)
        self.setAccessibleName(self.tr("Score trend"))

    def sizeHint(self) -> QSize:
        return QSize(360, 140)

    def set_points(self, points: Sequence[tuple[str, Decimal]]) -> None:
        """(ISO date, percentage) pairs in any order; they are drawn by date."""
        self.points = sorted(points, key=lambda p: p[0])
        summary = ", ".join(f"{format_date(day)} {value:.1f}%" for day, value in self.points)
        self.setAccessibleDescription(summary)
        self.setToolTip(summary)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text_color = palette.color(QPalette.ColorRole.WindowText)
        faint = QColor(text_color)
        faint.setAlpha(60)
        metrics = self.fontMetrics()
        left = metrics.horizontalAdvance("100%") + 8
        plot = QRectF(left, metrics.height() / 2 + 2, self.width() - left - 12,
                      self.height() - metrics.height() * 2 - 6)
        if not self.points:
            painter.setPen(text_color)
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.tr("No scored visits yet"))
            return

        def y_of(value: float) -> float:
            return plot.bottom() - plot.height() * max(0.0, min(100.0, value)) / 100.0

        for level in (0, 50, 100):
            y = y_of(level)
            painter.setPen(QPen(faint, 1, Qt.PenStyle.DashLine if level == 50 else Qt.PenStyle.SolidLine))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(text_color)
            painter.drawText(QRectF(0, y - metrics.height() / 2, left - 6, metrics.height()),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, f"{level}%")

        n = len(self.points)
        step = plot.width() / (n - 1) if n > 1 else 0.0
        positions = [QPointF(plot.left() + (step * i if n > 1 else plot.width() / 2), y_of(float(value)))
                     for i, (_, value) in enumerate(self.points)]
        accent = palette.color(QPalette.ColorRole.Highlight)
        path = QPainterPath(positions[0])
        for point in positions[1:]:
            path.lineTo(point)
        painter.setPen(QPen(accent, 2))
        painter.drawPath(path)
        painter.setBrush(accent)
        for point in positions:
            painter.drawEllipse(point, 3.5, 3.5)

        painter.setPen(text_color)
        last_day, last_value = self.points[-1]
        label = f"{last_value:.1f}%"
        width = metrics.horizontalAdvance(label)
        x = min(positions[-1].x() - width / 2, plot.right() - width)
        y = positions[-1].y() - 7
        if y < metrics.ascent():
            y = positions[-1].y() + metrics.ascent() + 5  # no room above a score near 100%
        painter.drawText(QPointF(max(plot.left(), x), y), label)
        baseline = self.height() - 4
        painter.drawText(QPointF(plot.left(), baseline), format_date(self.points[0][0]))
        if n > 1:
            end = format_date(last_day)
            painter.drawText(QPointF(plot.right() - metrics.horizontalAdvance(end), baseline), end)
