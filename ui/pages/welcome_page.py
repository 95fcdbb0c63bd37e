"""The first run: an empty profile offers the three ways to get work into Fieldmark.

"Empty" is what a fresh ``Profile.open`` leaves: no visits, no units, no rubrics, and no server
ever logged in to. Once any of these exists the window never shows this page again, so an
inspector who connected but has not synced yet lands on Today with the sync status, not here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from app.profile import Profile


def profile_is_empty(profile: Profile) -> bool:
    """True for a profile with nothing in it yet (runs on the database thread)."""
    from app.rubric_store import list_rubrics
    from app.sync.status import sync_overview
    from app.units import search_units
    from app.visits import count_visits

    return (count_visits(profile) == 0 and not search_units(profile, "", limit=1)
            and not list_rubrics(profile) and not sync_overview(profile).server_url)


class WelcomePage(QWidget):
    """Three choices; the window does the work and leaves this page when one of them succeeds."""

    connectRequested = Signal()
    demoRequested = Signal()
    importRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcome")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 32, 48, 32)
        layout.setSpacing(12)
        layout.addStretch(1)

        logo = QLabel(self)
        icon = QGuiApplication.windowIcon()
        if not icon.isNull():
            logo.setPixmap(icon.pixmap(64, 64))
        logo.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(logo)
        title = QLabel(self.tr("Welcome to Fieldmark"), self)
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        title.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(title)
        intro = QLabel(self.tr("This laptop has no units, rubrics or visits yet. How do you want to start?"), self)
        intro.setWordWrap(True)
        intro.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(intro)
        layout.addSpacing(12)

        # One column of a reading width: each choice is a button with its description wrapped below.
        choices = QWidget(self)
        choices.setFixedWidth(560)
        self.column = QVBoxLayout(choices)
        self.column.setContentsMargins(0, 0, 0, 0)
        self.column.setSpacing(4)
        self.descriptions: list[QLabel] = []
        self.connect_button = self._choice(
            self.tr("&Connect to the office's server"),
            self.tr("Log in with the server address and the login name the office gave you; "
                    "your units, rubrics and assignments then come with the first sync."))
        self.demo_button = self._choice(
            self.tr("&Try the demo data"),
            self.tr("Fill this profile with a made-up county's schools, rubrics and visits to look around. "
                    "Use a separate data folder for real work."))
        self.import_button = self._choice(
            self.tr("&Import a bundle"),
            self.tr("Open a .fmbundle file a team-mate or the office gave you, when there is no network."))
        self.connect_button.clicked.connect(self.connectRequested)
        self.demo_button.clicked.connect(self.demoRequested)
        self.import_button.clicked.connect(self.importRequested)
        # Centred by stretches, not by an alignment flag: only then does the layout give the
        # wrapped descriptions the height they need at the column's width.
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(choices)
        row.addStretch(1)
        layout.addLayout(row)

        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.status)
        layout.addStretch(2)

    def _choice(self, title: str, description: str) -> QPushButton:
        button = QPushButton(title, self)
        button.setMinimumHeight(36)
        button.setStyleSheet("QPushButton { text-align: left; padding: 6px 14px; font-weight: bold; }")
        text = QLabel(description, self)
        text.setWordWrap(True)
        text.setContentsMargins(14, 0, 0, 14)
        button.setAccessibleDescription(description)
        self.column.addWidget(button)
        self.column.addWidget(text)
        self.descriptions.append(text)
        return button

    def set_busy(self, text: str) -> None:
        """While a choice works (the demo takes a few seconds) the others wait; "" ends it."""
        self.status.setText(text)
        for button in (self.connect_button, self.demo_button, self.import_button):
            button.setEnabled(not text)
