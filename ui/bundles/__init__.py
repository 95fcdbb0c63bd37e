"""Offline bundles in the desktop: File → Export bundle… and Import bundle…."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QAction


def bundle_actions(window: Any) -> list[QAction]:
    """The File menu's two bundle entries for ``window`` (the main window); an import that stored
    something refreshes its views."""
    from ui.bundles.dialogs import BundleActions

    work = BundleActions(window)
    work.changed.connect(window.refresh_all)
    return work.actions()
