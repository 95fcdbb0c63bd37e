"""Scoring a stored visit: its responses and photos, fed to the pure scoring engine."""

from __future__ import annotations

from app.profile import Profile
from app.rubric import Answer, Scorer, ScoreResult, UnitProfile, score
from app.rubric_store import get_rubric
from app.visits import get_visit, list_responses
from db.queries import areas
from db.queries import responses as rq


def unit_profile(profile: Profile, unit_id: str) -> UnitProfile:
    from app.models import Unit

    row = areas.get_unit(profile.db, unit_id)
    if row is None:
        return UnitProfile()
    unit = Unit.from_row(row)
    return UnitProfile(unit_type=unit.unit_type, numbers=unit.profile)


def visit_answers(profile: Profile, visit_id: str, rubric_hash: str) -> dict[str, Answer]:
    photos = rq.photo_counts(profile.db, visit_id, rubric_hash)
    answers = {
        r.item_code: Answer(value=r.value, na=r.na, reason=r.reason or None, photos=photos.get(r.item_code, 0))
        for r in list_responses(profile, visit_id) if r.rubric_hash == rubric_hash
    }
    # An item with photos but no answer yet still counts its photos.
    for code, n in photos.items():
        answers.setdefault(code, Answer(photos=n))
    return answers


def score_visit(profile: Profile, visit_id: str, rubric_hash: str) -> ScoreResult:
    visit = get_visit(profile, visit_id)
    return score(get_rubric(profile, rubric_hash), visit_answers(profile, visit_id, rubric_hash),
                 unit_profile(profile, visit.unit_id))


def live_scorer(profile: Profile, visit_id: str, rubric_hash: str) -> Scorer:
    """A Scorer primed with the stored answers; the checklist updates it on every edit."""
    visit = get_visit(profile, visit_id)
    return Scorer(get_rubric(profile, rubric_hash), unit_profile(profile, visit.unit_id),
                  visit_answers(profile, visit_id, rubric_hash))
