"""Layout helpers shared by the views."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget


def master_detail(page: QWidget, left: Sequence[QWidget], right: QWidget, *, sizes: tuple[int, int]) -> QSplitter:
    """Fill ``page`` with a list column (``left``, stacked) beside a detail pane that takes the slack."""
    column = QWidget(page)
    column_layout = QVBoxLayout(column)
    column_layout.setContentsMargins(0, 0, 0, 0)
    for widget in left:
        column_layout.addWidget(widget)
    splitter = QSplitter(Qt.Orientation.Horizontal, page)
    splitter.addWidget(column)
    splitter.addWidget(right)
    splitter.setStretchFactor(1, 1)
    splitter.setSizes(list(sizes))
    QVBoxLayout(page).addWidget(splitter)
    return splitter
