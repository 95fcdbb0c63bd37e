"""A visit's score at a glance, for the Visits list: total, grade, and how much is still open."""

from __future__ import annotations

from app.scores import ScoreSummary, visit_summaries
from app.visits import NewVisit, answer_item, create_visit


def visit(s) -> str:
    return create_visit(s.profile, NewVisit(unit_id=s.unit_id, visit_type="routine", starts_on="2026-11-24",
                                            rubric_hashes=[s.rubric_hash], team_id=s.team_id)).id


def test_a_band_and_a_veto_are_reported(seeded):
    from app.rubric.samples import load_sample
    from app.rubric_store import import_document

    school, _ = import_document(seeded.profile, load_sample("standardized-school"))
    vid = create_visit(seeded.profile, NewVisit(unit_id=seeded.unit_id, visit_type="preliminary_review",
                                                starts_on="2026-11-24", rubric_hashes=[school.hash],
                                                team_id=seeded.team_id)).id
    answer_item(seeded.profile, vid, rubric_hash=school.hash, item_code="X1", value=False)
    summary = visit_summaries(seeded.profile, [vid])[vid]
    assert summary.vetoed and summary.failed and summary.band is not None
    assert summary.answered == 1 and summary.unassessed > 50


def test_a_visit_without_answers_has_nothing_answered(seeded):
    vid = visit(seeded)
    summary = visit_summaries(seeded.profile, [vid])[vid]
    assert (summary.answered, summary.unassessed, summary.awarded, summary.maximum) == (0, 3, "0.0", "20.0")
    assert summary.rubrics == 1 and not summary.vetoed


def test_answers_count_and_the_optional_item_is_never_open(seeded):
    vid = visit(seeded)
    p, h = seeded.profile, seeded.rubric_hash
    answer_item(p, vid, rubric_hash=h, item_code="A1", value=7.5, reason="过期")
    answer_item(p, vid, rubric_hash=h, item_code="B1", value="basic")
    answer_item(p, vid, rubric_hash=h, item_code="B2", na=True)
    summary = visit_summaries(p, [vid])[vid]
    assert summary == ScoreSummary(awarded="10.5", maximum="20.0", band=None, failed=False, vetoed=False,
                                   answered=3, unassessed=1, rubrics=1)
