"""The structured difference between two rubric versions (app.rubric.diff)."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.rubric import load_rubric
from app.rubric.diff import FieldChange, diff_rubrics, number
from app.rubric.model import Label

ROOT = Path(__file__).resolve().parents[2]


def _doc(name: str = "study-habits") -> dict[str, Any]:
    return json.loads((ROOT / "resources" / "rubrics" / f"{name}.json").read_text(encoding="utf-8"))


def _item(doc: dict[str, Any], code: str) -> dict[str, Any]:
    def walk(sections: list[dict[str, Any]]) -> dict[str, Any] | None:
        for s in sections:
            for i in s.get("items", []):
                if i["code"] == code:
                    return i
            found = walk(s.get("sections", []))
            if found:
                return found
        return None

    found = walk(doc["sections"])
    assert found is not None
    return found


def test_the_same_document_has_no_differences() -> None:
    rubric = load_rubric(_doc())
    diff = diff_rubrics(rubric, rubric)
    assert diff.same
    assert diff.items.empty and diff.bands.empty and diff.vetoes.empty and diff.rubric == ()


def test_a_new_version_only_is_no_difference_of_content() -> None:
    new = _doc()
    new["version"] = "2099.1"
    diff = diff_rubrics(load_rubric(_doc()), load_rubric(new))
    assert diff.same
    assert (diff.old_version, diff.new_version) == ("2024.1", "2099.1")


def test_changed_text_maximum_and_kind_of_an_item() -> None:
    old = _doc()
    new = copy.deepcopy(old)
    new["version"] = "2025.1"
    item = _item(new, "A1")
    item["text"]["zh"] = "抽查考勤"
    item["max"] = 6
    diff = diff_rubrics(load_rubric(old), load_rubric(new))
    (changed,) = diff.items.changed
    assert changed.code == "A1"
    assert changed.label.zh == "抽查考勤"
    fields = {c.field: c for c in changed.changes}
    assert set(fields) == {"text", "maximum"}
    assert fields["maximum"] == FieldChange("maximum", Decimal(5), Decimal(6))
    assert fields["text"].old.zh == "抽查班级学生上课考勤情况，无迟到、早退、旷课现象"  # type: ignore[union-attr]
    # The rubric's total maximum moves with it: computed, never typed.
    assert diff.rubric == (FieldChange("maximum", Decimal(10), Decimal(11)),)


def test_a_kind_change_shows_the_kind_and_what_goes_with_it() -> None:
    old = _doc()
    new = copy.deepcopy(old)
    item = _item(new, "A1")
    del item["deductions"]
    item["kind"] = "points"
    item["step"] = 0.5
    diff = diff_rubrics(load_rubric(old), load_rubric(new))
    fields = {c.field: c for c in diff.items.changed[0].changes}
    assert fields["kind"] == FieldChange("kind", "deduction", "points")
    assert fields["deductions"].old and fields["deductions"].new == ()
    assert fields["step"].new == Decimal("0.5")


def test_items_added_and_removed_name_their_kind_maximum_and_section() -> None:
    old = _doc()
    new = copy.deepcopy(old)
    removed = new["sections"][0]["items"].pop()
    new["sections"][0]["items"].append({"code": "A9", "kind": "passfail", "max": 1,
                                        "text": {"zh": "新增项", "en": "New item"}})
    diff = diff_rubrics(load_rubric(old), load_rubric(new))
    (added,) = diff.items.added
    assert added.code == "A9" and added.label == Label("新增项", "New item")
    assert {f.field: f.new for f in added.fields} == {"kind": "passfail", "maximum": Decimal(1), "section": "A"}
    assert [e.code for e in diff.items.removed] == [removed["code"]]
    assert diff.items.changed == ()


def test_an_item_moved_to_another_section_is_changed_not_removed() -> None:
    old = _doc()
    new = copy.deepcopy(old)
    moved = new["sections"][0]["items"].pop(0)
    new["sections"][1]["items"].append(moved)
    diff = diff_rubrics(load_rubric(old), load_rubric(new))
    assert not diff.items.added and not diff.items.removed
    (changed,) = diff.items.changed
    assert changed.changes == (FieldChange("section", "A", new["sections"][1]["code"]),)


def test_bands_and_vetoes() -> None:
    old = _doc("standardized-school")
    new = copy.deepcopy(old)
    new["bands"][0]["min"] = 920
    new["bands"][0]["min_inclusive"] = False
    gone = new["vetoes"].pop()
    new["vetoes"][0]["label"]["en"] = "A D-class building in use"
    diff = diff_rubrics(load_rubric(old), load_rubric(new))
    (band,) = diff.bands.changed
    assert band.code == "met"
    assert band.changes == (FieldChange("threshold", "≥ 900", "> 920"),)
    assert [v.code for v in diff.vetoes.removed] == [gone["code"]]
    (veto,) = diff.vetoes.changed
    assert [c.field for c in veto.changes] == ["label"]
    assert diff.items.empty


def test_sections_added_and_renamed() -> None:
    old = _doc()
    new = copy.deepcopy(old)
    new["sections"][0]["name"]["zh"] = "出勤"
    new["sections"].append({"code": "D", "name": {"zh": "作业", "en": "Homework"},
                            "items": [{"code": "D1", "kind": "passfail", "max": 2,
                                       "text": {"zh": "按时交作业", "en": "Homework on time"}}]})
    diff = diff_rubrics(load_rubric(old), load_rubric(new))
    assert [e.code for e in diff.sections.added] == ["D"]
    assert [c.code for c in diff.sections.changed] == ["A"]
    assert [e.code for e in diff.items.added] == ["D1"]


def test_levels_and_deductions_are_compared_as_lists() -> None:
    old = _doc()
    new = copy.deepcopy(old)
    _item(new, "A1")["deductions"][1]["points"] = 1
    diff = diff_rubrics(load_rubric(old), load_rubric(new))
    (change,) = diff.items.changed[0].changes
    assert change.field == "deductions"
    assert isinstance(change.new, tuple)
    assert change.new[1].en.endswith("−1")
    assert change.old[1].en.endswith("−0.5")  # type: ignore[index]


def test_numbers_are_exact_and_without_trailing_zeros() -> None:
    assert number(Decimal("5.0")) == Decimal(5) and str(number(Decimal("5.0"))) == "5"
    assert str(number(Decimal("100"))) == "100"
    assert str(number(Decimal("0.50"))) == "0.5"
    assert number(None) is None
