"""How a grade is worded on screen: none before any answer, provisional while items are open.

One place for the score panel and the Visits list, so both say the same of the same visit.
"""

from __future__ import annotations

from PySide6.QtCore import QObject

from app.scores import ScoreSummary
from ui.widgets.i18n import text_of


class GradeWords(QObject):
    def grade(self, summary: ScoreSummary) -> str | None:
        """The grade to show, or None while nothing is answered (a bare 不达标 would mislead)."""
        if not summary.answered or summary.band is None:
            return None
        band = text_of(summary.band)
        if summary.unassessed and not summary.vetoed:
            return self.tr("{band} (provisional: %n item(s) not yet assessed)", "", summary.unassessed).format(
                band=band)
        return band
