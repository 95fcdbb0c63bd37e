"""Workbooks as offices make them: headers in Chinese or English, the mistakes a spreadsheet
program lets through (merged cells, formulas, full-width digits, 10分, stray spaces), each read
when it is unambiguous and otherwise reported by sheet, row, column and header; the template."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from app.cli import main
from app.errors import RubricError
from app.rubric import validate_document
from app.rubric.xlsx import read_xlsx, read_xlsx_located, validate_xlsx, write_xlsx
from app.rubric.xlsx_columns import ITEM_COLUMNS, KINDS, TABLES
from app.rubric.xlsx_template import TEMPLATE_DOC, write_template
from tests.app.test_xlsx import at, edit, fields, problems_of, small_doc


@pytest.fixture
def small(tmp_path: Path) -> Path:
    path = tmp_path / "small.xlsx"
    write_xlsx(small_doc(), path)
    return path


def set_headers(path: Path, sheet: str, header: Any) -> None:
    """Rewrite a sheet's header row, each cell from ``header(column spec)``."""
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    specs = {c.name: c for c in TABLES[sheet]}
    for cell, field in zip(ws[1], fields(ws), strict=True):
        cell.value = header(specs[field])
    wb.save(path)


def notes_of(path: Path) -> list[str]:
    return read_xlsx_located(path)[1].notes


# --------------------------------------------------------------------------- headers


@pytest.mark.parametrize("header", [
    lambda c: c.zh,  # as an office types them
    lambda c: c.name,  # the field names of files written before the Chinese headers
    lambda c: f"{c.zh} / {c.name}",
    lambda c: f" {c.zh.replace('（', '(').replace('）', ')')}\n{c.name.upper()} ",
], ids=["chinese", "field-names", "slash", "half-width-brackets"])
def test_headers_in_chinese_english_or_both_read_the_same(small: Path, header: Any) -> None:
    for sheet in TABLES:
        set_headers(small, sheet, header)
    assert read_xlsx(small) == small_doc()


def test_rubric_sheet_fields_in_chinese_or_english_read_the_same(small: Path) -> None:
    wb = openpyxl.load_workbook(small)
    ws = wb["rubric"]
    assert ws["A2"].value == "格式 format" and ws["A1"].value == "字段\nfield"
    for row in ws.iter_rows(min_row=2):
        zh, field = str(row[0].value).split(" ")
        row[0].value = zh if field != "version" else "Version"
    wb.save(small)
    assert read_xlsx(small) == small_doc()


def test_an_unknown_header_is_named_with_every_accepted_one(small: Path) -> None:
    wb = openpyxl.load_workbook(small)
    wb["items"]["D1"] = "满分值"
    wb.save(small)
    problems = problems_of(small)
    accepted = ", ".join(f"{c.zh} {c.name}" for c in ITEM_COLUMNS)
    assert problems[0] == ("items row 1, column D: unknown column '满分值' (accepted: "
                           f"{accepted}; start a header with # to keep a note column)")


def test_a_header_whose_two_halves_disagree_is_unknown(small: Path) -> None:
    wb = openpyxl.load_workbook(small)
    wb["items"]["D1"] = "分值\nmin"
    wb.save(small)
    assert problems_of(small)[0].startswith("items row 1, column D: unknown column '分值 min'")


def test_a_column_given_twice_names_both_places(small: Path) -> None:
    wb = openpyxl.load_workbook(small)
    ws = wb["items"]
    ws.cell(row=1, column=ws.max_column + 1, value="分值")
    wb.save(small)
    assert problems_of(small) == [
        "items row 1, column AF: column '分值' appears twice (first in column D)"]


# --------------------------------------------------------------------------- office mistakes


def test_merged_cells_inside_the_items_table_are_reported(small: Path) -> None:
    wb = openpyxl.load_workbook(small)
    wb["items"].merge_cells("C3:D4")  # text and points of A1 and A2 in one block
    wb.save(small)
    assert problems_of(small)[0] == (
        "items rows 3-4: merged cells C3:D4 inside the table; unmerge them and fill each cell "
        "(a merged range keeps its value in the first cell only)")


def test_merged_section_cells_read_as_the_section_repeated(small: Path) -> None:
    wb = openpyxl.load_workbook(small)
    ws = wb["items"]
    ws["A4"] = None
    ws.merge_cells("A3:A4")  # 评估项目 merged down over A1 and A2, as offices lay it out
    ws.merge_cells("AF20:AG21")  # beside the table: the office's own notes
    wb.save(small)
    assert read_xlsx(small) == small_doc()


def _cache_formula_results(path: Path, results: dict[str, str]) -> None:
    """Give formula cells the saved result a spreadsheet program would store (openpyxl writes
    formulas without one)."""
    with zipfile.ZipFile(path) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    sheet = "xl/worksheets/sheet3.xml"  # items
    xml = members[sheet].decode("utf-8")
    for ref, value in results.items():
        xml, count = re.subn(rf'(<c r="{ref}"[^>]*>\s*<f>[^<]*</f>)\s*<v\s*/>', rf"\1<v>{value}</v>",
                             xml)
        assert count == 1, ref
    members[sheet] = xml.encode("utf-8")
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)


