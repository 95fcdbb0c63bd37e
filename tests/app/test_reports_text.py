"""What the documents say: numbers as the rubric counts them, counts, grades, answers in words."""

from __future__ import annotations

import re

import pytest

from app.evidence import import_bytes
from app.finalize import finalize_visit
from app.reports import build_report, parse_layout, save_layout
from app.reports.wording import visit_type_phrase
from app.rubric.wording import trim
from app.rubric_store import import_document
from app.visits import NewVisit, answer_item, create_visit
from tests.app.photo_factory import jpeg
from tests.app.report_factory import (
    FINDINGS,
    banded_rubric_hash,
    banded_visit,
    big_rubric,
    new_visit,
    pdf_text,
    red_pixels,
    squeeze,
)


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


GENERAL_ONLY = [f for f in FINDINGS if f[4] == "general"]


def _partly_answered(seeded, **kw) -> tuple[str, str]:
    """A1 and A2 answered, B1 (and the optional B2) not: one item still waiting."""
    vid, rubric_hash = banded_visit(seeded, answers=False, photos=0, **kw)
    for code, value in (("A1", 8.5), ("A2", True)):
        answer_item(seeded.profile, vid, rubric_hash=rubric_hash, item_code=code, value=value,
                    evidence_methods=["site"], reason="有不足" if code == "A1" else "")
    return vid, rubric_hash


def test_a_finalized_sheet_prints_no_gap_list_and_nothing_red(seeded):
    vid, _ = _partly_answered(seeded, findings=GENERAL_ONLY)
    draft = build_report(seeded.profile, vid)
    assert "尚有1处待补" in squeeze(pdf_text(draft.pdf)) and red_pixels(draft.pdf) > 30
    finalize_visit(seeded.profile, vid, accept_gaps=True)
    for lang in ("zh", "en"):
        final = build_report(seeded.profile, vid, lang=lang)
        text = squeeze(pdf_text(final.pdf))
        for word in ("待补", "尚有", "未评", "gap", "remain", "unanswered"):
            assert word not in text, word
        assert red_pixels(final.pdf) == 0
    # The score table states what was assessed, plainly: 2 of 4 items (B has 0 of 2).
    cells = pdf_text(build_report(seeded.profile, vid).pdf).split()
    assert "0/2" in cells and "2/4" in cells


def test_a_finalized_full_report_states_unassessed_items_plainly(seeded):
    vid, _ = _partly_answered(seeded)
    assert "[待补:未评]" in squeeze(pdf_text(build_report(seeded.profile, vid, kind="full").pdf))
    finalize_visit(seeded.profile, vid, accept_gaps=True)
    text = squeeze(pdf_text(build_report(seeded.profile, vid, kind="full").pdf))
    assert "待补" not in text and "B1作业管理未评" in text


def test_a_drafts_grade_is_provisional_with_the_count(seeded):
    vid, _ = _partly_answered(seeded)
    zh = squeeze(pdf_text(build_report(seeded.profile, vid).pdf))
    # 13.5 of 20 so far: 合格 if it stays so, but B1 is still to be assessed.
    assert "合格（暂定）" in zh and "草稿尚有1项未评，等级为暂定" in zh
    en = " ".join(pdf_text(build_report(seeded.profile, vid, lang="en").pdf).split())
    assert "Qualified (provisional)" in en and "1 item not yet assessed: the grade is provisional" in en
    full = squeeze(pdf_text(build_report(seeded.profile, vid, kind="full").pdf))
    assert "评定等级：合格（暂定）。草稿尚有1项未评，等级为暂定。" in full
    # Once finalized the grade is the result.
    finalize_visit(seeded.profile, vid, accept_gaps=True)
    final = squeeze(pdf_text(build_report(seeded.profile, vid).pdf))
    assert "合格" in final and "暂定" not in final


def test_a_visit_barely_started_has_no_grade_on_paper(seeded):
    vid, _ = banded_visit(seeded, answers=False, photos=0)
    for kind in ("feedback", "full"):
        text = squeeze(pdf_text(build_report(seeded.profile, vid, kind=kind).pdf))
        assert "不合格" not in text and "未评定" in text and "尚未评分（共4项）" in text


def test_and_n_more_counts_what_was_not_listed(seeded):
    profile = seeded.profile
    ref, _ = import_document(profile, big_rubric(sections=2, items=10))
    vid = new_visit(seeded, ref.hash)
    zh = squeeze(pdf_text(build_report(profile, vid).pdf))
    assert "尚有20处待补" in zh and "另有8处未列出" in zh and "等20处" not in zh
    en = " ".join(pdf_text(build_report(profile, vid, lang="en").pdf).split())
    assert "20 gaps remain" in en and "and 8 more" in en and "and 20 more" not in en


def test_counts_of_one_are_singular_in_english(seeded):
    vid, _ = _partly_answered(seeded)
    for n in range(2):
        import_bytes(seeded.profile, jpeg((320, 240), seed=n), f"IMG_{n}.jpg", visit_id=vid)
    save_layout(seeded.profile, parse_layout({"feedback_photos": 1}))
    en = " ".join(pdf_text(build_report(seeded.profile, vid, lang="en").pdf).split())
    assert "1 gap remains" in en and "1 more photo is in the full report." in en
    assert "1 gaps" not in en and "1 more photos" not in en
    zh = squeeze(pdf_text(build_report(seeded.profile, vid).pdf))
    assert "尚有1处待补" in zh and "另有1张照片见督导报告" in zh
