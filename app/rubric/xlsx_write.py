"""Write a ``fieldmark.rubric/1`` document as an .xlsx workbook in the authoring layout.

The column specs come from ``xlsx_columns``, shared with the reader, so what is written is
exactly what is read back: doc -> xlsx -> doc gives an equal dict. ``xlsx_flatten`` turns the
document into rows and refuses, with a RubricError naming its JSON path, any field the layout
cannot hold; this module lays those rows out as styled sheets and saves the file.
"""

from __future__ import annotations

import math
import os
import unicodedata
from pathlib import Path
from typing import Any

from app.errors import RubricError
from app.rubric.xlsx_columns import (
    BANDS_BASIS,
    COMBINE_METHODS,
    EVIDENCE_ZH,
    PRINTED_ITEM_COLUMNS,
    RUBRIC_FIELDS,
    SHEET_ITEMS,
    SHEET_RUBRIC,
    TABLES,
    Column,
)
from app.rubric.xlsx_flatten import HEADING, flatten

HELP_SHEET = "说明 help"
# The help sheet's one column, in character units: as wide as a portrait A4 page holds.
HELP_WIDTH = 80
HELP_LINES = (
    ("Fieldmark 评分细则模板 / rubric workbook (fieldmark.rubric/1)", True),
    ("", False),
    ("列标题中文在上、英文字段名在下；导入时写中文、英文或两者均可 / headers: Chinese over the "
     "field name; either or both are accepted", False),
    ("rubric：基本信息，每行一个字段 / one field per row: format, id, version, names …", False),
    ("sections：部分（大项），上级编号填上级部分，顶层留空 / sections; parent empty at top", False),
    ("items：每行一个评分项目；评估项目留空表示同上一行 / one row per item; an empty section "
     "repeats the row above", False),
    ("items：只有评估项目和名称（无编号、无计分类型）的行是部分标题，名称须与 sections 一致 / a "
     "row with no item code and no kind is a section heading; its names are those of sections",
     False),
    ("items：打印区域为前七列（评估项目至评估说明），横向 A4，每页重复标题行 / the first seven "
     "columns are the print area, landscape A4, header row on every page", False),
    ("items：评分标准列由计分类型、分值、等级、扣分等列自动生成，导入时不读；要改评分标准请改这些列 "
     "/ the 评分标准 column is the rule in words, generated from the kind, max, levels and "
     "deductions columns; edit those, not the words", False),
    ("bands：等次，由高到低；最后一行分数下限留空 / grade bands, best first; last band has no min",
     False),
    ("vetoes：一票否决；condition = equals / not_met / award_below，effect = fail / cap_band",
     False),
    ("prorate：按单位档案数字折算部分满分 / section shares from the unit profile", False),
    ("", False),
    ("是否：是/否、yes/no、true/false、1/0、✓ 均可 / booleans", False),
    ("空白单元格 = 使用默认值 / an empty cell means the default", False),
    ("分值可写 10 或 10分；全角数字 １０ 也可 / points may be written 10, 10分 or １０", False),
    ("不要合并表格中的单元格（评估项目列除外） / do not merge cells inside a table (except down "
     "the section column)", False),
    ("levels：代码:中文:英文:分值; … 例 met:达标:Meets:5; unmet:未达标:Not met:0", False),
    ("deductions：代码:中文:英文:每次扣分[:最多次数]; … 例 d1:无记录:No record:1:3", False),
    ("文字中若含 : 或 ; 请写作 \\: 或 \\; / escape ':' and ';' inside labels with a backslash",
     False),
    ("评估方式：查阅资料、实地察看、座谈、问卷、抽查（或 documents, site, interview, "
     "questionnaire, spot_check） / evidence methods, a list", False),
    ("以 # 开头的列标题为备注列，导入时忽略 / a header starting with # is a note column", False),
)

# Excel list validations (the dropdowns). Booleans are suggestions only: other spellings
# (是/否, ✓) are accepted by the reader, so Excel must not reject them. Evidence cells hold a
# list, so their dropdown offers one method and lets the author type more.
BOOL_CHOICES = '"yes,no,是,否"'
EVIDENCE_CHOICES = '"' + ",".join(EVIDENCE_ZH.values()) + '"'

HEADER_FILL = "305496"
# Section heading rows of the items sheet: a darker band for a top section, a lighter one below.
HEADING_FILLS = ("C9D6EE", "E4EBF6")
_THIN = "A6A6A6"


# Row heights. A spreadsheet program that opens the file does not always fit the rows to their
# wrapped text (LibreOffice keeps the default height of a row that has none), so the writer sets
# each row's height from its longest cell: a Chinese character takes about two width units of a
# column in Excel (a little less in LibreOffice), other characters about one.
LINE_POINTS = 14.5