def test_a_formula_with_a_saved_result_reads_as_that_result(small: Path) -> None:
    edit(small, "items", 3, "max", "=2+3")
    _cache_formula_results(small, {"D3": "5"})
    assert read_xlsx(small) == small_doc()


def test_a_formula_without_a_saved_result_is_reported(small: Path) -> None:
    edit(small, "items", 3, "max", "=SUM(D4:D6)")
    assert problems_of(small) == [
        at("items", 3, "max") + ": the formula =SUM(D4:D6) has no saved result (the file was not "
        "saved by a spreadsheet program that calculates); type the value or open and save the "
        "file in Excel or WPS"]


@pytest.mark.parametrize(("typed", "note"), [
    ("１０", "read '１０' as 10"),
    ("10分", "read '10分' as 10"),
    ("１０．５ 分", "read '１０．５ 分' as 10.5"),
])
def test_points_typed_the_office_way_are_read_with_a_note(small: Path, typed: str,
                                                          note: str) -> None:
    edit(small, "items", 3, "max", typed)
    edit(small, "items", 3, "step", 0.5)
    # The printed words of the old rule would add a note of their own (test_xlsx_standard).
    edit(small, "items", 3, "standard", None)
    doc = read_xlsx(small)
    assert str(doc["sections"][0]["items"][0]["max"]) == note.rsplit(" ", 1)[1]
    assert notes_of(small) == [at("items", 3, "max") + ": " + note]


@pytest.mark.parametrize("typed", ["10分以上", "约10分", "10分/次"])
def test_points_with_other_words_are_reported(small: Path, typed: str) -> None:
    edit(small, "items", 3, "max", typed)
    assert problems_of(small) == [at("items", 3, "max") + f": '{typed}' is not a number"]


def test_full_width_codes_read_as_ascii_with_a_note(small: Path) -> None:
    edit(small, "items", 3, "code", "Ａ１")
    edit(small, "vetoes", 2, "item", "Ｂ１ ")  # full width and a trailing space
    doc = read_xlsx(small)
    assert doc == small_doc()
    assert notes_of(small) == [at("items", 3, "code") + ": read 'Ａ１' as 'A1'",
                               at("vetoes", 2, "item") + ": read 'Ｂ１ ' as 'B1'"]


def test_full_width_punctuation_in_a_code_reads_as_ascii(small: Path) -> None:
    edit(small, "sections", 2, "code", "A．1")
    edit(small, "items", 2, "section", "A．1")
    edit(small, "items", 3, "section", "A.1")
    edit(small, "items", 4, "section", None)
    doc = read_xlsx(small)
    assert doc["sections"][0]["code"] == "A.1"
    assert [i["code"] for i in doc["sections"][0]["items"]] == ["A1", "A2"]


@pytest.mark.parametrize(("typed", "detail"), [
    ("A1。2", "code 'A1。2' contains the Chinese punctuation '。'; codes use letters, digits "
              "and . - _"),
    ("A1、2", "code 'A1、2' contains the Chinese punctuation '、'; codes use letters, digits "
              "and . - _"),
    ("A 1", "code 'A 1' contains a space"),
])
def test_codes_that_cannot_be_read_unambiguously_are_reported(small: Path, typed: str,
                                                               detail: str) -> None:
    edit(small, "items", 3, "code", typed)
    assert problems_of(small) == [at("items", 3, "code") + ": " + detail]


def test_trailing_spaces_are_stripped_silently(small: Path) -> None:
    edit(small, "items", 3, "text_zh", "一  ")
    edit(small, "items", 3, "code", "A1\u3000")  # an ideographic space from a Chinese IME
    edit(small, "sections", 2, "name_en", " Alpha ")
    assert read_xlsx(small) == small_doc()
    assert notes_of(small) == []


def test_a_section_heading_must_agree_with_the_sections_sheet(small: Path) -> None:
    edit(small, "items", 2, "text_zh", "甲乙")
    assert problems_of(small) == [
        at("items", 2, "text_zh") + ": this section heading says '甲乙' but the sections sheet "
        "names section 'A' '甲'; rename it there (a row with no item code and no kind is a "
        "section heading; give it both to make it an item)"]


def test_heading_rows_are_optional(small: Path) -> None:
    wb = openpyxl.load_workbook(small)
    wb["items"].delete_rows(5)  # B's heading: B1 names its section itself
    wb["items"].delete_rows(2)
    wb.save(small)
    assert read_xlsx(small) == small_doc()


