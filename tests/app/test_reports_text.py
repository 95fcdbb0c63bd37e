"""What the documents say: numbers as the rubric counts them, counts, grades, answers in words."""

from __future__ import annotations

import re

import pytest

from app.reports import build_report
from app.reports.wording import trim, visit_type_phrase
from app.visits import NewVisit, create_visit
from tests.app.report_factory import banded_rubric_hash, banded_visit, pdf_text


@pytest.fixture
def visit(seeded) -> str:
    return banded_visit(seeded, photos=0)[0]


@pytest.mark.parametrize("kind", ["feedback", "full"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_scores_print_as_the_rubric_counts_them(seeded, visit, kind, lang):
    text = pdf_text(build_report(seeded.profile, visit, kind=kind, lang=lang).pdf)
    # A 15 / 13.5, B 5 / 3, total 20 / 16.5: whole numbers without ".0", halves as they are.
    cells = set(text.split())
    assert {"15", "13.5", "20", "16.5"} <= cells, sorted(cells)
    assert not re.search(r"(?<![\d.])\d+\.0(?![\d])", text), re.findall(r"\S*\d+\.0\S*", text)


@pytest.mark.parametrize("raw, shown", [("250.0", "250"), ("12.50", "12.5"), ("0.0", "0"), ("-0.0", "0"),
                                        ("1000", "1000"), ("—", "—"), ("82.5", "82.5")])
def test_trim(raw, shown):
    assert trim(raw) == shown


@pytest.mark.parametrize("code, phrase", [
    ("routine", "a routine supervision"), ("preliminary_review", "a preliminary review"),
    ("acceptance", "an acceptance review"), ("unannounced", "an unannounced visit"),
    ("follow_up", "a follow-up"), ("self_assessment", "a self-assessment"),
])
def test_visit_types_in_english_sentences_are_lower_case_with_their_article(code, phrase):
    assert visit_type_phrase(code, "en") == phrase
    assert visit_type_phrase(code, "zh") == visit_type_phrase(code, "zh").strip()


def test_english_sentences_write_the_visit_type_in_lower_case(seeded):
    profile = seeded.profile
    vid = create_visit(profile, NewVisit(unit_id=seeded.unit_id, visit_type="preliminary_review",
                                         starts_on="2026-11-24", rubric_hashes=[banded_rubric_hash(profile)],
                                         team_id=seeded.team_id)).id
    notice = " ".join(pdf_text(build_report(profile, vid, kind="rectification", lang="en").pdf).split())
    assert "carried out a preliminary review of your unit" in notice
    full = " ".join(pdf_text(build_report(profile, vid, kind="full", lang="en").pdf).split())
    assert "carried out a preliminary review of 均州路中心小学" in full
    assert "a Preliminary review" not in notice + full
    # Table cells keep the label as it is.
    assert "Visit type Preliminary review" in notice