def _char_units(ch: str) -> float:
    return 2.0 if ch >= "\u1100" and unicodedata.east_asian_width(ch) in ("W", "F") else 1.0


def text_lines(text: str, width: float) -> int:
    """How many lines ``text`` wraps to in a column ``width`` units wide (an estimate)."""
    room = max(width - 1.5, 1.0)
    lines = 0
    for paragraph in text.split("\n"):
        used = sum(_char_units(ch) for ch in paragraph)
        lines += max(1, math.ceil(used / room))
    return lines


# --------------------------------------------------------------------------- workbook


def _set(cell: Any, value: Any) -> None:
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        # openpyxl would store "==" (a comparator) or "=…" text as a formula; keep it text.
        cell.data_type = "s"


def _style_header(ws: Any, columns: list[tuple[str, float, str]], freeze: str) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    font = Font(bold=True, color="FFFFFF")
    fill = PatternFill("solid", fgColor=HEADER_FILL)
    side = Side(style="thin", color=_THIN)
    border = Border(left=side, right=side, top=side, bottom=side)
    for position, (name, width, help_text) in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=position)
        cell.value = name
        cell.font = font
        cell.fill = fill
        cell.border = border
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        if help_text:
            comment = Comment(help_text, "Fieldmark")
            comment.width = 320
            comment.height = 110
            cell.comment = comment
        ws.column_dimensions[get_column_letter(position)].width = width
    # Two lines: the Chinese header over the field name.
    ws.row_dimensions[1].height = 32
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


def _page_setup(ws: Any, title: str) -> None:
    """Landscape A4, all columns on the page width, the header row on every page, the rubric's
    name on top and page numbers below: the sheet printed is the table an office hands out."""
    from openpyxl.worksheet.page import PageMargins

    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as the rows need
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.print_options.gridLines = True  # the table's lines, empty cells included
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.7, bottom=0.6, header=0.3,
                                  footer=0.3)
    ws.print_title_rows = "1:1"
    if title:
        ws.oddHeader.center.text = title.replace("&", "&&")
        ws.oddHeader.center.size = 12
        ws.oddHeader.center.font = "-,Bold"
    ws.oddFooter.center.text = "第 &P 页，共 &N 页 / page &P of &N"
    ws.oddFooter.center.size = 9