def test_cli_prints_the_notes_and_stores_the_rubric(small: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    edit(small, "items", 3, "max", "5分")
    assert main(["rubric", "import", str(small), "--data-dir", str(tmp_path / "p")]) == 0
    captured = capsys.readouterr()
    assert captured.err == f"note: {at('items', 3, 'max')}: read '5分' as 5\n"
    assert captured.out.startswith("imported: small 1 ")


def test_writer_refuses_a_code_the_reader_would_change(tmp_path: Path) -> None:
    doc = small_doc()
    doc["sections"][0]["items"][0]["code"] = "A１"
    with pytest.raises(RubricError) as info:
        write_xlsx(doc, tmp_path / "x.xlsx")
    assert info.value.problems == [
        "sections[0].items[0].code: 'A１' has full-width or Chinese punctuation, a space or an "
        "invisible character; a workbook would read it back differently"]


# --------------------------------------------------------------------------- the template


def test_template_is_a_valid_rubric_with_one_example_per_kind(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]
                                                              ) -> None:
    path = tmp_path / "template.xlsx"
    assert main(["rubric", "template", "--xlsx", str(path)]) == 0
    assert capsys.readouterr().out == f"wrote {path}\n"
    doc = read_xlsx(path)
    assert doc == TEMPLATE_DOC
    assert validate_document(doc) == [] and validate_xlsx(path) == []
    kinds = [item["kind"] for section in doc["sections"] for item in section["items"]]
    assert sorted(kinds) == sorted(KINDS)
    assert main(["rubric", "validate", str(path)]) == 0


def test_template_into_a_missing_folder_fails_and_writes_nothing(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]
                                                                 ) -> None:
    target = tmp_path / "nowhere" / "template.xlsx"
    assert main(["rubric", "template", "--xlsx", str(target)]) == 1
    assert capsys.readouterr().err == "fieldmark: template.xlsx: cannot be written (No such file or directory)\n"
    assert not (tmp_path / "nowhere").exists()


def test_template_has_dropdowns_and_a_note_in_both_languages_on_every_column(tmp_path: Path) -> None:
    path = tmp_path / "template.xlsx"
    write_template(path)
    wb = openpyxl.load_workbook(path)
    for sheet in TABLES:
        for cell in wb[sheet][1]:
            text = cell.comment.text if cell.comment is not None else ""
            assert re.search(r"[\u4e00-\u9fff]", text) and re.search(r"[A-Za-z]{3}", text), \
                f"{sheet} {cell.coordinate}: {text!r}"
    items = wb["items"]
    where = {field: index for index, field in enumerate(fields(items))}
    lists = {}
    for validation in items.data_validations.dataValidation:
        column = str(validation.sqref).split(":")[0].rstrip("0123456789")
        lists[column] = validation
    kind = lists[openpyxl.utils.get_column_letter(where["kind"] + 1)]
    assert kind.formula1 == '"' + ",".join(KINDS) + '"' and kind.showErrorMessage
    evidence = lists[openpyxl.utils.get_column_letter(where["evidence"] + 1)]
    assert evidence.formula1 == '"查阅资料,实地察看,座谈,问卷,抽查"'
    assert not evidence.showErrorMessage  # a list cell: one picked, more may be typed


def test_template_filled_in_by_an_office_imports(tmp_path: Path) -> None:
    """Keep the examples, change the name and add an item of one's own in Chinese only."""
    path = tmp_path / "template.xlsx"
    write_template(path)
    wb = openpyxl.load_workbook(path)
    ws = wb["rubric"]
    for row in ws.iter_rows(min_row=2):
        if str(row[0].value).endswith("name_zh"):
            row[1].value = "某县学校安全检查评分细则"
    items = wb["items"]
    values = {"section": "B", "code": "B4", "text_zh": "食堂卫生", "max": "5分", "kind": "points",
              "text_en": "Canteen hygiene", "evidence": "实地察看、抽查"}
    row = items.max_row + 1
    for index, field in enumerate(fields(items), start=1):
        if field in values:
            items.cell(row=row, column=index, value=values[field])
    wb.save(path)
    doc = read_xlsx(path)
    assert validate_document(doc) == []
    assert doc["name"]["zh"] == "某县学校安全检查评分细则"
    assert doc["sections"][1]["items"][-1] == {
        "code": "B4", "kind": "points", "text": {"zh": "食堂卫生", "en": "Canteen hygiene"},
        "max": 5, "evidence": ["site", "spot_check"]}


def test_template_has_the_layout_of_an_export(tmp_path: Path) -> None:
    """Written and read, the template has the sheets and headers of every exported rubric."""
    template, export = tmp_path / "template.xlsx", tmp_path / "export.xlsx"
    write_template(template)
    write_xlsx(small_doc(), export)
    a, b = openpyxl.load_workbook(template), openpyxl.load_workbook(export)
    assert a.sheetnames == b.sheetnames
    for sheet in a.sheetnames:
        assert [c.value for c in a[sheet][1]] == [c.value for c in b[sheet][1]]
