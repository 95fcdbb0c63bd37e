"""The on-screen text size setting (100% to 150%), applied to the whole application at once.

Every widget follows the application font. Qt keeps the font a widget had when a style sheet
polished it, so style sheets are set again after a change; those that name sizes in points
(the checklist's titles and score) listen to ``text_size_changed`` and scale with ``scaled_pt``.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication

_BASE = "fieldmarkBasePointSize"  # the font size before any scaling, kept on the application
_PERCENT = "fieldmarkTextSize"


class _Notifier(QObject):
    changed = Signal()


def text_size_changed() -> Signal:  # type: ignore[valid-type]
    """A signal emitted after the text size changed (connect widgets that size text in points)."""
    app = QApplication.instance()
    notifier = app.findChild(_Notifier) if app is not None else None
    if notifier is None:
        notifier = _Notifier(app)
    return notifier.changed


def apply_text_size(percent: int) -> None:
    """Make every text ``percent`` of its normal size (widgets relayout themselves)."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    font = app.font()
    base = app.property(_BASE)
    if base is None:
        base = font.pointSizeF()
        app.setProperty(_BASE, base)
    app.setProperty(_PERCENT, int(percent))
    font.setPointSizeF(float(base) * percent / 100)
    QApplication.setFont(font)
    for widget in QApplication.allWidgets():
        sheet = widget.styleSheet()
        if sheet:  # polished again, so that the widgets it styles take the new font
            widget.setStyleSheet("")
            widget.setStyleSheet(sheet)
    text_size_changed().emit()


def text_scale() -> float:
    """The current text size as a factor: 1.0 to 1.5."""
    app = QApplication.instance()
    percent = app.property(_PERCENT) if app is not None else None
    return (int(percent) if percent else 100) / 100


def scaled_pt(points: float) -> str:
    """A point size for a style sheet, at the current text size: "19.5pt"."""
    return f"{points * text_scale():g}pt"
