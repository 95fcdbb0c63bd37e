"""Spreadsheet authoring: round trips, every reader error (row and column named), odd files."""

from __future__ import annotations

import copy
import json
import zipfile
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from app.canonical import dumps_exact, loads_exact
from app.errors import RubricError
from app.rubric import validate_document
from app.rubric.samples import sample_paths
from app.rubric.xlsx import (
    EXAMPLE_SOURCE,
    EXAMPLE_WORKBOOK,
    read_json,
    read_rubric_file,
    read_xlsx,
    validate_xlsx,
    write_xlsx,
)
from app.rubric.xlsx_columns import TABLES
from app.rubric.xlsx_read import escape_part, split_entries, to_bool, to_number


def L(zh: str, en: str) -> dict[str, str]:
    return {"zh": zh, "en": en}


def rich_doc() -> dict[str, Any]:
    """Every kind and feature: sub-sections, caps, bonus, each veto trigger and effect, both
    band inclusivity settings, prorate, combine, conditional items, awkward text and numbers."""
    return {
        "format": "fieldmark.rubric/1",
        "id": "rich-test",
        "version": "2024.1",
        "name": L("测试细则", "Test rubric"),
        "description": L("说明：全部特性", "Every feature: yes; really"),
        "source": "丹文明委[2011]11号",
        "rounding": {"places": 2},
        "bands_basis": "percent",
        "sections": [
            {"code": "A", "name": L("领导班子", "Leadership"), "cap": 15, "sections": [
                {"code": "A.1", "name": L("班子建设", "Team"), "items": [
                    {"code": "A1", "kind": "points", "text": L("有计划", "Has a plan"),
                     "max": 5, "min": 0, "step": 0.5, "guidance": L("查阅资料", "Check documents"),
                     "required": True, "na_allowed": False, "photo_required": True,
                     "evidence": ["documents", "site"], "reason_below_max": True},
                    {"code": "A2", "kind": "deduction", "text": L("扣分项", "Deductions"), "max": 10,
                     "deductions": [
                         {"code": "d1", "label": L("无记录", "No record: none"), "points": 1,
                          "max_count": 3},
                         {"code": "d2", "label": L("迟报；", "Late; back\\slash"), "points": 0.5},
                     ]},
                ]}],
             "items": [
                 {"code": "A3", "kind": "passfail", "text": L("制度上墙", "Rules posted"), "max": 2,
                  "evidence": []},
                 {"code": "A4", "kind": "level", "text": L("等级", "Level"), "levels": [
                     {"code": "met", "label": L("达标", "Meets"), "points": 5},
                     {"code": "basic", "label": L("基本达标", "Basically"), "points": 2.5},
                     {"code": "unmet", "label": L("未达标", "Not met"), "points": 0}]},
             ]},
            {"code": "B", "name": L("指标", "Indicators"), "items": [
                {"code": "B1", "kind": "indicator", "text": L("入学率", "Enrolment rate"), "max": 5,
                 "indicator": {"numerator": L("在校生数", "Enrolled"),
                               "denominator": L("应入学人数", "Eligible"), "rate": True,
                               "comparator": ">=", "target": 99, "tolerance": D("0.1")}},
                {"code": "B2", "kind": "indicator", "text": L("事故数", "Accidents"), "max": 3,
                 "indicator": {"numerator": L("事故数", "Accidents"), "comparator": "==",
                               "target": 0}},
                {"code": "B3", "kind": "count", "text": L("听课节数", "Lessons observed"),
                 "points_each": 0.25, "max": 4, "max_count": 16},
                {"code": "B4", "kind": "text", "text": L("备注", "Notes"), "required": False,
                 "when": {"item": "A3", "equals": False}},
                {"code": "B5", "kind": "indicator", "text": L("比率", "Ratio"), "max": 2,
                 "indicator": {"numerator": L("甲", "A"), "denominator": L("乙", "B"),
                               "rate": False, "comparator": "<",
                               "target": D("0.30000000000000004")}},
                {"code": "B6", "kind": "points", "text": L("=公式样", "=looks like a formula"),
                 "max": 1, "when": {"item": "A4", "equals": "met"}},
            ]},
            {"code": "C", "name": L("初中", "Middle school"), "items": [
                {"code": "C1", "kind": "points", "text": L("课程", "Curriculum"), "max": 10}]},
        ],
        "bonus": {"cap": 7, "items": [
            {"code": "X1", "kind": "points", "text": L("获奖", "Awards"), "max": 5},
            {"code": "X2", "kind": "passfail", "text": L("示范", "Model unit"), "max": 3}]},
        "vetoes": [
            {"code": "V1", "label": L("危房仍在使用", "Dangerous building in use"),
             "trigger": {"item": "A3", "equals": False}, "effect": "fail"},
            {"code": "V2", "label": L("等级未达标", "Level not met"),
             "trigger": {"item": "A4", "equals": "unmet"}, "effect": {"cap_band": "basic"}},
            {"code": "V3", "label": L("发生事故", "Accident"),
             "trigger": {"item": "B2", "not_met": True}, "effect": "fail"},
            {"code": "V4", "label": L("分数过低", "Too low"),
             "trigger": {"item": "A1", "award_below": 2.5}, "effect": {"cap_band": "unmet"}},
            {"code": "V5", "label": L("课程零分", "No curriculum"),
             "trigger": {"item": "C1", "equals": 0}, "effect": "fail"},
        ],
        "bands": [
            {"code": "met", "label": L("达标", "Meets"), "min": 90, "min_inclusive": True},
            {"code": "basic", "label": L("基本达标", "Basically"), "min": 85.5,
             "min_inclusive": False},
            {"code": "unmet", "label": L("不达标", "Does not meet")}],
        "prorate": [{"section": "C", "unit_types": ["complete_secondary", "nine_year"],
                     "share": {"numerator": ["enrolment_middle"],
                               "denominator": ["enrolment_middle", "enrolment_high"]}}],
        "combine": {"method": "mean", "count": 8},
    }


