"""The desktop's sync against the live test server: the UI tests' 1366×768 screen and window folder."""

from __future__ import annotations

from tests.ui.conftest import SCREENS, window_settings  # noqa: F401 - the offscreen screen, and the fixture

__all__ = ["SCREENS", "window_settings"]