def _table_sheet(wb: Any, title: str, columns: tuple[Column, ...],
                 rows: list[dict[str, Any]], freeze: str = "A2", *, print_title: str = "",
                 printed: int | None = None) -> None:
    """One table sheet. ``printed``: how many leading columns are the print area (all when
    None); those get borders and wrapped text, as on paper."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    _style_header(ws, [(c.header, c.width, c.help) for c in columns], freeze)
    printed = len(columns) if printed is None else printed
    wrap = Alignment(wrap_text=True, vertical="top")
    centred = Alignment(wrap_text=True, vertical="top", horizontal="center")
    side = Side(style="thin", color=_THIN)
    border = Border(left=side, right=side, top=side, bottom=side)
    fills = [PatternFill("solid", fgColor=colour) for colour in HEADING_FILLS]
    bold = Font(bold=True)
    for row_number, row in enumerate(rows, start=2):
        depth = row.get(HEADING)
        lines = max((text_lines(str(row[c.name]), c.width) for c in columns[:printed]
                     if row.get(c.name) is not None), default=1)
        if lines > 1:
            ws.row_dimensions[row_number].height = lines * LINE_POINTS + 3
        for position, column in enumerate(columns, start=1):
            value = row.get(column.name)
            inside = position <= printed
            # Empty cells are left out (the printed grid lines draw their borders): a workbook
            # of a thousand items has a sixth fewer cells to parse without them. A heading row's
            # band is the exception, filled across the print area.
            if value is None and (depth is None or not inside):
                continue
            cell = ws.cell(row=row_number, column=position)
            if value is not None:
                _set(cell, value)
            if column.type == "code":
                # Text format: Excel must not turn a code like 1.10 into the number 1.1.
                cell.number_format = "@"
            if inside:
                cell.border = border
                short = column.type in ("number", "int", "bool", "code", "choice")
                cell.alignment = centred if short and column.name != "section" else wrap
            elif column.type in ("levels", "deductions") or column.width >= 30:
                cell.alignment = wrap
            if depth is not None and inside:
                cell.fill = fills[min(depth, len(fills) - 1)]
                cell.font = bold
    for position, column in enumerate(columns, start=1):
        if column.type == "bool":
            _list_validation(ws, BOOL_CHOICES, position, strict=False)
        elif column.type == "choice":
            _list_validation(ws, _quoted(column.choices), position, strict=True)
        elif column.name == "evidence":
            _list_validation(ws, EVIDENCE_CHOICES, position, strict=False)
    last = get_column_letter(len(columns))
    if rows:
        ws.auto_filter.ref = f"A1:{last}{len(rows) + 1}"
    _page_setup(ws, print_title)
    if printed < len(columns):
        # Down to the last row, so rows an office adds are printed too (blank pages are not).
        ws.print_area = f"A1:{get_column_letter(printed)}1048576"


def _rubric_sheet(wb: Any, values: dict[str, Any]) -> None:
    from openpyxl.styles import Alignment, Font

    ws = wb.active
    ws.title = SHEET_RUBRIC
    _style_header(ws, [("字段\nfield", 28, ""), ("值\nvalue", 48, ""), ("说明\nnotes", 60, "")],
                  "A2")
    grey = Font(color="808080")
    wrap = Alignment(wrap_text=True, vertical="top")
    for row_number, column in enumerate(RUBRIC_FIELDS, start=2):
        key = ws.cell(row=row_number, column=1, value=f"{column.zh} {column.name}")
        key.alignment = wrap
        value = values.get(column.name)
        if value is not None:
            cell = ws.cell(row=row_number, column=2)
            _set(cell, value)
            cell.alignment = wrap
            if column.type in ("code", "text"):
                cell.number_format = "@"
        note = ws.cell(row=row_number, column=3, value=column.help)
        note.font = grey
        note.alignment = wrap
        lines = max(text_lines(str(value), 48) if value is not None else 1,
                    text_lines(column.help, 60))
        if lines > 1:
            ws.row_dimensions[row_number].height = lines * LINE_POINTS + 3
        if column.name == "bands_basis":
            _list_validation(ws, _quoted(BANDS_BASIS), 2, strict=True,
                             first_row=row_number, last_row=row_number)
        elif column.name == "combine_method":
            _list_validation(ws, _quoted(COMBINE_METHODS), 2, strict=True,
                             first_row=row_number, last_row=row_number)
    _page_setup(ws, "")


def _help_sheet(wb: Any) -> None:
    from openpyxl.styles import Alignment, Font

    ws = wb.create_sheet(HELP_SHEET)
    ws.column_dimensions["A"].width = HELP_WIDTH
    wrap = Alignment(wrap_text=True, vertical="top")
    for row_number, (line, bold) in enumerate(HELP_LINES, start=1):
        cell = ws.cell(row=row_number, column=1, value=line)
        cell.alignment = wrap
        if bold:
            cell.font = Font(bold=True, size=13)
        # Set here: LibreOffice does not fit a wrapped row's height when it opens the file.
        lines = text_lines(line, HELP_WIDTH)
        if lines > 1:
            ws.row_dimensions[row_number].height = lines * LINE_POINTS + 3
    # Printed whole on portrait A4: the lines wrap within the page instead of running off it.
    _page_setup(ws, "")
    ws.page_setup.orientation = ws.ORIENTATION_PORTRAIT
    ws.print_options.gridLines = False
    ws.print_title_rows = None


def build_workbook(doc: dict[str, Any]) -> Any:
    """The authoring workbook of ``doc`` as an openpyxl Workbook, not yet saved.

    Raises RubricError when the document has a field the layout cannot express.
    """
    from openpyxl import Workbook
    from openpyxl.utils.exceptions import IllegalCharacterError

    sheets = flatten(doc)
    name = sheets.header.get("name_zh") or sheets.header.get("name_en") or ""
    wb = Workbook()
    try:
        _rubric_sheet(wb, sheets.header)
        for title, columns in TABLES.items():
            # The items sheet keeps section and code in view while scrolling right.
            freeze = "C2" if title == SHEET_ITEMS else "A2"
            printed = PRINTED_ITEM_COLUMNS if title == SHEET_ITEMS else None
            _table_sheet(wb, title, columns, sheets.tables[title], freeze=freeze,
                         print_title=name, printed=printed)
        _help_sheet(wb)
    except IllegalCharacterError as exc:
        raise RubricError(f"cannot write the rubric as a workbook: a text contains a control "
                          f"character Excel cannot store ({exc})") from None
    return wb


def save_workbook(wb: Any, path: str | Path) -> None:
    """Save next to the target and rename, so a failed save never leaves half a workbook."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        wb.save(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise RubricError(f"{path.name}: cannot be written ({exc.strerror or exc})") from None


def write_xlsx(doc: dict[str, Any], path: str | Path) -> None:
    """Write ``doc`` as an authoring workbook at ``path`` (replaced atomically).

    Raises RubricError when the document has a field the layout cannot express.
    """
    save_workbook(build_workbook(doc), path)