def small_doc() -> dict[str, Any]:
    """A small valid rubric whose cells the error tests spoil one at a time.

    items rows: 2 = heading A, 3 = A1 (points), 4 = A2 (level), 5 = heading B, 6 = B1
    (passfail); sections rows 2 = A, 3 = B.
    """
    return {
        "format": "fieldmark.rubric/1", "id": "small", "version": "1",
        "name": L("小", "Small"),
        "sections": [
            {"code": "A", "name": L("甲", "Alpha"), "items": [
                {"code": "A1", "kind": "points", "text": L("一", "One"), "max": 5},
                {"code": "A2", "kind": "level", "text": L("二", "Two"), "levels": [
                    {"code": "met", "label": L("达标", "Meets"), "points": 5},
                    {"code": "unmet", "label": L("未达标", "Not met"), "points": 0}]},
            ]},
            {"code": "B", "name": L("乙", "Beta"), "items": [
                {"code": "B1", "kind": "passfail", "text": L("三", "Three"), "max": 2}]},
        ],
        "vetoes": [{"code": "V1", "label": L("否决", "Veto"),
                    "trigger": {"item": "B1", "equals": False}, "effect": "fail"}],
        "bands": [{"code": "good", "label": L("好", "Good"), "min": 5, "min_inclusive": True},
                  {"code": "poor", "label": L("差", "Poor")}],
    }


@pytest.fixture
def small(tmp_path: Path) -> Path:
    path = tmp_path / "small.xlsx"
    write_xlsx(small_doc(), path)
    return path


def fields(ws: Any) -> list[str | None]:
    """The field names of a sheet's header row ("分值\nmax" -> "max")."""
    return [str(c.value).split("\n")[-1] if c.value is not None else None for c in ws[1]]


def edit(path: Path, sheet: str, row: int, column: str, value: Any) -> None:
    """Set one cell, the column named by its field (the header's second line, row 1)."""
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    # ws.cell(value=None) leaves the cell alone, so assign to clear it too.
    ws.cell(row=row, column=fields(ws).index(column) + 1).value = value
    wb.save(path)


def at(sheet: str, row: int, field: str) -> str:
    """Where a problem in a written workbook is: ``items row 3, column D (分值 max)``."""
    columns = TABLES[sheet]
    position = [c.name for c in columns].index(field)
    column = next(c for c in columns if c.name == field)
    return f"{sheet} row {row}, column {get_column_letter(position + 1)} ({column.zh} {field})"


def problems_of(path: Path) -> list[str]:
    with pytest.raises(RubricError) as info:
        read_xlsx(path)
    assert info.value.problems, "a RubricError from the reader must list its problems"
    return info.value.problems


# --------------------------------------------------------------------------- round trips


def test_rich_doc_is_valid_for_the_engine() -> None:
    assert validate_document(rich_doc()) == []


def test_doc_to_xlsx_to_doc_is_equal(tmp_path: Path) -> None:
    doc = rich_doc()
    path = tmp_path / "rich.xlsx"
    write_xlsx(doc, path)
    assert read_xlsx(path) == doc
    assert doc == rich_doc(), "write_xlsx must not modify its input"


def test_long_float_and_half_round_trip_exactly(tmp_path: Path) -> None:
    doc = rich_doc()
    path = tmp_path / "rich.xlsx"
    write_xlsx(doc, path)
    back = read_xlsx(path)
    b5 = back["sections"][1]["items"][4]["indicator"]["target"]
    assert b5 == D("0.30000000000000004") and isinstance(b5, D)
    step = back["sections"][0]["sections"][0]["items"][0]["step"]
    assert step == D("0.5") and isinstance(step, D)
    assert isinstance(back["bands"][0]["min"], int)


