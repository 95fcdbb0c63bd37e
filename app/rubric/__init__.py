"""Rubric templates: the format, validation, the scoring engine and spreadsheet authoring."""

from __future__ import annotations

from app.rubric.answers import (
    ANSWERS_FORMAT,
    PROFILE_FORMAT,
    award,
    check_answer,
    check_answers,
    load_answers,
    load_profile,
)
from app.rubric.combine import CombinedResult, combine, combine_results
from app.rubric.model import (
    KINDS,
    Answer,
    Band,
    CombineSpec,
    Condition,
    Deduction,
    IndicatorResult,
    IndicatorSpec,
    Item,
    Label,
    Level,
    Prorate,
    Rubric,
    Section,
    UnitProfile,
    Veto,
)
from app.rubric.scoring import Gap, ItemResult, Scorer, ScoreResult, SectionResult, VetoHit, score
from app.rubric.validate import load_rubric, validate_document

__all__ = [
    "ANSWERS_FORMAT",
    "KINDS",
    "PROFILE_FORMAT",
    "Answer",
    "Band",
    "CombineSpec",
    "CombinedResult",
    "Condition",
    "Deduction",
    "Gap",
    "IndicatorResult",
    "IndicatorSpec",
    "Item",
    "ItemResult",
    "Label",
    "Level",
    "Prorate",
    "Rubric",
    "ScoreResult",
    "Scorer",
    "Section",
    "SectionResult",
    "UnitProfile",
    "Veto",
    "VetoHit",
    "award",
    "check_answer",
    "check_answers",
    "combine",
    "combine_results",
    "load_answers",
    "load_profile",
    "load_rubric",
    "score",
    "validate_document",
]
