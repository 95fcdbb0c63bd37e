"""The appendix shows each answer in words and numbers, by the kind of its item."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.models import Response
from app.reports import build_report
from app.reports.answers import answer_text
from app.reports.linebreak import plain
from app.rubric import IndicatorResult, load_rubric
from app.rubric_store import import_document
from app.visits import answer_item
from tests.app.report_factory import new_visit, pdf_text, squeeze

RUBRIC = {
    "format": "fieldmark.rubric/1", "id": "answer-kinds", "version": "1",
    "name": {"zh": "答案类型", "en": "Answer kinds"},
    "sections": [{"code": "A", "name": {"zh": "各类", "en": "Kinds"}, "items": [
        {"code": "D1", "kind": "deduction", "text": {"zh": "档案齐全", "en": "Records complete"}, "max": 10,
         "deductions": [{"code": "D1-a", "label": {"zh": "每缺一项档案要素", "en": "Each missing element"},
                         "points": 3}]},
        {"code": "D2", "kind": "deduction", "text": {"zh": "器材完好", "en": "Equipment sound"}, "max": 5,
         "deductions": [{"code": "D2-a", "label": {"zh": "每发现一处损坏", "en": "Each damaged piece"},
                         "points": 2}]},
        {"code": "R1", "kind": "indicator", "text": {"zh": "巩固率", "en": "Retention"}, "max": 15,
         "indicator": {"numerator": {"zh": "在校", "en": "In school"}, "denominator": {"zh": "入学", "en": "Entered"},
                       "rate": True, "comparator": ">=", "target": 99}},
        {"code": "R2", "kind": "indicator", "text": {"zh": "生均图书", "en": "Books per pupil"}, "max": 20,
         "indicator": {"numerator": {"zh": "藏书", "en": "Books"}, "denominator": {"zh": "学生", "en": "Pupils"},
                       "rate": False, "comparator": ">=", "target": 25}},
        {"code": "L1", "kind": "level", "text": {"zh": "作业管理", "en": "Homework"}, "levels": [
            {"code": "met", "label": {"zh": "达标", "en": "Met"}, "points": 5},
            {"code": "basic", "label": {"zh": "基本达标", "en": "Basically met"}, "points": 3}]},
        {"code": "P1", "kind": "passfail", "text": {"zh": "制度上墙", "en": "Rules posted"}, "max": 5},
        {"code": "P2", "kind": "passfail", "text": {"zh": "无违规收费", "en": "No illegal fees"}, "max": 5},
        {"code": "X1", "kind": "passfail", "text": {"zh": "危房核查", "en": "Building check"}, "max": 0},
        {"code": "C1", "kind": "count", "text": {"zh": "演练次数", "en": "Drills"}, "points_each": 5, "max": 10},
    ]}],
}
ANSWERS = {"D1": {"D1-a": 2}, "D2": {}, "R1": {"numerator": 98, "denominator": 100},
           "R2": {"numerator": 1000, "denominator": 1000}, "L1": "basic", "P1": True, "P2": False, "C1": 3,
           "X1": True}


@pytest.fixture
def appendix(seeded):
    profile = seeded.profile
    ref, _ = import_document(profile, RUBRIC)
    vid = new_visit(seeded, ref.hash)
    for code, value in ANSWERS.items():
        answer_item(profile, vid, rubric_hash=ref.hash, item_code=code, value=value, evidence_methods=["documents"],
                    reason="有不足")
    return {lang: squeeze(pdf_text(build_report(profile, vid, kind="full", lang=lang).pdf)) for lang in ("zh", "en")}


def test_each_answer_in_words_and_numbers(appendix):
    zh, en = appendix["zh"], appendix["en"]
    for text in (
        "每缺一项档案要素：2处×3分=−6",  # a deduction: the rule, how many, what each cost
        "未扣分",  # no deduction is said, not "无"
        "98.0%（98/100，目标≥99%）",  # a rate with its raw numbers and target
        "1.0（1000/1000，目标≥25）",  # a ratio: the value that earned 0, not a bare 1000/1000
        "基本达标", "达标", "不达标",  # a level's label; pass/fail as 达标 / 不达标
        "3×5分=15分，本项最高10分",  # a count with its points and cap
    ):
        assert squeeze(text) in zh, text
    assert "Eachmissingelement:2×3points=−6" in en and "Nodeduction" in en
    assert "98.0%(98/100,target≥99%)" in en and "Meetsthestandard" in en and "Doesnotmeetthestandard" in en
    assert "0/20" in zh  # R2's score: 0 of 20, and its answer says why
    assert "X1危房核查达标—查阅资料" in zh and "0/0" not in zh  # a check that carries no points


def test_never_a_bare_rule_label_or_none(appendix):
    items = appendix["zh"].split("附表：逐项评分", 1)[1]
    assert "无" not in items.replace("无违规收费", "")
    assert "每缺一项档案要素查阅资料" not in items  # the label always comes with its count
    assert "合格" not in items


def test_unit_reported_rate_that_does_not_match_is_said():
    rubric = load_rubric(RUBRIC)
    item = rubric.items["R1"]
    response = Response(rubric_hash="x", item_code="R1", value={"numerator": 98, "denominator": 100, "reported": 99.5},
                        na=False, evidence_methods=(), note="", reason="", answered_at="")
    result = IndicatorResult("R1", Decimal("98"), False, Decimal("99.5"), True)
    text = plain(answer_text(item, response, "zh", result))  # without the keep-together marks
    assert text.startswith("98.0%（98/100，目标 ≥ 99%）") and "单位上报 99.5%，与核实数不一致" in text
    # Rounding never hides a missed target: 98.96 is not printed as 99.0.
    near = plain(answer_text(item, response, "en", IndicatorResult("R1", Decimal("98.96"), False)))
    assert near.startswith("98.96% (")