@pytest.mark.parametrize("sample", sample_paths(), ids=lambda p: p.stem)
def test_every_sample_round_trips(sample: Path, tmp_path: Path) -> None:
    doc = json.loads(sample.read_text(encoding="utf-8"))
    first = tmp_path / "first.xlsx"
    write_xlsx(doc, first)
    back = read_xlsx(first)
    assert back == doc
    second = tmp_path / "second.xlsx"
    write_xlsx(back, second)
    assert read_xlsx(second) == back
    assert validate_xlsx(second) == []


def test_samples_exist() -> None:
    assert len(sample_paths()) >= 6


def handmade_workbook(path: Path) -> None:
    """A workbook as an office would type it: a title row, Chinese booleans and evidence
    names, ✓ marks, numbers typed as text, merged-style empty section cells, a note column,
    header spellings with spaces and capitals, and an extra sheet of their own."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Rubric"
    for row in (("field", "value"), ("format", "fieldmark.rubric/1"), ("id", "hand-made"),
                ("version", 2024.1), ("Name zh", "手工细则"), ("name en", "Hand made"),
                ("rounding places", 1), ("bonus.cap", "5"), ("# 备注", "ignored")):
        ws.append(row)
    ws = wb.create_sheet("Sections")
    ws.append(("code", "parent", "name_zh", "name_en", "cap"))
    ws.append(("A", None, "管理", "Management", None))
    ws.append(("A1", "A", "制度", "Rules", "8"))
    ws.append(("B", None, "环境", "Environment", None))
    ws = wb.create_sheet("Items")
    ws.append(("某某单位评分细则",))  # a title row above the header
    ws.append(("Section", "Code", "Kind", "Text zh", "Text en", "Max", "Step", "Required",
               "Photo required", "Evidence", "Levels", "Comparator", "Target",
               "Numerator zh", "Numerator en", "#备注", "Bonus"))
    ws.append(("A1", "A1-1", "points", "有制度", "Has rules", 4, "0.5", "是", "✓",
               "查阅资料、实地察看", None, None, None, None, None, "自用", None))
    ws.append((None, "A1-2", "Level", "落实", "Carried out", None, None, "否", "no",
               "interview", "good:好:Good:4;\nok : 中 : OK : 2.5; bad:差:Bad\\: none:0",
               None, None, None, None, None, None))
    ws.append(("B", "B-1", "indicator", "绿化率", "Green rate", 2, None, 1, 0, None, None,
               "≥", "35", "绿地面积", "Green area", None, None))
    ws.append((None, "B-2", "passfail", "整洁", "Tidy", 1, None, True, False, "none", None,
               None, None, None, None, None, None))
    ws.append((None, "X-1", "points", "创新", "Innovation", 5, None, None, None, None, None,
               None, None, None, None, None, "yes"))
    ws = wb.create_sheet("Bands")
    ws.append(("code", "label_zh", "label_en", "min", "min_inclusive"))
    ws.append(("good", "优", "Good", 12, "是"))
    ws.append(("fair", "中", "Fair", 8.5, "否"))
    ws.append(("poor", "差", "Poor", None, None))
    ws = wb.create_sheet("Vetoes")
    ws.append(("code", "label_zh", "label_en", "item", "condition", "value", "effect",
               "cap_band"))
    ws.append(("V-1", "不整洁", "Untidy", "B-2", "equals", "否", "cap_band", "fair"))
    ws.append(("V-2", "未落实", "Not carried out", "A1-2", "equals", "bad", "fail", None))
    wb.create_sheet("我的笔记").append(("anything",))
    wb.save(path)


def test_handmade_workbook_reads_as_office_staff_mean_it(tmp_path: Path) -> None:
    path = tmp_path / "hand.xlsx"
    handmade_workbook(path)
    doc = read_xlsx(path)
    assert validate_document(doc) == []
    assert doc["version"] == "2024.1"
    assert doc["bonus"] == {"cap": 5, "items": [
        {"code": "X-1", "kind": "points", "text": L("创新", "Innovation"), "max": 5}]}
    management = doc["sections"][0]
    assert management["code"] == "A" and management["sections"][0]["cap"] == 8
    first, second = management["sections"][0]["items"]
    assert first == {"code": "A1-1", "kind": "points", "text": L("有制度", "Has rules"),
                     "max": 4, "step": 0.5, "required": True, "photo_required": True,
                     "evidence": ["documents", "site"]}
    assert second["kind"] == "level" and second["required"] is False
    assert second["levels"] == [
        {"code": "good", "label": L("好", "Good"), "points": 4},
        {"code": "ok", "label": L("中", "OK"), "points": 2.5},
        {"code": "bad", "label": L("差", "Bad: none"), "points": 0}]
    green, tidy = doc["sections"][1]["items"]
    assert green["indicator"] == {"numerator": L("绿地面积", "Green area"), "comparator": ">=",
                                  "target": 35}
    assert tidy["evidence"] == [] and tidy["required"] is True
    assert doc["vetoes"][0]["trigger"] == {"item": "B-2", "equals": False}
    assert doc["vetoes"][1]["trigger"] == {"item": "A1-2", "equals": "bad"}
    assert doc["bands"][1] == {"code": "fair", "label": L("中", "Fair"), "min": 8.5,
                               "min_inclusive": False}


def test_xlsx_to_doc_to_xlsx_to_doc_is_equal(tmp_path: Path) -> None:
    path = tmp_path / "hand.xlsx"
    handmade_workbook(path)
    first = read_xlsx(path)
    again = tmp_path / "again.xlsx"
    write_xlsx(first, again)
    assert read_xlsx(again) == first


def test_written_workbook_is_styled_for_authors(tmp_path: Path) -> None:
    path = tmp_path / "rich.xlsx"
    write_xlsx(rich_doc(), path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:6] == ["rubric", "sections", "items", "bands", "vetoes", "prorate"]
    items = wb["items"]
    assert items.freeze_panes == "C2"
    assert items["A1"].font.b and items["A1"].comment is not None
    kinds = [dv for dv in items.data_validations.dataValidation if "points" in dv.formula1]
    assert kinds and kinds[0].showErrorMessage
    codes = [c.value for c in items["B"]]
    comparator = items.cell(row=codes.index("B2") + 1, column=fields(items).index("comparator") + 1)
    assert comparator.value == "==" and comparator.data_type == "s"  # text, not a formula
    assert items["A1"].value == "评估项目\nsection" and items["D1"].value == "分值\nmax"
    assert all(cell.comment is not None for cell in items[1])  # a note on every column


# --------------------------------------------------------------------------- reader errors


def test_bad_number_names_row_and_column(small: Path) -> None:
    edit(small, "items", 3, "max", "abc")
    assert problems_of(small) == [at("items", 3, "max") + ": 'abc' is not a number"]


def test_message_carries_file_name_and_count_and_the_problems_say_what(small: Path) -> None:
    edit(small, "items", 3, "max", "abc")
    with pytest.raises(RubricError) as info:
        read_xlsx(small)
    assert str(info.value) == "small.xlsx: 1 problem in the workbook"
    assert info.value.problems == [at("items", 3, "max") + ": 'abc' is not a number"]


def test_every_problem_is_collected(small: Path) -> None:
    edit(small, "items", 3, "max", "abc")
    edit(small, "items", 4, "required", "maybe")
    edit(small, "items", 6, "kind", "pts")
    edit(small, "bands", 2, "min", "lots")
    problems = problems_of(small)
    assert problems == [
        at("items", 3, "max") + ": 'abc' is not a number",
        at("items", 4, "required") + ": 'maybe' is not yes/no "
        "(use 是/否, yes/no, true/false, 1/0 or ✓)",
        at("items", 6, "kind") + ": unknown kind 'pts' "
        "(expected one of points, deduction, passfail, level, indicator, count, text)",
        at("bands", 2, "min") + ": 'lots' is not a number",
    ]


@pytest.mark.parametrize("value", ["是", "yes", "TRUE", "1", "✓", "√", True, 1])
def test_true_spellings(value: Any) -> None:
    assert to_bool(value) is True


@pytest.mark.parametrize("value", ["否", "no", "false", "0", "✗", False, 0])
def test_false_spellings(value: Any) -> None:
    assert to_bool(value) is False


def test_missing_sheet(small: Path) -> None:
    wb = openpyxl.load_workbook(small)
    del wb["items"]
    wb.save(small)
    problems = problems_of(small)
    assert problems[0].startswith("workbook: missing sheet 'items' (sheets found: rubric, "
                                  "sections, bands")


def test_missing_required_column(small: Path) -> None:
    wb = openpyxl.load_workbook(small)
    ws = wb["items"]
    ws.delete_cols(fields(ws).index("kind") + 1)
    wb.save(small)
    assert problems_of(small) == ["items sheet: missing required column 计分类型 (kind)"]


def delete_column(path: Path, sheet: str, column: str) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    ws.delete_cols(fields(ws).index(column) + 1)
    wb.save(path)


@pytest.mark.parametrize(("sheet", "column", "expected"), [
    # Before, the validator said "'max' is a required property" once for every row needing it.
    ("items", "max", "items sheet: missing column 分值 (max), needed by points items, passfail items "
                     "(rows 3, 6)"),
    ("items", "levels", "items sheet: missing column 评分标准（等级） (levels), needed by level items (row 4)"),
    ("bands", "min", "bands sheet: missing column 分数下限 (min), needed by every band but the last (row 2)"),
    ("bands", "min_inclusive",
     "bands sheet: missing column 含下限 (min_inclusive), needed by every band but the last (row 2)"),
    ("vetoes", "value", "vetoes sheet: missing column 值 (value), needed by equals vetoes (row 2)"),
])
def test_a_missing_column_is_one_problem_for_all_the_rows_that_need_it(small: Path, sheet: str,
                                                                        column: str, expected: str) -> None:
    delete_column(small, sheet, column)
    assert problems_of(small) == [expected]
    assert validate_xlsx(small) == [expected]


def test_a_missing_column_lists_the_first_rows_and_counts_the_rest(small: Path) -> None:
    doc = small_doc()
    doc["sections"][0]["items"] += [{"code": f"P{n}", "kind": "points", "text": L("点", "Point"), "max": 1}
                                    for n in range(7)]
    write_xlsx(doc, small)
    delete_column(small, "items", "max")
    assert problems_of(small) == [
        "items sheet: missing column 分值 (max), needed by points items, passfail items "
        "(rows 3, 5, 6, 7, 8 and 4 more)"]


def test_a_missing_half_of_a_label_pair_is_one_problem(small: Path) -> None:
    edit(small, "items", 3, "guidance_zh", "查阅")
    edit(small, "items", 6, "guidance_zh", "查阅")
    delete_column(small, "items", "guidance_en")
    assert problems_of(small) == ["items sheet: missing column 评估说明（英文） (guidance_en), needed by rows "
                                  "with a guidance_zh (rows 3, 6)"]


def test_unknown_column_is_refused_but_note_columns_are_kept(small: Path) -> None:
    wb = openpyxl.load_workbook(small)
    ws = wb["items"]
    ws.cell(row=1, column=ws.max_column + 1, value="tex_zh")
    ws.cell(row=1, column=ws.max_column + 1, value="# 备注")
    wb.save(small)
    problems = problems_of(small)
    assert len(problems) == 1
    assert problems[0].startswith(
        f"items row 1, column {get_column_letter(ws.max_column - 1)}: unknown column 'tex_zh' "
        "(accepted: 评估项目 section, 编号 code, 评估内容 text_zh, 分值 max")


def test_duplicate_codes_across_sheets(small: Path) -> None:
    edit(small, "items", 4, "code", "A1")
    edit(small, "items", 6, "code", "A")
    edit(small, "vetoes", 2, "item", "A")  # keep the veto pointing at the renamed item
    assert problems_of(small) == [
        at("items", 4, "code") + ": duplicate code 'A1' (already used at items row 3)",
        at("items", 6, "code") + ": duplicate code 'A' (already used at sections row 2)"]


def test_duplicate_veto_code(small: Path) -> None:
    edit(small, "vetoes", 2, "code", "A2")
    assert problems_of(small) == [
        at("vetoes", 2, "code") + ": duplicate code 'A2' (already used at items row 4)"]


def test_unknown_section_and_parent_and_loop(small: Path) -> None:
    edit(small, "items", 6, "section", "Z")
    edit(small, "sections", 2, "parent", "B")
    edit(small, "sections", 3, "parent", "A")
    problems = problems_of(small)
    assert at("items", 6, "section") + ": no section 'Z' in the sections sheet" in problems
    assert at("sections", 2, "parent") + ": section 'A' is its own ancestor (parent chain loops)" \
        in problems


def test_empty_section_repeats_the_row_above(small: Path) -> None:
    edit(small, "items", 4, "section", None)
    doc = read_xlsx(small)
    assert [i["code"] for i in doc["sections"][0]["items"]] == ["A1", "A2"]


def test_bonus_item_with_a_section(small: Path) -> None:
    edit(small, "items", 3, "bonus", "yes")
    assert problems_of(small) == [
        at("items", 3, "section") + ": a bonus item belongs to no section; leave section empty"]


def test_levels_syntax_errors(small: Path) -> None:
    edit(small, "items", 4, "levels", "met：达标：Meets：5; unmet:未达标:0")
    assert problems_of(small) == [
        at("items", 4, "levels") + ": entry 1 'met：达标：Meets：5' has 1 parts; write "
        "code:label_zh:label_en:points (use ASCII ':' and ';', not '：' or '；')",
        at("items", 4, "levels") + ": entry 2 'unmet:未达标:0' has 3 parts; write "
        "code:label_zh:label_en:points (use ASCII ':' and ';', not '：' or '；')"]


def test_duplicate_level_code(small: Path) -> None:
    edit(small, "items", 4, "levels", "met:达标:Meets:5; met:又:Again:1")
    assert problems_of(small) == [
        at("items", 4, "levels") + ": entry 2: duplicate level code 'met'"]


def test_level_points_not_a_number(small: Path) -> None:
    edit(small, "items", 4, "levels", "met:达标:Meets:5; unmet:未达标:Not met:x")
    assert problems_of(small) == [at("items", 4, "levels") + ": entry 2: points 'x' is not a number"]


def test_deductions_max_count_must_be_whole(small: Path) -> None:
    edit(small, "items", 3, "kind", "deduction")
    edit(small, "items", 3, "deductions", "d1:缺:Missing:1:2.5")
    assert problems_of(small) == [
        at("items", 3, "deductions") + ": entry 1: max_count '2.5' is not a whole number"]


def test_label_needs_both_languages(small: Path) -> None:
    edit(small, "items", 3, "text_en", None)
    edit(small, "items", 3, "guidance_zh", "查阅")
    assert problems_of(small) == [
        at("items", 3, "text_en") + ": empty (a label needs both zh and en)",
        at("items", 3, "guidance_en") + ": empty (a label needs both zh and en)"]


def test_unknown_evidence_and_comparator(small: Path) -> None:
    edit(small, "items", 3, "evidence", "documents, telepathy")
    edit(small, "items", 3, "comparator", "≈")
    problems = problems_of(small)
    assert problems == [
        at("items", 3, "comparator") + ": unknown comparator '≈' (expected one of >=, >, <=, <, ==)",
        at("items", 3, "evidence") + ": unknown evidence method 'telepathy' "
        "(expected documents, site, interview, questionnaire, spot_check)"]


def test_date_in_a_number_cell(small: Path) -> None:
    import datetime

    edit(small, "items", 3, "max", datetime.datetime(2024, 1, 5))
    assert problems_of(small) == [
        at("items", 3, "max") + ": datetime.datetime(2024, 1, 5, 0, 0) is not a number"]


def test_veto_errors(small: Path) -> None:
    edit(small, "vetoes", 2, "item", "NOPE")
    edit(small, "vetoes", 2, "effect", "cap_band")
    edit(small, "vetoes", 2, "condition", "sometimes")
    problems = problems_of(small)
    assert problems == [
        at("vetoes", 2, "item") + ": no item 'NOPE' in the items sheet",
        at("vetoes", 2, "condition") + ": unknown condition 'sometimes' "
        "(expected one of equals, not_met, award_below)",
        at("vetoes", 2, "cap_band") + ": empty (effect cap_band needs a band)"]


def test_veto_equals_typed_by_item_kind(small: Path) -> None:
    edit(small, "vetoes", 2, "value", "perhaps")
    assert problems_of(small) == [
        at("vetoes", 2, "value") + ": 'perhaps' is not yes/no "
        "(use 是/否, yes/no, true/false, 1/0 or ✓)"]


def test_rubric_sheet_errors(small: Path) -> None:
    wb = openpyxl.load_workbook(small)
    ws = wb["rubric"]
    # Column A holds "格式 format": the Chinese name and the field.
    rows = {str(ws.cell(row=r, column=1).value).split()[-1]: r for r in range(1, ws.max_row + 1)}
    ws.cell(row=rows["format"], column=2, value="fieldmark.rubric/2")
    ws.cell(row=rows["rounding_places"], column=2, value=1.5)
    ws.cell(row=rows["id"], column=2).value = None
    ws.cell(row=ws.max_row + 1, column=1, value="colour")
    wb.save(small)
    problems = problems_of(small)
    assert problems == [
        f"rubric row {ws.max_row}, column field: unknown field 'colour' (expected format, id, "
        "version, name_zh, name_en, description_zh, description_en, source, rounding_places, "
        "bands_basis, bonus_cap, combine_method, combine_count)",
        "rubric row 2, column value (format): format 'fieldmark.rubric/2' is not supported "
        "(expected fieldmark.rubric/1)",
        "rubric row 3, column value (id): empty",
        "rubric row 10, column value (rounding_places): 1.5 is not a whole number"]


# --------------------------------------------------------------------------- not a workbook


def test_text_file_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "notes.xlsx"
    path.write_text("hello, I am not a spreadsheet\n", encoding="utf-8")
    with pytest.raises(RubricError) as info:
        read_xlsx(path)
    assert str(info.value).startswith("notes.xlsx: not an .xlsx workbook (the file is not a zip")


def test_zip_without_workbook_parts(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("hello.txt", "hi")
    with pytest.raises(RubricError) as info:
        read_xlsx(path)
    assert str(info.value).startswith("empty.xlsx: damaged .xlsx workbook")


def test_truncated_workbook(tmp_path: Path, small: Path) -> None:
    path = tmp_path / "cut.xlsx"
    data = small.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(RubricError) as info:
        read_xlsx(path)
    assert str(info.value).startswith("cut.xlsx: not an .xlsx workbook")


def test_damaged_sheet_xml(tmp_path: Path, small: Path) -> None:
    path = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(small) as src, zipfile.ZipFile(path, "w") as dst:
        for member in src.infolist():
            data = src.read(member.filename)
            if member.filename == "xl/worksheets/sheet3.xml":
                data = data[: len(data) // 2]
            dst.writestr(member, data)
    with pytest.raises(RubricError) as info:
        read_xlsx(path)
    assert str(info.value).startswith("bad.xlsx: damaged .xlsx workbook")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RubricError, match="nowhere.xlsx: file not found"):
        read_xlsx(tmp_path / "nowhere.xlsx")


# --------------------------------------------------------------------------- read_rubric_file


def test_read_rubric_file_dispatches_on_suffix(tmp_path: Path, small: Path) -> None:
    as_json = tmp_path / "small.JSON"
    as_json.write_text(json.dumps(small_doc(), ensure_ascii=False), encoding="utf-8")
    assert read_rubric_file(as_json) == small_doc()
    assert read_rubric_file(small) == small_doc()


def test_json_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "format": "fieldmark.rubric/1",\n  "id" "x"\n}\n', encoding="utf-8")
    with pytest.raises(RubricError) as info:
        read_rubric_file(path)
    assert str(info.value) == "broken.json line 3, column 8: Expecting ':' delimiter"
    assert info.value.problems == [str(info.value)]


def test_json_with_bom_duplicate_keys_and_wrong_top_level(tmp_path: Path) -> None:
    bom = tmp_path / "bom.json"
    bom.write_bytes(b"\xef\xbb\xbf" + json.dumps(small_doc()).encode("utf-8"))
    assert read_rubric_file(bom) == small_doc()
    twice = tmp_path / "twice.json"
    twice.write_text('{"id": "a", "id": "b"}', encoding="utf-8")
    with pytest.raises(RubricError, match="twice.json: duplicate key 'id' in one object"):
        read_rubric_file(twice)
    listed = tmp_path / "list.json"
    listed.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(RubricError, match="a rubric is a JSON object, not list"):
        read_rubric_file(listed)
    latin = tmp_path / "latin.json"
    latin.write_bytes('{"id": "é"}'.encode("latin-1"))
    with pytest.raises(RubricError, match="latin.json: not UTF-8 text"):
        read_rubric_file(latin)


@pytest.mark.parametrize(("name", "fragment"), [
    ("old.xls", "old Excel 97-2003 (.xls) files are not supported"),
    ("rubric.txt", "unsupported file type '.txt'; use .json or .xlsx"),
    ("rubric", "unsupported file type '(none)'"),
])
def test_other_suffixes(tmp_path: Path, name: str, fragment: str) -> None:
    path = tmp_path / name
    path.write_text("x", encoding="utf-8")
    with pytest.raises(RubricError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        read_rubric_file(path)


# --------------------------------------------------------------------------- writer refusals


def test_writer_refuses_fields_the_layout_cannot_hold(tmp_path: Path) -> None:
    doc = small_doc()
    doc["colour"] = "blue"
    doc["sections"][0]["items"][0]["note"] = "x"
    doc["vetoes"] = []
    with pytest.raises(RubricError) as info:
        write_xlsx(doc, tmp_path / "x.xlsx")
    assert info.value.problems == [
        "document.colour: the spreadsheet layout has no place for this field",
        "sections[0].items[0].note: the spreadsheet layout has no place for this field",
        "vetoes: an empty list cannot be written; leave it out"]
    assert not (tmp_path / "x.xlsx").exists()


def test_writer_refuses_control_characters(tmp_path: Path) -> None:
    doc = small_doc()
    doc["name"]["en"] = "bell\x07"
    with pytest.raises(RubricError, match="control character"):
        write_xlsx(doc, tmp_path / "x.xlsx")


# --------------------------------------------------------------------------- validation by row


def test_validate_xlsx_names_rows_for_engine_problems(small: Path) -> None:
    edit(small, "items", 3, "step", 2)  # max 5 is not on a step-2 grid from 0
    edit(small, "items", 6, "levels", "x:叉:Ex:1")  # levels on a pass/fail item
    edit(small, "bands", 2, "min_inclusive", None)
    edit(small, "bands", 3, "min", 1)  # the last band takes the rest and has no min
    edit(small, "sections", 3, "cap", -1)
    edit(small, "items", 4, "levels", "met:达标:Meets:5; unmet:未达标:Not met:-1")
    problems = validate_xlsx(small)
    assert sorted(problems) == sorted([
        at("sections", 3, "cap") + ": a section cap must not be negative (got -1)",
        at("items", 3, "max") + ": max 5 is not on the step grid (min 0, step 2)",
        at("items", 4, "levels") + ": entry 2: level points must not be negative (got -1)",
        at("items", 6, "levels") + ": field 'levels' does not apply to a 'passfail' item",
        "bands row 2: min_inclusive must be stated explicitly (true or false)",
        at("bands", 3, "min") + ": the last band takes everything below the others and must "
        "have no min",
    ])


def test_validate_xlsx_reports_reading_problems(small: Path) -> None:
    edit(small, "items", 3, "max", "abc")
    assert validate_xlsx(small) == [at("items", 3, "max") + ": 'abc' is not a number"]


def test_validate_xlsx_schema_problem_located(small: Path) -> None:
    edit(small, "items", 3, "max", None)  # a points item needs a max
    edit(small, "items", 6, "section", None)
    edit(small, "items", 6, "bonus", "yes")  # a bonus item, but no bonus_cap in the rubric sheet
    problems = validate_xlsx(small)
    assert problems == ["rubric row 12, column value (bonus_cap): 'cap' is a required property",
                        "items row 3: 'max' is a required property"]


def test_sections_sheet_without_parent_column(tmp_path: Path) -> None:
    doc = small_doc()
    path = tmp_path / "flat.xlsx"
    write_xlsx(doc, path)
    wb = openpyxl.load_workbook(path)
    wb["sections"].delete_cols(2)  # parent
    wb.save(path)
    assert read_xlsx(path) == doc


# --------------------------------------------------------------------------- example workbook


def test_example_workbook_validates_and_matches_its_source() -> None:
    assert EXAMPLE_WORKBOOK.is_file()
    assert validate_xlsx(EXAMPLE_WORKBOOK) == []
    assert read_xlsx(EXAMPLE_WORKBOOK) == read_json(EXAMPLE_SOURCE)


# --------------------------------------------------------------------------- cell helpers


def test_numbers_keep_exactness() -> None:
    assert to_number(0.1 + 0.2) == D("0.3")  # formula noise beyond Excel's 15 digits is dropped
    assert to_number("0.50") == D("0.5") and isinstance(to_number("0.50"), D)
    assert to_number(5.0) == 5 and isinstance(to_number(5.0), int)
    assert to_number("0.30000000000000004") == D("0.30000000000000004")
    # Typed as text, a number keeps every digit: it is not rounded to the float 10.0.
    assert to_number("10.0000000000000000000001") == D("10.0000000000000000000001")
    assert to_number(" 7 ") == 7


def test_inline_entries_escape_and_split() -> None:
    text = escape_part("a:b;c\\d")
    assert split_entries(f"x:{text}:e:1; y:z:w:2") == [["x", "a:b;c\\d", "e", "1"],
                                                       ["y", "z", "w", "2"]]
    assert split_entries("a:b:c:1\n\nd:e:f:2;") == [["a", "b", "c", "1"], ["d", "e", "f", "2"]]


def test_every_sample_validates_through_a_workbook(tmp_path: Path) -> None:
    # The rich doc too: a deep copy guards against the writer sharing objects with the reader.
    doc = copy.deepcopy(rich_doc())
    path = tmp_path / "rich.xlsx"
    write_xlsx(doc, path)
    assert validate_xlsx(path) == []


def test_write_example_rewrites_only_when_needed(tmp_path: Path) -> None:
    from app.rubric.xlsx import main

    source = tmp_path / "src.json"
    source.write_text(json.dumps(small_doc(), ensure_ascii=False), encoding="utf-8")
    target = tmp_path / "out" / "example.xlsx"
    assert main(["example", "--source", str(source), "--target", str(target)]) == 0
    first = target.read_bytes()
    target.touch()
    stamp = target.stat().st_mtime_ns
    assert main(["example", "--source", str(source), "--target", str(target)]) == 0
    assert target.stat().st_mtime_ns == stamp and target.read_bytes() == first
    doc = small_doc()
    doc["version"] = "2"
    source.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert main(["example", "--source", str(source), "--target", str(target)]) == 0
    assert read_xlsx(target) == doc


def test_cli_converts_both_ways(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from app.rubric.xlsx import main

    source = tmp_path / "r.json"
    source.write_text(dumps_exact(rich_doc()), encoding="utf-8")
    book = tmp_path / "r.xlsx"
    assert main(["to-xlsx", str(source), str(book)]) == 0
    assert main(["to-json", str(book)]) == 0
    assert loads_exact(capsys.readouterr().out) == rich_doc()
    broken = tmp_path / "broken.xlsx"
    broken.write_text("nope", encoding="utf-8")
    assert main(["to-json", str(broken)]) == 1
    assert "broken.xlsx: not an .xlsx workbook" in capsys.readouterr().err
