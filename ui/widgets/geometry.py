"""Window sizes that fit the screen a window opens on, remembered between runs.

Inspectors work on 1366×768 laptops with a taskbar: a window or dialog taller than the screen's
free area hides its buttons below the edge. ``place_window`` gives a window its remembered
geometry (or its preferred size), always clamped to the free area of the screen it opens on,
and remembers size, position and the maximized state when the window is hidden.

Geometry is per machine, not per profile: it lives in Qt's user settings, not in the database.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QEvent, QMargins, QObject, QRect, QSettings, QSize, Qt
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QSplitter, QWidget

# Room for a window manager's frame and title bar around the client area.
FRAME = QMargins(8, 34, 8, 8)


def _settings() -> QSettings:
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "Fieldmark", "windows")


# A screen that reports no taskbar may still have one: some X11 window managers do not say.
TASKBAR = 40


def client_area(screen: QScreen) -> QRect:
    """The part of ``screen`` a window's client area may cover: the free area less a frame."""
    free = screen.availableGeometry()
    if free == screen.geometry():
        free = free.adjusted(0, 0, 0, -TASKBAR)
    return free.marginsRemoved(FRAME)


def opening_screen(window: QWidget, where: QRect | None = None) -> QScreen:
    """The screen holding most of ``where``; else the parent window's screen; else the primary."""
    if where is not None:
        def overlap(screen: QScreen) -> int:
            common = screen.geometry().intersected(where)
            return common.width() * common.height() if common.isValid() else 0
        found = max(QGuiApplication.screens(), key=overlap, default=None)
        if found is not None and overlap(found) > 0:
            return found
    parent = window.parentWidget()
    if parent is not None and parent.window().isVisible():
        return parent.window().screen()
    return QGuiApplication.primaryScreen()


def clamp(rect: QRect, area: QRect) -> QRect:
    """``rect`` shrunk to fit ``area`` and moved inside it."""
    width, height = min(rect.width(), area.width()), min(rect.height(), area.height())
    x = min(max(rect.x(), area.left()), area.left() + area.width() - width)
    y = min(max(rect.y(), area.top()), area.top() + area.height() - height)
    return QRect(x, y, width, height)


def fitted_size(window: QWidget, preferred: QSize) -> QSize:
    """``preferred`` shrunk to the free area of the screen ``window`` opens on."""
    area = client_area(opening_screen(window))
    return QSize(min(preferred.width(), area.width()), min(preferred.height(), area.height()))


class WindowMemory(QObject):
    """Saves the window's normal geometry and maximized state each time it is hidden."""

    def __init__(self, window: QWidget, key: str) -> None:
        super().__init__(window)
        self.window, self.key = window, key
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Hide and not self.window.isMinimized():
            self.save()
        return False

    def save(self) -> None:
        window = self.window
        maximized = window.isMaximized() or window.isFullScreen()
        rect = window.normalGeometry() if maximized else window.geometry()
        if not rect.isValid():
            return
        settings = _settings()
        settings.beginGroup(self.key)
        for name, value in (("x", rect.x()), ("y", rect.y()), ("width", rect.width()),
                            ("height", rect.height())):
            settings.setValue(name, value)
        settings.setValue("maximized", maximized)
        settings.endGroup()
        settings.sync()


def saved_geometry(key: str) -> tuple[QRect, bool] | None:
    """The remembered client geometry and maximized state of window ``key``, if any."""
    settings = _settings()
    settings.beginGroup(key)
    try:
        if not settings.contains("width"):
            return None
        rect = QRect(int(settings.value("x", 0)), int(settings.value("y", 0)),
                     int(settings.value("width", 0)), int(settings.value("height", 0)))
        maximized = str(settings.value("maximized", "false")).lower() in ("true", "1")
    except (TypeError, ValueError):
        return None  # a hand-edited or damaged entry: start from the default size
    finally:
        settings.endGroup()
    return (rect, maximized) if rect.width() > 0 and rect.height() > 0 else None


def place_window(window: QWidget, key: str, preferred: QSize) -> None:
    """Size ``window`` before it is shown: its remembered geometry, else ``preferred``.

    Either way it is clamped to the free area of the screen it opens on (the screen it was
    last on, if that screen is still there). Dialogs without a remembered position are left
    to Qt, which centres them over their parent.
    """
    saved = saved_geometry(key)
    if saved is None:
        window.resize(fitted_size(window, preferred))
    else:
        rect, maximized = saved
        area = client_area(opening_screen(window, rect))
        window.setGeometry(clamp(rect, area))
        if maximized:
            window.setWindowState(window.windowState() | Qt.WindowState.WindowMaximized)
    WindowMemory(window, key)


class SplitterMemory(QObject):
    """Restores a splitter's sizes from last time and saves them each time it is hidden."""

    def __init__(self, splitter: QSplitter, key: str) -> None:
        super().__init__(splitter)
        self.splitter, self.key = splitter, key
        self.restored = False
        splitter.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is not self.splitter:
            return False
        if event.type() == QEvent.Type.Show and not self.restored:
            # Restored once it has its real width: sizes set earlier would be stretched by it.
            self.restored = True
            state = _settings().value(f"{self.key}/splitter")
            if isinstance(state, QByteArray) and not state.isEmpty():
                self.splitter.restoreState(state)
        elif event.type() == QEvent.Type.Hide and self.restored:
            settings = _settings()
            settings.setValue(f"{self.key}/splitter", self.splitter.saveState())
            settings.sync()
        return False
