"""The printed 评分标准 column of the rubric workbook: each item's rule in words, derived from the
machine columns (kind, 分值, levels, deductions …) that sit outside the print area, never read as
data, and a note when an office edited the words instead of the rule."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from app.cli import main
from app.rubric import load_rubric
from app.rubric.validate import build_rubric
from app.rubric.wording import item_standard, rule_lines, unmarked
from app.rubric.xlsx import read_json, read_xlsx, read_xlsx_located, validate_xlsx, write_xlsx
from app.rubric.xlsx_columns import ITEM_COLUMNS, PRINTED_ITEM_COLUMNS
from app.rubric.xlsx_template import TEMPLATE_DOC
from tests.app.test_xlsx import at, edit, fields, small_doc

ROOT = Path(__file__).resolve().parents[2]
STANDARDIZED = ROOT / "resources" / "rubrics" / "standardized-school.json"


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """items rows: 2 = heading A, 3 = A1 (points, max 5), 4 = A2 (level), 5 = heading B,
    6 = B1 (passfail, max 2)."""
    path = tmp_path / "small.xlsx"
    write_xlsx(small_doc(), path)
    return path


def words(path: Path) -> dict[str, Any]:
    """The 评分标准 cell of each item row, by item code."""
    ws = openpyxl.load_workbook(path)["items"]
    names = fields(ws)
    code, standard = names.index("code"), names.index("standard")
    return {row[code].value: row[standard].value for row in ws.iter_rows(min_row=2)
            if row[code].value is not None}


def notes_of(path: Path) -> list[str]:
    return read_xlsx_located(path)[1].notes


# --------------------------------------------------------------------------- the layout


def test_one_printed_column_says_the_rule_and_the_machine_columns_lie_outside_the_print_area() -> None:
    printed = [c.name for c in ITEM_COLUMNS[:PRINTED_ITEM_COLUMNS]]
    assert printed == ["section", "code", "text_zh", "max", "standard", "evidence", "guidance_zh"]
    outside = [c.name for c in ITEM_COLUMNS[PRINTED_ITEM_COLUMNS:]]
    assert outside[:3] == ["kind", "levels", "deductions"]
    assert next(c for c in ITEM_COLUMNS if c.name == "standard").header == "评分标准\nstandard"


def test_every_kind_is_said_in_words_and_the_machine_syntax_is_still_written(tmp_path: Path) -> None:
    path = tmp_path / "template.xlsx"
    write_xlsx(TEMPLATE_DOC, path)
    assert words(path) == {
        "A1": "在 0–10 分之间评分，以 0.5 分为单位",
        "A2": "每缺一类档案，扣 2 分（最多 5 次）\n档案不规范，扣 1 分\n满分 10 分，扣完为止",
        "A3": "达标得 5 分，不达标不得分",
        "A4": "达标 10 分；基本达标 6 分；未达标 0 分",
        "B1": "在校生数 ÷ 应在校生数 × 100% ≥ 99% 得 10 分，未达到不得分",
        "B2": "每项 2.5 分，最高 5 分",
        "B3": "文字说明（不计分）",
    }
    ws = openpyxl.load_workbook(path)["items"]
    levels = get_column_letter(fields(ws).index("levels") + 1)
    assert ws[f"{levels}1"].column > PRINTED_ITEM_COLUMNS
    a4 = next(row for row in ws.iter_rows(min_row=2) if row[1].value == "A4")
    assert ws[f"{levels}{a4[0].row}"].value.startswith("met:达标:Meets the standard:10;")
    assert read_xlsx(path) == TEMPLATE_DOC  # the words are not read: the rule is
    assert notes_of(path) == []


def test_the_words_are_the_self_assessment_forms(tmp_path: Path) -> None:
    """Both documents say a rule alike: every line of the cell is a line of the form's 评分标准
    (which adds the guidance and the vetoes)."""
    doc = read_json(STANDARDIZED)
    rubric = load_rubric(doc)
    path = tmp_path / "s.xlsx"
    write_xlsx(doc, path)
    cells = words(path)
    assert set(cells) == set(rubric.items)
    for code, item in rubric.items.items():
        assert cells[code] == unmarked("\n".join(rule_lines(item, rubric.items, "zh")))
        form = unmarked(item_standard(item, rubric, "zh")).split("\n")
        assert all(line in form for line in cells[code].split("\n")), code
    assert cells["A2.3"] == "每缺一类功能教室，扣 5 分（最多 5 次）\n满分 25 分，扣完为止"
    assert cells["A2.4"] == "达标得 20 分，不达标不得分\n须附照片"


def test_conditions_and_not_applicable_are_said_too(tmp_path: Path) -> None:
    doc = small_doc()
    a1 = doc["sections"][0]["items"][0]
    a1.update(na_allowed=True, when={"item": "A2", "equals": "met"})
    path = tmp_path / "when.xlsx"
    write_xlsx(doc, path)
    assert words(path)["A1"] == ("在 0–5 分之间评分\n仅当 A2 为“达标”时评此项\n"
                                 "不适用时在说明栏注明，本项不计入应得分")
    assert read_xlsx(path) == doc and notes_of(path) == []


def test_a_rubric_that_does_not_validate_is_written_with_the_words_left_blank(tmp_path: Path) -> None:
    doc = small_doc()
    doc["sections"][0]["cap"] = 11  # A gives 10 at most: a cap that can never bind
    path = tmp_path / "invalid.xlsx"
    write_xlsx(doc, path)
    assert words(path) == {"A1": None, "A2": None, "B1": None}
    assert read_xlsx(path) == doc
    assert validate_xlsx(path) == [
        "sections row 2, column E (得分上限 cap): cap 11 is above the 10 points the section's "
        "items and sub-sections can give at most, so it can never bind"]


# --------------------------------------------------------------------------- reading it back


def test_edited_words_change_nothing_and_a_note_names_the_cell_and_the_rule_column(small: Path) -> None:
    expected = load_rubric(small_doc()).content_hash
    edit(small, "items", 4, "standard", "达标 10 分；未达标 0 分")
    doc = read_xlsx(small)
    assert build_rubric(doc).content_hash == expected
    assert notes_of(small) == [
        f"{at('items', 4, 'standard')}: says '达标 10 分；未达标 0 分', but the item's rule reads "
        "'达标 5 分；未达标 0 分'; these words are not read (they are written from the rule on "
        f"export): to change the rule, edit column {at('items', 4, 'levels').split('column ')[1]}"]


def test_edited_words_of_a_deduction_item_point_to_the_deductions_column(tmp_path: Path) -> None:
    doc = read_json(STANDARDIZED)
    path = tmp_path / "s.xlsx"
    write_xlsx(doc, path)
    ws = openpyxl.load_workbook(path)["items"]
    row = next(r[0].row for r in ws.iter_rows(min_row=2) if r[1].value == "A2.3")
    edit(path, "items", row, "standard", "每缺一类功能教室扣 3 分")
    assert read_xlsx(path) == doc
    (note,) = notes_of(path)
    assert note.startswith(f"{at('items', row, 'standard')}: says '每缺一类功能教室扣 3 分', but the "
                           "item's rule reads '每缺一类功能教室，扣 5 分（最多 5 次） / 满分 25 分，扣完为止'; ")
    deductions, most = (at("items", row, name).split("column ")[1] for name in ("deductions", "max"))
    assert note.endswith(f"edit column {deductions} or {most}")


def test_words_rewrapped_or_respaced_are_the_same_words(small: Path) -> None:
    edit(small, "items", 4, "standard", "  达标5分；\n未达标   0 分 ")
    assert read_xlsx(small) == small_doc()
    assert notes_of(small) == []


def test_a_rule_changed_in_its_column_reads_and_the_stale_words_are_said(small: Path) -> None:
    edit(small, "items", 4, "levels", "met:达标:Meets:8; unmet:未达标:Not met:0")
    doc = read_xlsx(small)
    assert doc["sections"][0]["items"][1]["levels"][0]["points"] == 8
    (note,) = notes_of(small)
    assert "says '达标 5 分；未达标 0 分', but the item's rule reads '达标 8 分；未达标 0 分'" in note


def test_a_rule_missing_its_parts_is_not_put_in_words_and_the_validator_says_why(
        tmp_path: Path) -> None:
    """A level item without levels, an indicator without a target: their rule cannot be said,
    so their words are not compared; the problems are the validator's, by row."""
    path = tmp_path / "template.xlsx"
    write_xlsx(TEMPLATE_DOC, path)  # items rows: 6 = A4 (level), 8 = B1 (indicator)
    edit(path, "items", 6, "levels", None)
    edit(path, "items", 8, "target", None)
    assert notes_of(path) == []
    problems = validate_xlsx(path)
    assert problems and all(p.startswith(("items row 6", "items row 8")) for p in problems)
    assert any(p.startswith("items row 6") for p in problems)
    assert any(p.startswith("items row 8") for p in problems)


def test_an_old_workbook_without_the_column_reads_the_same(small: Path) -> None:
    """Files written before the column (English headers, levels and deductions in the print
    area) read as they did."""
    wb = openpyxl.load_workbook(small)
    ws = wb["items"]
    ws.delete_cols(fields(ws).index("standard") + 1)
    for cell in ws[1]:
        cell.value = str(cell.value).split("\n")[-1]
    wb.save(small)
    assert read_xlsx(small) == small_doc()
    assert notes_of(small) == []


def test_the_command_line_says_the_note_and_imports_the_rule(small: Path, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    edit(small, "items", 6, "standard", "达标得 5 分")
    assert main(["rubric", "validate", str(small)]) == 0
    out, err = capsys.readouterr()
    assert "valid (small 1, 3 items" in out
    assert err == (f"note: {at('items', 6, 'standard')}: says '达标得 5 分', but the item's rule "
                   "reads '达标得 2 分，不达标不得分'; these words are not read (they are written from "
                   f"the rule on export): to change the rule, edit column "
                   f"{at('items', 6, 'max').split('column ')[1]}\n")
