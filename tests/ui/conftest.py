"""The UI tests run on the screen inspectors have: a 1366×768 laptop (and a small second screen).

Qt's offscreen platform reads its screens from a file; without it every window would open on
an 800×600 screen that no inspector has. Window geometry is kept in a folder of each test's own.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

SCREENS = Path(__file__).with_name("screens.json")

if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={SCREENS}"


@pytest.fixture(autouse=True)
def window_settings(tmp_path: Path) -> Path:
    """Remembered window sizes go to this test's folder, never to the user's own settings."""
    folder = tmp_path / "qt-settings"
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    return folder
