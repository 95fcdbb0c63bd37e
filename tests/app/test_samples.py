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
])
def test_other_totals(rubric_id, total):
    doc = load_sample(rubric_id)
    assert sum(_section_max(s) for s in doc["sections"]) == total


def test_study_habits_parts_and_combine():
    doc = load_sample("study-habits")
    assert [int(_section_max(s)) for s in doc["sections"]] == [5, 3, 2]
    assert doc["combine"] == {"method": "mean", "count": 8}
