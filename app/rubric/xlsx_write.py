"""Write a ``fieldmark.rubric/1`` document as an .xlsx workbook in the authoring layout.

The column specs come from ``xlsx_columns``, shared with the reader, so what is written is
exactly what is read back: doc -> xlsx -> doc gives an equal dict. ``xlsx_flatten`` turns the
document into rows and refuses, with a RubricError naming its JSON path, any field the layout
cannot hold; this module lays those rows out as styled sheets and saves the file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from app.errors import RubricError
from app.rubric.xlsx_columns import (
    BANDS_BASIS,
    COMBINE_METHODS,
    RUBRIC_FIELDS,
    SHEET_ITEMS,
    SHEET_RUBRIC,
    TABLES,
    Column,
)
from app.rubric.xlsx_flatten import flatten

HELP_SHEET = "说明 help"
HELP_LINES = (
    ("Fieldmark 评分细则模板 / rubric workbook (fieldmark.rubric/1)", True),
    ("", False),
    ("rubric：基本信息，每行一个字段 / one field per row: format, id, version, names …", False),
    ("sections：部分（大项），parent 填上级编号，顶层留空 / sections; parent empty at top", False),
    ("items：每行一个评分项目；section 留空表示同上一行 / one row per item; empty section "
     "repeats the row above", False),
    ("bands：等次，由高到低；最后一行 min 留空 / grade bands, best first; last band has no min",
     False),
    ("vetoes：一票否决；condition = equals / not_met / award_below，effect = fail / cap_band",
     False),
    ("prorate：按单位档案数字折算部分满分 / section shares from the unit profile", False),
    ("", False),
    ("是否：是/否、yes/no、true/false、1/0、✓ 均可 / booleans", False),
    ("空白单元格 = 使用默认值 / an empty cell means the default", False),
    ("levels：代码:中文:英文:分值; … 例 met:达标:Meets:5; unmet:未达标:Not met:0", False),
    ("deductions：代码:中文:英文:每次扣分[:最多次数]; … 例 d1:无记录:No record:1:3", False),
    ("文字中若含 : 或 ; 请写作 \\: 或 \\; / escape ':' and ';' inside labels with a backslash",
     False),
    ("evidence：documents 查阅资料, site 实地察看, interview 座谈, questionnaire 问卷, "
     "spot_check 抽查（逗号分隔） / comma list", False),
    ("以 # 开头的列标题为备注列，导入时忽略 / a header starting with # is a note column", False),
)

# Excel list validations (the dropdowns). Booleans are suggestions only: other spellings
# (是/否, ✓) are accepted by the reader, so Excel must not reject them.
BOOL_CHOICES = '"yes,no,是,否"'


# --------------------------------------------------------------------------- workbook


def _set(cell: Any, value: Any) -> None:
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        # openpyxl would store "==" (a comparator) or "=…" text as a formula; keep it text.
        cell.data_type = "s"


def _style_header(ws: Any, columns: list[tuple[str, float, str]], freeze: str) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    font = Font(bold=True, color="FFFFFF")
    fill = PatternFill("solid", fgColor="305496")
    for position, (name, width, help_text) in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=position)
        cell.value = name
        cell.font = font
        cell.fill = fill
        cell.alignment = Alignment(vertical="center", wrap_text=False)
        if help_text:
            comment = Comment(help_text, "Fieldmark")
            comment.width = 320
            comment.height = 90
            cell.comment = comment
        ws.column_dimensions[get_column_letter(position)].width = width
    ws.freeze_panes = freeze


def _list_validation(ws: Any, choices: str, column: int, *, strict: bool,
                     first_row: int = 2, last_row: int = 1048576) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    letter = get_column_letter(column)
    validation = DataValidation(type="list", formula1=choices, allow_blank=True)
    validation.showErrorMessage = strict
    if strict:
        validation.errorTitle = "Fieldmark"
        validation.error = f"请从列表中选择 / choose one of {choices.strip(chr(34))}"
    ws.add_data_validation(validation)
    validation.add(f"{letter}{first_row}:{letter}{last_row}")


def _quoted(choices: tuple[str, ...]) -> str:
    return '"' + ",".join(choices) + '"'


def _table_sheet(wb: Any, title: str, columns: tuple[Column, ...],
                 rows: list[dict[str, Any]], freeze: str = "A2") -> None:
    from openpyxl.styles import Alignment

    ws = wb.create_sheet(title)
    _style_header(ws, [(c.name, c.width, c.help) for c in columns], freeze)
    wrap = Alignment(wrap_text=True, vertical="top")
    for row_number, row in enumerate(rows, start=2):
        for position, column in enumerate(columns, start=1):
            value = row.get(column.name)
            if value is None:
                continue
            cell = ws.cell(row=row_number, column=position)
            _set(cell, value)
            if column.type == "code":
                # Text format: Excel must not turn a code like 1.10 into the number 1.1.
                cell.number_format = "@"
            elif column.type in ("levels", "deductions") or column.width >= 30:
                cell.alignment = wrap
    for position, column in enumerate(columns, start=1):
        if column.type == "bool":
            _list_validation(ws, BOOL_CHOICES, position, strict=False)
        elif column.type == "choice":
            _list_validation(ws, _quoted(column.choices), position, strict=True)
    if rows:
        from openpyxl.utils import get_column_letter

        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"


def _rubric_sheet(wb: Any, values: dict[str, Any]) -> None:
    ws = wb.active
    ws.title = SHEET_RUBRIC
    _style_header(ws, [("field", 20, ""), ("value", 48, ""), ("notes", 60, "")], "A2")
    from openpyxl.styles import Font

    grey = Font(color="808080")
    for row_number, column in enumerate(RUBRIC_FIELDS, start=2):
        ws.cell(row=row_number, column=1, value=column.name)
        value = values.get(column.name)
        if value is not None:
            cell = ws.cell(row=row_number, column=2)
            _set(cell, value)
            if column.type in ("code", "text"):
                cell.number_format = "@"
        note = ws.cell(row=row_number, column=3, value=column.help)
        note.font = grey
        if column.name == "bands_basis":
            _list_validation(ws, _quoted(BANDS_BASIS), 2, strict=True,
                             first_row=row_number, last_row=row_number)
        elif column.name == "combine_method":
            _list_validation(ws, _quoted(COMBINE_METHODS), 2, strict=True,
                             first_row=row_number, last_row=row_number)


def _help_sheet(wb: Any) -> None:
    from openpyxl.styles import Font

    ws = wb.create_sheet(HELP_SHEET)
    ws.column_dimensions["A"].width = 110
    for row_number, (line, bold) in enumerate(HELP_LINES, start=1):
        cell = ws.cell(row=row_number, column=1, value=line)
        if bold:
            cell.font = Font(bold=True, size=13)


def write_xlsx(doc: dict[str, Any], path: str | Path) -> None:
    """Write ``doc`` as an authoring workbook at ``path`` (replaced atomically).

    Raises RubricError when the document has a field the layout cannot express.
    """
    from openpyxl import Workbook
    from openpyxl.utils.exceptions import IllegalCharacterError

    path = Path(path)
    sheets = flatten(doc)

    wb = Workbook()
    try:
        _rubric_sheet(wb, sheets.header)
        for title, columns in TABLES.items():
            # The items sheet keeps section and code in view while scrolling right.
            freeze = "C2" if title == SHEET_ITEMS else "A2"
            _table_sheet(wb, title, columns, sheets.tables[title], freeze=freeze)
        _help_sheet(wb)
    except IllegalCharacterError as exc:
        raise RubricError(f"cannot write the rubric as a workbook: a text contains a control "
                          f"character Excel cannot store ({exc})") from None
    # Write next to the target and rename, so a failed save never leaves half a workbook.
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        wb.save(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise RubricError(f"{path.name}: cannot be written ({exc.strerror or exc})") from None
