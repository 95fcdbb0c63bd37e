"""The shipped sample rubrics: structure, sums, and (once the engine exists) validation and scoring."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest

from app.rubric.samples import SAMPLES_DIR, load_sample, sample_paths

EXPECTED_IDS = {
    "standardized-school",
    "civilized-unit",
    "double-reduction-monthly",
    "study-habits",
    "enterprise-env-safety",
    "drug-free-area",
    "lianji-indicators",
}
KINDS = {"points", "deduction", "passfail", "level", "indicator", "count", "text"}
EVIDENCE = {"documents", "site", "interview", "questionnaire", "spot_check"}
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def _docs():
    return [(p.stem, json.loads(p.read_text(encoding="utf-8"))) for p in sample_paths()]


def _is_label(x) -> bool:
    return isinstance(x, dict) and set(x) >= {"zh", "en"} and all(
        isinstance(x[k], str) and x[k].strip() for k in ("zh", "en")
    )


def _item_max(it) -> Decimal:
    kind = it["kind"]
    if kind == "level":
        return max(Decimal(str(lv["points"])) for lv in it["levels"])
    if kind == "text":
        return Decimal(0)
    if kind == "count":
        return Decimal(str(it.get("max", 0)))
    return Decimal(str(it["max"]))


def _section_max(sec) -> Decimal:
    total = sum((_item_max(i) for i in sec.get("items", [])), Decimal(0))
    total += sum((_section_max(s) for s in sec.get("sections", [])), Decimal(0))
    if "cap" in sec:
        total = min(total, Decimal(str(sec["cap"])))
    return total


def _walk(sections):
    for sec in sections:
        yield "section", sec
        for it in sec.get("items", []):
            yield "item", it
        yield from _walk(sec.get("sections", []))


def _all_codes(doc) -> list[str]:
    codes = [node["code"] for _, node in _walk(doc["sections"])]
    codes += [it["code"] for it in doc.get("bonus", {}).get("items", [])]
    codes += [v["code"] for v in doc.get("vetoes", [])]
    return codes


def test_all_samples_exist():
    assert SAMPLES_DIR.is_dir()
    ids = {p.stem for p in sample_paths()}
    assert EXPECTED_IDS <= ids


def test_load_sample_returns_the_document_and_rejects_unknown_ids():
    doc = load_sample("civilized-unit")
    assert doc["id"] == "civilized-unit"
    with pytest.raises(KeyError):
        load_sample("no-such-rubric")


@pytest.mark.parametrize("stem,doc", _docs(), ids=lambda x: x if isinstance(x, str) else "")
def test_sample_structure(stem, doc):
    assert doc["format"] == "fieldmark.rubric/1"
    assert doc["id"] == stem and SLUG.match(doc["id"])
    assert isinstance(doc["version"], str) and doc["version"]
    assert _is_label(doc["name"])
    assert doc.get("source")
    assert doc["sections"]

    codes = _all_codes(doc)
    assert len(codes) == len(set(codes)), "codes must be unique across sections, items, bonus and vetoes"

    items = [n for k, n in _walk(doc["sections"]) if k == "item"] + doc.get("bonus", {}).get("items", [])
    for kind, node in _walk(doc["sections"]):
        if kind == "section":
            assert _is_label(node["name"]), node["code"]
            assert node.get("items") or node.get("sections"), node["code"]
    for it in items:
        assert it["kind"] in KINDS, it["code"]
        assert _is_label(it["text"]), it["code"]
        if "guidance" in it:
            assert _is_label(it["guidance"]), it["code"]
        assert set(it.get("evidence", [])) <= EVIDENCE, it["code"]
        if it["kind"] == "deduction":
            assert it["deductions"] and all(_is_label(d["label"]) and d["points"] > 0 for d in it["deductions"])
        if it["kind"] == "level":
            assert all(_is_label(lv["label"]) for lv in it["levels"])
        if it["kind"] == "indicator":
            ind = it["indicator"]
            assert ind["comparator"] in {">=", ">", "<=", "<", "=="}
            assert _is_label(ind["numerator"])

    item_codes = {it["code"] for it in items}
    for v in doc.get("vetoes", []):
        assert _is_label(v["label"])
        assert v["trigger"]["item"] in item_codes, v["code"]

    bands = doc.get("bands", [])
    if bands:
        assert "min" not in bands[-1]
        mins = [b["min"] for b in bands[:-1]]
        assert all(isinstance(b["min_inclusive"], bool) for b in bands[:-1])
        assert mins == sorted(mins, reverse=True) and len(set(mins)) == len(mins)
        assert all(_is_label(b["label"]) for b in bands)
        band_codes = {b["code"] for b in bands}
        for v in doc.get("vetoes", []):
            if isinstance(v["effect"], dict):
                assert v["effect"]["cap_band"] in band_codes
            else:
                assert v["effect"] == "fail"


def test_civilized_unit_sections():
    doc = load_sample("civilized-unit")
    scored = [s for s in doc["sections"] if _section_max(s) > 0]
    assert [int(_section_max(s)) for s in scored] == [15, 16, 13, 12, 9, 9, 8, 18]
    assert sum(_section_max(s) for s in doc["sections"]) == 100
    assert doc["bonus"]["cap"] > 0
    assert {v["effect"] for v in doc["vetoes"]} == {"fail"}


def test_standardized_school_sums_to_1000():
    doc = load_sample("standardized-school")
    maxima = {s["code"]: _section_max(s) for s in doc["sections"]}
    assert sum(maxima.values()) == 1000
    assert [int(m) for m in maxima.values() if m] == [250, 200, 150, 150, 100, 150]
    assert [(b["code"], b.get("min"), b.get("min_inclusive")) for b in doc["bands"]] == [
        ("met", 900, True), ("basic", 850, True), ("unmet", None, None)]
    assert len(doc["vetoes"]) == 3 and all(v["effect"] == "fail" for v in doc["vetoes"])
    assert doc["prorate"][0]["unit_types"] == ["complete_secondary"]


@pytest.mark.parametrize("rubric_id,total", [
    ("double-reduction-monthly", 100), ("study-habits", 10), ("enterprise-env-safety", 100), ("drug-free-area", 100),
    ("lianji-indicators", 100),
])
def test_other_totals(rubric_id, total):
    doc = load_sample(rubric_id)
    assert sum(_section_max(s) for s in doc["sections"]) == total


def test_study_habits_parts_and_combine():
    doc = load_sample("study-habits")
    assert [int(_section_max(s)) for s in doc["sections"]] == [5, 3, 2]
    assert doc["combine"] == {"method": "mean", "count": 8}


# --- validation and scoring with the engine ------------------------------------------------

from app.rubric import Answer, UnitProfile, load_rubric, score  # noqa: E402


def _items(doc):
    yield from (n for k, n in _walk(doc["sections"]) if k == "item")


def _meeting_numbers(it) -> dict:
    ind = it["indicator"]
    t = Decimal(str(ind["target"]))
    step = {">=": 0, "<=": 0, "==": 0, ">": 1, "<": -1}[ind["comparator"]]
    if "denominator" in ind:
        den = Decimal(100)
        num = t if ind.get("rate", True) else t * den
        return {"numerator": num + step, "denominator": den}
    return {"numerator": t + step}


def full_marks(doc) -> dict:
    """Answers that give every item its maximum (and pass every veto check)."""
    answers = {}
    for it in _items(doc):
        kind, value = it["kind"], None
        if kind == "points":
            value = it["max"]
        elif kind == "deduction":
            value = {}
        elif kind == "passfail":
            value = True
        elif kind == "level":
            value = max(it["levels"], key=lambda lv: lv["points"])["code"]
        elif kind == "indicator":
            value = _meeting_numbers(it)
        elif kind == "count":
            value = int(Decimal(str(it.get("max", 0))) / Decimal(str(it.get("points_each", 1)))) if it.get("max") else 1
        elif kind == "text":
            value = "已核查。"
        answers[it["code"]] = Answer(value, photos=1 if it.get("photo_required") else 0)
    return answers


@pytest.mark.parametrize("path", sample_paths(), ids=lambda p: p.stem)
def test_every_sample_passes_load_rubric(path):
    doc = load_sample(path.stem)
    try:
        rubric = load_rubric(doc)
    except Exception as exc:  # show the validator's list of problems
        pytest.fail(f"{path.stem}: {exc} {getattr(exc, 'problems', '')}")
    assert rubric.id == doc["id"]


# The content hashes the samples had while rubric files were read as floats. Profiles store
# templates and visits by these hashes: reading numbers exactly must not change one of them.
SAMPLE_HASHES = {
    "civilized-unit": "ed79ac381f9af42824f21e434417da73465f2ed225aa787fb0bfe05723b9654e",
    "double-reduction-monthly": "b293abbf59cf27a36651c35633ee37153fb22dfcb25492767a024ec3063581ff",
    "drug-free-area": "a526c09d41302b0a08065fcfa2142a84cfc5572ebb199e77779b041b79ed1c2f",
    "enterprise-env-safety": "dbd9b62fede6b0f766f372b04112a40bc8e92472c94f067a64c39af1e7477e7d",
    "lianji-indicators": "64eef7012f4227d2942f3e7697137ecd08cae039bf68eecf0c58ecb03500f1a2",
    "standardized-school": "fcbf59d39ee46ed1c9878051c4a9f4076782cfc8d1514d427bd7f05410364c9e",
    "study-habits": "00eb0cbbe38e908385cafaec63b00395d5824d5590dc93f2a74d7599090a390b",
}


@pytest.mark.parametrize("rubric_id", sorted(SAMPLE_HASHES))
def test_samples_keep_their_content_hashes(rubric_id):
    exact = load_sample(rubric_id)
    assert load_rubric(exact).content_hash == SAMPLE_HASHES[rubric_id]
    floats = json.loads((SAMPLES_DIR / f"{rubric_id}.json").read_text(encoding="utf-8"))
    assert load_rubric(floats).content_hash == SAMPLE_HASHES[rubric_id]


@pytest.mark.parametrize("path", sample_paths(), ids=lambda p: p.stem)
def test_full_marks_reach_the_maximum_and_the_best_band(path):
    doc = json.loads(path.read_text(encoding="utf-8"))
    rubric = load_rubric(doc)
    result = score(rubric, full_marks(doc))
    nominal = sum(_section_max(s) for s in doc["sections"])
    assert result.awarded == nominal == result.maximum
    assert not result.vetoes and not result.failed
    assert result.gap_count == 0, [g.message for g in result.gaps]
    if doc.get("bands"):
        assert result.band.code == doc["bands"][0]["code"]


def test_civilized_unit_self_assessment_totals_97():
    # 丹江口市教育局 self-assessment: 15/16/13/12/8/8/8/17. The report claims 98; the sum is 97.
    doc = load_sample("civilized-unit")
    rubric = load_rubric(doc)
    answers = full_marks(doc)
    answers["E1"] = Answer(2, reason="报刊征订任务完成，但学习培训记录不全")
    answers["F1"] = Answer({"F1-a": 1}, reason="一个科室环境卫生不达标")
    answers["H4"] = Answer({"H4-a": 1}, reason="创建档案缺少年度总结")
    result = score(rubric, answers)
    awards = [int(result.sections[c].awarded) for c in "ABCDEFGH"]
    assert awards == [15, 16, 13, 12, 8, 8, 8, 17]
    assert result.awarded == 97 and result.total_with_bonus == 97
    assert result.band.code == "model"  # 97 >= 95 (文明单位标兵 threshold, a fill-in)
    # one provincial honour adds 2 bonus points
    answers["J1"] = Answer(1)
    assert score(rubric, answers).total_with_bonus == 99


def test_civilized_unit_veto_three_failed_hygiene_checks():
    doc = load_sample("civilized-unit")
    rubric = load_rubric(doc)
    answers = full_marks(doc)
    answers["X1"] = Answer({"numerator": 3})
    result = score(rubric, answers)
    assert result.failed and [v.code for v in result.vetoes] == ["V1"]
    assert result.band.code == "fail"


def test_standardized_school_bands_and_vetoes():
    doc = load_sample("standardized-school")
    rubric = load_rubric(doc)
    answers = full_marks(doc)
    # exactly 900 meets the standard (inclusive): lose 100 points in D2 (−3 each, floor 0) + ...
    answers["F8"] = Answer(0, reason="教学常规检查缺失")          # −25
    answers["A1.1"] = Answer(0, reason="用地严重不足")           # −25
    answers["C2"] = Answer({"numerator": 90, "denominator": 100})  # −25, not met
    answers["D2"] = Answer({"D2-a": 9}, reason="缺9项档案要素")   # −25 (27 floored at 0)
    result = score(rubric, answers)
    assert result.awarded == 900 and result.band.code == "met"
    answers["E7"] = Answer(9.5, reason="告知书回执不全")
    result = score(rubric, answers)
    assert result.awarded == Decimal("899.5") and result.band.code == "basic"
    answers["X1"] = Answer(False, reason="教学楼东侧平房经鉴定为D级仍在使用")
    result = score(rubric, answers)
    assert result.failed and result.band.code == "unmet"
    assert [v.code for v in result.vetoes] == ["V1"]


def test_standardized_school_prorates_teaching_quality_for_complete_secondary():
    doc = load_sample("standardized-school")
    rubric = load_rubric(doc)
    answers = full_marks(doc)
    profile = UnitProfile("complete_secondary", {"enrolment_middle": 600, "enrolment_high": 400})
    result = score(rubric, answers, profile)
    assert result.prorated
    assert result.sections["F"].share == Decimal("0.6")
    assert result.sections["F"].maximum == 90
    assert result.normalised_total == 1000 and result.band.code == "met"


def test_retention_rate_mismatch_is_reported():
    doc = load_sample("standardized-school")
    rubric = load_rubric(doc)
    answers = full_marks(doc)
    answers["F1"] = Answer({"numerator": 485, "denominator": 500, "reported": 99.2})
    result = score(rubric, answers)
    f1 = next(r for r in result.indicators if r.code == "F1")
    assert f1.value == Decimal(97) and not f1.met and f1.mismatch
    assert result.items["F1"].awarded == 0


def test_enterprise_halt_and_deadline_vetoes():
    doc = load_sample("enterprise-env-safety")
    rubric = load_rubric(doc)
    answers = full_marks(doc)
    for code in ("D1", "D2", "D3"):
        answers[code] = Answer(None, na=True, reason="非核技术利用单位")
    result = score(rubric, answers)
    assert result.maximum == 85 and result.percentage == 100 and result.band.code == "pass"
    answers["A1"] = Answer(False)
    result = score(rubric, answers)
    assert not result.failed and result.band.code == "rectify"
    answers["B4"] = Answer(False)
    result = score(rubric, answers)
    assert result.failed and result.band.code == "halt"


def test_drug_free_zero_count_gate():
    doc = load_sample("drug-free-area")
    rubric = load_rubric(doc)
    answers = full_marks(doc)
    answers["D1"] = Answer({"numerator": 1})
    result = score(rubric, answers)
    assert result.failed and [v.code for v in result.vetoes] == ["V1"]
    assert result.awarded == 95


def test_double_reduction_levels_and_cap():
    doc = load_sample("double-reduction-monthly")
    rubric = load_rubric(doc)
    answers = full_marks(doc)
    answers["A2"] = Answer("basic", reason="三年级作业时长超过60分钟")
    result = score(rubric, answers)
    assert result.awarded == 98 and result.band.code == "excellent"
    answers["F3"] = Answer(False, reason="家长反映周六集体补课")
    result = score(rubric, answers)
    assert result.awarded == 93 and result.band.code == "pass" and not result.failed


def test_study_habits_deductions():
    doc = load_sample("study-habits")
    rubric = load_rubric(doc)
    answers = full_marks(doc)
    answers["A1"] = Answer({"A1-a": 2, "A1-b": 1}, reason="旷课2人，迟到1人")
    answers["B1"] = Answer({"B1-a": 3}, reason="3人玩手机")
    result = score(rubric, answers)
    assert result.awarded == Decimal("6.0")
    assert result.band.code == "pass"


def test_lianji_drop_out_gate_and_rate_targets():
    doc = load_sample("lianji-indicators")
    rubric = load_rubric(doc)
    answers = full_marks(doc)
    answers["A4"] = Answer({"numerator": 35, "denominator": 1000, "reported": 0.27})  # 3.5% > 3%
    result = score(rubric, answers)
    assert result.failed and [v.code for v in result.vetoes] == ["V2"]
    a4 = next(r for r in result.indicators if r.code == "A4")
    assert a4.value == Decimal("3.5") and a4.mismatch


def test_drug_free_awareness_and_signing_rates():
    doc = load_sample("drug-free-area")
    rubric = load_rubric(doc)
    answers = full_marks(doc)
    answers["B1"] = Answer({"numerator": 89, "denominator": 100})  # 89% < 90%
    answers["C1"] = Answer({"numerator": 980, "denominator": 1000})  # exactly 98% meets
    result = score(rubric, answers)
    assert result.items["B1"].awarded == 0 and result.items["C1"].awarded == 10
    assert result.awarded == 90 and not result.failed and result.band.code == "excellent"
