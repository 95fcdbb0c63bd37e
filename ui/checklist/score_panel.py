"""The live score: total, percentage, band, vetoes in red with their reasons, and open gaps."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QVBoxLayout, QWidget

from app.rubric import ScoreResult
from app.scores import summarise
from ui.checklist.text import label_text
from ui.widgets.grades import GradeWords


class ScorePanelWidget(QFrame):
    """Redrawn on every answer, so it only sets label texts (well inside one frame)."""

    gapsClicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scorePanel")
        self.rubric = QLabel()
        self.rubric.setObjectName("scoreRubric")
        self.rubric.setWordWrap(True)
        self.total = QLabel("—")
        self.total.setObjectName("scoreTotal")
        self.detail = QLabel()
        self.detail.setObjectName("scoreDetail")
        self.detail.setWordWrap(True)
        self.band = QLabel()
        self.band.setObjectName("scoreBand")
        self.band.setWordWrap(True)
        self.vetoes = QLabel()
        self.vetoes.setObjectName("scoreVetoes")
        self.vetoes.setWordWrap(True)
        self.vetoes.setTextFormat(Qt.TextFormat.PlainText)
        self.gaps = QPushButton()
        self.gaps.setObjectName("scoreGaps")
        self.gaps.setFlat(True)
        self.gaps.setCursor(Qt.CursorShape.PointingHandCursor)
        self.gaps.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the gap check has its own shortcut
        self.gaps.clicked.connect(self.gapsClicked)
        box = QVBoxLayout(self)
        box.setContentsMargins(14, 12, 14, 12)
        box.setSpacing(4)
        for w in (self.rubric, self.total, self.detail, self.band, self.vetoes, self.gaps):
            box.addWidget(w)
        self.last_text = ""
        self.words = GradeWords(self)

    def set_result(self, result: ScoreResult, missing_signatures: int = 0) -> None:
        self.rubric.setText(label_text(result.rubric.name))
        self.total.setText(self.tr("{awarded} / {maximum}").format(
            awarded=result.display(result.awarded), maximum=result.display(result.maximum)))
        bits = []
        if result.percentage is not None:
            bits.append(self.tr("{percent}%").format(percent=result.display(result.percentage)))
        if result.bonus:
            bits.append(self.tr("bonus +{bonus}").format(bonus=result.display(result.bonus)))
        if result.prorated and result.normalised_total is not None:
            bits.append(self.tr("normalised {total}").format(total=result.display(result.normalised_total)))
        self.detail.setText(" · ".join(bits))
        grade = self.words.grade(summarise(result))
        if grade is not None:
            self.band.setText(self.tr("Grade: {band}").format(band=grade))
        elif result.band is None:
            self.band.setText(self.tr("Grade: —"))
        else:
            self.band.setText(self.tr("Grade: — (nothing answered yet)"))
        self.band.setProperty("failed", result.failed and grade is not None)
        self.band.style().polish(self.band)
        if result.vetoes:
            lines = [self.tr("Veto: {reason}").format(reason=label_text(v.label)) for v in result.vetoes]
            self.vetoes.setText("\n".join(lines))
        self.vetoes.setVisible(bool(result.vetoes))
        gaps = result.gap_count + missing_signatures
        self.gaps.setText(self.tr("%n gap(s) to close", "", gaps) if gaps else self.tr("No gaps"))
        self.gaps.setProperty("open", gaps > 0)
        self.gaps.style().polish(self.gaps)
        self.last_text = self.total.text()
