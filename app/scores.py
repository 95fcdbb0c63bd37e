"""Scoring a stored visit: its responses and photos, fed to the pure scoring engine."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.models import Response, Unit
from app.profile import Profile
from app.rubric import Answer, Label, Scorer, ScoreResult, UnitProfile, score
from app.rubric_store import get_rubric
from app.visits import get_visit, list_responses
from db.queries import areas
from db.queries import responses as rq


def profile_of_unit(row: Mapping[str, Any] | None) -> UnitProfile:
    """What scoring needs of a unit row (its type and profile numbers); empty for no unit."""
    if row is None:
        return UnitProfile()
    unit = Unit.from_row(dict(row))
    return UnitProfile(unit_type=unit.unit_type, numbers=unit.profile)


def unit_profile(profile: Profile, unit_id: str) -> UnitProfile:
    return profile_of_unit(areas.get_unit(profile.db, unit_id))


def answers_of(responses: Iterable[Response], photos: Mapping[str, int], rubric_hash: str) -> dict[str, Answer]:
    """The scoring engine's answers for one rubric: the visit's live responses and the photo
    count of each item (the server re-scores a pushed visit with this too)."""
    answers = {
        r.item_code: Answer(value=r.value, na=r.na, reason=r.reason or None, photos=photos.get(r.item_code, 0))
        for r in responses if r.rubric_hash == rubric_hash
    }
    # An item with photos but no answer yet still counts its photos.
    for code, n in photos.items():
        answers.setdefault(code, Answer(photos=n))
    return answers


def visit_answers(profile: Profile, visit_id: str, rubric_hash: str) -> dict[str, Answer]:
    return answers_of(list_responses(profile, visit_id), rq.photo_counts(profile.db, visit_id, rubric_hash),
                      rubric_hash)


def score_visit(profile: Profile, visit_id: str, rubric_hash: str) -> ScoreResult:
    visit = get_visit(profile, visit_id)
    return score(get_rubric(profile, rubric_hash), visit_answers(profile, visit_id, rubric_hash),
                 unit_profile(profile, visit.unit_id))


def live_scorer(profile: Profile, visit_id: str, rubric_hash: str) -> Scorer:
    """A Scorer primed with the stored answers; the checklist updates it on every edit."""
    visit = get_visit(profile, visit_id)
    return Scorer(get_rubric(profile, rubric_hash), unit_profile(profile, visit.unit_id),
                  visit_answers(profile, visit_id, rubric_hash))


@dataclass(frozen=True)
class ScoreSummary:
    """A visit's score at a glance (the Visits list): its first rubric's total and grade.

    ``answered`` counts answered and N/A items; ``unassessed`` the required items still open,
    so a grade can be called provisional, and no grade shown before any answer.
    """

    awarded: str
    maximum: str
    band: Label | None
    failed: bool
    vetoed: bool
    answered: int
    unassessed: int
    rubrics: int  # how many rubrics the visit applies; the summary is of the first


def summarise(result: ScoreResult, rubrics: int = 1) -> ScoreSummary:
    items = result.items.values()
    return ScoreSummary(
        awarded=result.display(result.awarded), maximum=result.display(result.maximum),
        band=result.band.label if result.band is not None else None, failed=result.failed,
        vetoed=bool(result.vetoes), answered=sum(1 for r in items if r.answered or r.na),
        unassessed=sum(1 for r in items if "unanswered" in r.gaps), rubrics=rubrics)


def visit_summaries(profile: Profile, visit_ids: Sequence[str]) -> dict[str, ScoreSummary]:
    """The score summary of each visit that has a rubric, keyed by visit id."""
    out: dict[str, ScoreSummary] = {}
    for visit_id in visit_ids:
        hashes = get_visit(profile, visit_id).rubric_hashes
        if hashes:
            out[visit_id] = summarise(score_visit(profile, visit_id, hashes[0]), len(hashes))
    return out
