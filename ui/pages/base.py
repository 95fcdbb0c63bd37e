"""What the main window expects of each of its views."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QWidget

from ui.tasks import TaskRunner

if TYPE_CHECKING:
    from app.profile import Profile


class WorkspacePage(QWidget):
    """A main view: loads its data through the runner and refreshes when told the data changed.

    A page that is not on screen is only marked stale; it reloads when it is next shown, so one
    edit does not reload four views.
    """

    # A visit to open in the checklist.
    openVisitRequested = Signal(str)
    # An error from a task, for the window to show.
    failed = Signal(object)
    # The page's data is on screen (after each refresh).
    loaded = Signal()

    def __init__(self, profile: Profile, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.profile = profile
        self.runner = runner
        self.stale = True

    # Reload the page's data; every page defines it and runs its queries through ``self.runner``.
    refresh: Callable[[], None]

    def mark_stale(self) -> None:
        self.stale = True
        if self.isVisible():
            self.refresh_if_stale()

    def refresh_if_stale(self) -> None:
        if self.stale:
            self.stale = False
            self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh_if_stale()

    def focus_search(self) -> None:
        """Put the keyboard in the page's search box, if it has one."""
