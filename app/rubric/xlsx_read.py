"""Read a rubric authored in Excel (.xlsx) into a ``fieldmark.rubric/1`` document dict.

The layout (sheets, columns, cell conventions) is described in docs/rubrics.md, section
"Spreadsheet layout", and defined once here as column specs that the writer reuses, so the two
directions cannot drift apart.

The reader converts cells faithfully and reports spreadsheet-level problems (a missing sheet or
column, a bad number or boolean, an unknown kind, a duplicate code, a reference to a section that
does not exist), each naming the sheet, row and column. Semantic rules of the format (band order,
level points, …) stay with ``app.rubric.validate``; the reader only adds checks that it can
phrase better because it knows the row.

Numbers. A cell is taken as Excel stores it: an int stays an int; a float is re-read through
``Decimal`` from its shortest repr, limited to 15 significant digits (Excel's own precision, which
also drops binary noise such as 0.30000000000000004 from a formula), then returned as an int when
integral and as a float otherwise. A number typed as text ("0.5") takes the same Decimal path
without the 15-digit limit, which is how the writer keeps longer floats exact. So 0.5 reads as
0.5, 5.0 as 5 and "2.50" as 2.5, and JSON written from the dict holds exactly those values.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import partial
from pathlib import Path
from typing import Any

from app.errors import RubricError

FORMAT = "fieldmark.rubric/1"

KINDS = ("points", "deduction", "passfail", "level", "indicator", "count", "text")
EVIDENCE = ("documents", "site", "interview", "questionnaire", "spot_check")
# Offices write the Chinese method names from the circulars; both map to the format's codes.
EVIDENCE_ALIASES = {
    "查阅资料": "documents",
    "资料": "documents",
    "实地察看": "site",
    "实地查看": "site",
    "座谈": "interview",
    "问卷": "questionnaire",
    "抽查": "spot_check",
}
# An explicit empty evidence list ("evidence": []) differs from an absent one, so it has a word.
EVIDENCE_NONE = ("none", "无")
COMPARATORS = (">=", ">", "<=", "<", "==")
COMPARATOR_ALIASES = {"≥": ">=", "≤": "<=", "=": "==", "＞": ">", "＜": "<", "＝": "=="}
CONDITIONS = ("equals", "not_met", "award_below")
EFFECTS = ("fail", "cap_band")
BANDS_BASIS = ("total", "percent")
COMBINE_METHODS = ("mean", "min", "max", "median")

TRUE_WORDS = frozenset({"yes", "y", "true", "t", "1", "是", "✓", "✔", "√", "☑"})
FALSE_WORDS = frozenset({"no", "n", "false", "f", "0", "否", "✗", "✘", "×", "☐"})

# Sheet names, in the order the writer creates them.
SHEET_RUBRIC = "rubric"
SHEET_SECTIONS = "sections"
SHEET_ITEMS = "items"
SHEET_BANDS = "bands"
SHEET_VETOES = "vetoes"
SHEET_PRORATE = "prorate"
REQUIRED_SHEETS = (SHEET_RUBRIC, SHEET_SECTIONS, SHEET_ITEMS)
OPTIONAL_SHEETS = (SHEET_BANDS, SHEET_VETOES, SHEET_PRORATE)

# How far down the reader looks for a header row, so a title row above the table is allowed.
HEADER_SEARCH_ROWS = 10


@dataclass(frozen=True)
class Column:
    """One column of a table sheet: its header, cell type and help text for the header note."""

    name: str
    type: str  # text | code | number | int | bool | list | levels | deductions | choice
    required: bool = False
    width: float = 12
    help: str = ""
    choices: tuple[str, ...] = ()


def _c(name: str, type_: str, width: float, help_: str, *, required: bool = False,
       choices: tuple[str, ...] = ()) -> Column:
    return Column(name, type_, required, width, help_, choices)


RUBRIC_FIELDS: tuple[Column, ...] = (
    _c("format", "text", 0, "固定为 / always fieldmark.rubric/1", required=True),
    _c("id", "code", 0, "稳定标识（小写字母、数字、-） / stable slug", required=True),
    _c("version", "code", 0, "版本，如 2024.1 / edition label", required=True),
    _c("name_zh", "text", 0, "中文名称 / Chinese name", required=True),
    _c("name_en", "text", 0, "英文名称 / English name", required=True),
    _c("description_zh", "text", 0, "说明（中文，可空） / description, optional"),
    _c("description_en", "text", 0, "说明（英文，可空） / description, optional"),
    _c("source", "text", 0, "文件依据，如 丹文明委[2011]11号 / source document"),
    _c("rounding_places", "int", 0, "显示小数位（默认 1） / display decimals, default 1"),
    _c("bands_basis", "choice", 0, "total 或 percent（默认 total）", choices=BANDS_BASIS),
    _c("bonus_cap", "number", 0, "加分上限（有加分项时填写） / bonus cap"),
    _c("combine_method", "choice", 0, "多次检查合成：mean/min/max/median", choices=COMBINE_METHODS),
    _c("combine_count", "int", 0, "合成的检查次数，如 8 / number of checks combined"),
)

SECTION_COLUMNS: tuple[Column, ...] = (
    _c("code", "code", 10, "部分编号，全表唯一 / section code, unique", required=True),
    _c("parent", "code", 10, "上级部分编号，顶层留空 / parent section code, empty at top level"),
    _c("name_zh", "text", 30, "部分名称（中文） / section name (Chinese)", required=True),
    _c("name_en", "text", 30, "部分名称（英文） / section name (English)", required=True),
    _c("cap", "number", 8, "本部分得分上限（可空） / cap on the section, optional"),
)

ITEM_COLUMNS: tuple[Column, ...] = (
    _c("section", "code", 10,
       "所属部分编号；留空 = 同上一行 / section code; empty = same as the row above", required=True),
    _c("code", "code", 10, "项目编号，全表唯一 / item code, unique", required=True),
    _c("kind", "choice", 11, "类型 / kind: " + ", ".join(KINDS), required=True, choices=KINDS),
    _c("text_zh", "text", 40, "考核内容（中文） / item text (Chinese)", required=True),
    _c("text_en", "text", 40, "考核内容（英文） / item text (English)", required=True),
    _c("max", "number", 7, "满分 / maximum points"),
    _c("min", "number", 7, "最低分（points，默认 0） / minimum (points items)"),
    _c("step", "number", 7, "分值步长（points，默认 1） / step (points items)"),
    _c("levels", "levels", 44,
       "等级：代码:中文:英文:分值; … 例 met:达标:Meets:5; unmet:未达标:Not met:0"),
    _c("deductions", "deductions", 44,
       "扣分：代码:中文:英文:每次扣分[:最多次数]; … 例 d1:无记录:No record:1:3"),
    _c("numerator_zh", "text", 18, "指标分子（中文） / indicator numerator"),
    _c("numerator_en", "text", 18, "指标分子（英文） / indicator numerator"),
    _c("denominator_zh", "text", 18, "指标分母（中文，可空） / indicator denominator"),
    _c("denominator_en", "text", 18, "指标分母（英文，可空） / indicator denominator"),
    _c("rate", "bool", 7, "按百分比计算（默认 是） / value is a percentage (default yes)"),
    _c("comparator", "choice", 10, "比较：>=, >, <=, <, ==", choices=COMPARATORS),
    _c("target", "number", 8, "指标目标值 / indicator target"),
    _c("tolerance", "number", 9, "允许误差（默认 0.1） / reported-value tolerance"),
    _c("points_each", "number", 9, "count 每次得分 / points per counted unit"),
    _c("max_count", "int", 9, "count 最多次数（可空） / highest count allowed (count items)"),
    _c("required", "bool", 9, "必答（默认 是） / must be answered (default yes)"),
    _c("na_allowed", "bool", 10, "可标记不适用（默认 否） / may be N/A (default no)"),
    _c("photo_required", "bool", 10, "须附照片（默认 否） / photo required (default no)"),
    _c("reason_below_max", "bool", 12, "未得满分须写原因 / reason needed below max"),
    _c("evidence", "list", 22,
       "考核方法，逗号分隔：documents 查阅资料, site 实地察看, interview 座谈, "
       "questionnaire 问卷, spot_check 抽查; none = 明确为空"),
    _c("guidance_zh", "text", 30, "考核方法说明（中文） / how to check (Chinese)"),
    _c("guidance_en", "text", 30, "考核方法说明（英文） / how to check (English)"),
    _c("when_item", "code", 10,
       "条件项：仅当该项目的答案等于 when_equals 时才评此项 / asked only when this item's answer…"),
    _c("when_equals", "text", 11, "…等于此值（是/否、等级代码或数字） / …equals this value"),
    _c("bonus", "bool", 7, "加分项（不填部分） / bonus item (leave section empty)"),
)

BAND_COLUMNS: tuple[Column, ...] = (
    _c("code", "code", 10, "等次代码，由高到低 / band code, best first", required=True),
    _c("label_zh", "text", 20, "等次名称（中文） / band label (Chinese)", required=True),
    _c("label_en", "text", 24, "等次名称（英文） / band label (English)", required=True),
    _c("min", "number", 8, "下限，最后一行留空 / lower bound; empty on the last band"),
    _c("min_inclusive", "bool", 13, "下限含本数 / the bound itself belongs to this band"),
)

VETO_COLUMNS: tuple[Column, ...] = (
    _c("code", "code", 10, "否决项编号，全表唯一 / veto code", required=True),
    _c("label_zh", "text", 36, "否决原因（中文） / reason (Chinese)", required=True),
    _c("label_en", "text", 36, "否决原因（英文） / reason (English)", required=True),
    _c("item", "code", 12, "触发项目编号 / trigger item code", required=True),
    _c("condition", "choice", 12, "equals / not_met / award_below", required=True,
       choices=CONDITIONS),
    _c("value", "text", 10, "equals 的值或 award_below 的分数 / value or threshold"),
    _c("effect", "choice", 10, "fail（不合格）或 cap_band（封顶等次）", required=True,
       choices=EFFECTS),
    _c("cap_band", "code", 10, "cap_band 时的等次代码 / band code for cap_band"),
)

PRORATE_COLUMNS: tuple[Column, ...] = (
    _c("section", "code", 10, "按比例计分的部分编号 / section code", required=True),
    _c("unit_types", "list", 28, "适用单位类型，逗号分隔 / unit types, comma list", required=True),
    _c("numerator", "list", 32, "分子：档案数字名，逗号分隔 / profile numbers summed",
       required=True),
    _c("denominator", "list", 32, "分母：档案数字名，逗号分隔 / profile numbers summed",
       required=True),
)

TABLES: dict[str, tuple[Column, ...]] = {
    SHEET_SECTIONS: SECTION_COLUMNS,
    SHEET_ITEMS: ITEM_COLUMNS,
    SHEET_BANDS: BAND_COLUMNS,
    SHEET_VETOES: VETO_COLUMNS,
    SHEET_PRORATE: PRORATE_COLUMNS,
}

_NAME_RE = re.compile(r"[\s.\-]+")
_LIST_SPLIT_RE = re.compile(r"[,，、;；\n]")


def normalise_name(value: object) -> str:
    """Header and field names compare loosely: "Rounding places" == "rounding.places"."""
    return _NAME_RE.sub("_", str(value).strip().lower()).strip("_")


# --------------------------------------------------------------------------- inline lists


def escape_part(text: str) -> str:
    """Escape the separators of the levels/deductions mini-syntax inside one field."""
    return text.replace("\\", "\\\\").replace(":", "\\:").replace(";", "\\;")


def split_entries(text: str) -> list[list[str]]:
    """Split ``a:b:c; d:e:f`` into entries of fields, honouring backslash escapes.

    Entries end at an unescaped ``;`` or a line break; fields end at an unescaped ``:``.
    Fields are stripped so ``met : 达标 : Meets : 5`` works.
    """
    entries: list[list[str]] = []
    fields: list[str] = []
    buf: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            buf.append(text[i + 1])
            i += 2
            continue
        if ch == ":":
            fields.append("".join(buf).strip())
            buf = []
        elif ch in ";\n":
            fields.append("".join(buf).strip())
            buf = []
            if any(fields):
                entries.append(fields)
            fields = []
        else:
            buf.append(ch)
        i += 1
    fields.append("".join(buf).strip())
    if any(fields):
        entries.append(fields)
    return entries


# --------------------------------------------------------------------------- cell values


class CellError(ValueError):
    """A cell value cannot be converted; the text is the detail after "row N, column X: "."""


def _show(value: object) -> str:
    return f"'{value}'" if isinstance(value, str) else repr(value)


def _decimal_to_json(d: Decimal) -> int | float:
    if d == d.to_integral_value():
        return int(d)
    return float(d)


def to_number(value: object) -> int | float | None:
    """A cell as a JSON number (see the module docstring), None when empty."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise CellError(f"{_show(value)} is not a number")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise CellError(f"{value!r} is not a number")
        d = Decimal(repr(value))
        if len(d.as_tuple().digits) > 15:
            d = Decimal(format(value, ".15g"))
        return _decimal_to_json(d)
    if isinstance(value, Decimal):
        return _decimal_to_json(value)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            d = Decimal(text)
        except InvalidOperation:
            raise CellError(f"{_show(value)} is not a number") from None
        if not d.is_finite():
            raise CellError(f"{_show(value)} is not a number")
        return _decimal_to_json(d)
    raise CellError(f"{_show(value)} is not a number")


def to_int(value: object) -> int | None:
    number = to_number(value)
    if number is None:
        return None
    if not isinstance(number, int):
        raise CellError(f"{_show(value)} is not a whole number")
    return number


def to_bool(value: object) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if not word:
            return None
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise CellError(f"{_show(value)} is not yes/no (use 是/否, yes/no, true/false, 1/0 or ✓)")


def to_text(value: object) -> str | None:
    """Text as typed, stripped; numbers typed into a text column read as their digits."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise CellError(f"{_show(value)} is not text")
    if isinstance(value, int | float | Decimal):
        number = to_number(value)
        return str(number)
    if isinstance(value, str):
        text = value.strip()
        return text or None
    # Dates and times: Excel turned what was typed into a date; say so instead of guessing.
    raise CellError(f"{_show(value)} is a date or other non-text value; format the cell as text")


def to_list(value: object) -> list[str] | None:
    text = to_text(value)
    if text is None:
        return None
    return [part.strip() for part in _LIST_SPLIT_RE.split(text) if part.strip()]


# --------------------------------------------------------------------------- workbook access


@dataclass
class Row:
    """One data row of a table sheet: its Excel row number and cells by column name."""

    sheet: str
    number: int
    cells: dict[str, object]

    def where(self, column: str) -> str:
        return f"{self.sheet} row {self.number}, column {column}"


class _Reader:
    def __init__(self, sheets: dict[str, list[tuple[object, ...]]]) -> None:
        # sheets: normalised sheet name -> raw rows (values only), read up front.
        self.sheets = sheets
        self.problems: list[str] = []
        self.codes: dict[str, str] = {}  # the shared code namespace: code -> where first used
        self.item_kinds: dict[str, str] = {}  # item code -> kind ("" when the kind is bad)
        # Sheets whose header could not be used: references into them are not checked, so one
        # missing column does not echo as a problem on every row that points there.
        self.unusable: set[str] = set()
        self.section_codes: set[str] = set()
        self.band_codes: set[str] = set()
        # Where each produced object came from, so validator problems can name the row.
        self.row_of: dict[int, Row] = {}
        self.header_rows: dict[str, int] = {}
        self.pending_when: list[tuple[dict[str, Any], Row, str, object]] = []

    # ---- problems and typed cells

    def problem(self, where: str, detail: str) -> None:
        self.problems.append(f"{where}: {detail}")

    def cell(self, row: Row, column: str, convert: Any) -> Any:
        try:
            return convert(row.cells.get(column))
        except CellError as exc:
            self.problem(row.where(column), str(exc))
            return None

    def text(self, row: Row, column: str) -> str | None:
        return self.cell(row, column, to_text)

    def number(self, row: Row, column: str) -> int | float | None:
        return self.cell(row, column, to_number)

    def integer(self, row: Row, column: str) -> int | None:
        return self.cell(row, column, to_int)

    def boolean(self, row: Row, column: str) -> bool | None:
        return self.cell(row, column, to_bool)

    def required_text(self, row: Row, column: str) -> str | None:
        value = self.text(row, column)
        if value is None and row.cells.get(column) is None:
            self.problem(row.where(column), "empty")
        return value

    def choice(self, row: Row, column: str, choices: Sequence[str],
               aliases: dict[str, str] | None = None, *, required: bool = False) -> str | None:
        value = self.required_text(row, column) if required else self.text(row, column)
        if value is None:
            return None
        key = aliases.get(value, value) if aliases else value
        if key.lower() in choices:
            return key.lower()
        self.problem(row.where(column),
                     f"unknown {column} {_show(value)} (expected one of {', '.join(choices)})")
        return None

    def label(self, row: Row, prefix: str, *, required: bool) -> dict[str, str] | None:
        """Two cells ``<prefix>_zh``/``<prefix>_en`` as a label; both or neither."""
        zh = self.text(row, f"{prefix}_zh")
        en = self.text(row, f"{prefix}_en")
        if zh is None and en is None:
            if required:
                self.problem(row.where(f"{prefix}_zh"), "empty (a label needs zh and en)")
            return None
        if zh is None or en is None:
            missing = f"{prefix}_zh" if zh is None else f"{prefix}_en"
            self.problem(row.where(missing), "empty (a label needs both zh and en)")
        label: dict[str, str] = {}
        if zh is not None:
            label["zh"] = zh
        if en is not None:
            label["en"] = en
        return label

    def claim_code(self, row: Row, column: str = "code") -> str | None:
        code = self.required_text(row, column)
        if code is None:
            return None
        here = f"{row.sheet} row {row.number}"
        if code in self.codes:
            self.problem(row.where(column),
                         f"duplicate code {_show(code)} (already used at {self.codes[code]})")
        else:
            self.codes[code] = here
        return code

    # ---- tables

    def table(self, sheet: str, columns: tuple[Column, ...]) -> list[Row] | None:
        """The data rows of a table sheet, or None when the sheet is missing or unusable."""
        raw = self.sheets.get(sheet)
        if raw is None:
            return None
        known = {c.name for c in columns}
        required = [c.name for c in columns if c.required]
        header_index = None
        for index, values in enumerate(raw[:HEADER_SEARCH_ROWS]):
            names = {normalise_name(v) for v in values if v is not None}
            if required[0] in names or (len(names & known) >= 2):
                header_index = index
                break
        if header_index is None:
            self.problem(f"{sheet} sheet",
                         f"no header row with column '{required[0]}' in the first "
                         f"{HEADER_SEARCH_ROWS} rows")
            self.unusable.add(sheet)
            return []
        header_row = header_index + 1
        positions: dict[str, int] = {}
        for position, value in enumerate(raw[header_index]):
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            name = normalise_name(value)
            if name.startswith("#"):
                continue  # a note column the office keeps for itself
            if name not in known:
                self.problem(f"{sheet} row {header_row}",
                             f"unknown column {_show(str(value).strip())} (expected "
                             f"{', '.join(c.name for c in columns)}; start a header with # "
                             f"to keep a note column)")
            elif name in positions:
                self.problem(f"{sheet} row {header_row}", f"column '{name}' appears twice")
            else:
                positions[name] = position
        missing = [name for name in required if name not in positions]
        for name in missing:
            self.problem(f"{sheet} sheet", f"missing required column '{name}'")
        if missing:
            self.unusable.add(sheet)
            return []
        rows: list[Row] = []
        for index in range(header_index + 1, len(raw)):
            values = raw[index]
            cells = {
                name: (values[pos] if pos < len(values) else None)
                for name, pos in positions.items()
            }
            # Blank strings count as empty: Excel leaves them behind after a delete.
            for name, value in cells.items():
                if isinstance(value, str) and not value.strip():
                    cells[name] = None
            if all(v is None for v in cells.values()):
                continue
            rows.append(Row(sheet, index + 1, cells))
        return rows

    # ---- sheets

    def read(self) -> dict[str, Any]:
        missing = [s for s in REQUIRED_SHEETS if s not in self.sheets]
        if missing:
            found = ", ".join(self.sheets) or "none"
            for sheet in missing:
                self.problem("workbook", f"missing sheet '{sheet}' (sheets found: {found})")
        doc = self.read_header()
        sections, nodes = self.read_sections()
        bonus_items = self.read_items(nodes)
        for node in nodes.values():
            # Sections and items sit in separate lists; only non-empty lists are written out.
            children = node.pop("_children")
            items = node.pop("_items")
            if children:
                node["sections"] = children
            if items:
                node["items"] = items
        if SHEET_SECTIONS in self.sheets:
            doc["sections"] = sections
        bonus_cap = doc.pop("_bonus_cap", None)
        if bonus_cap is not None or bonus_items:
            bonus: dict[str, Any] = {}
            if bonus_cap is not None:
                bonus["cap"] = bonus_cap
            bonus["items"] = bonus_items
            doc["bonus"] = bonus
        bands = self.read_bands()
        vetoes = self.read_vetoes()
        prorate = self.read_prorate()
        if vetoes:
            doc["vetoes"] = vetoes
        if bands:
            doc["bands"] = bands
        if prorate:
            doc["prorate"] = prorate
        combine = doc.pop("_combine")
        if combine:
            doc["combine"] = combine
        return doc

    def read_header(self) -> dict[str, Any]:
        doc: dict[str, Any] = {}
        raw = self.sheets.get(SHEET_RUBRIC)
        fields = {c.name: c for c in RUBRIC_FIELDS}
        values: dict[str, Row] = {}
        for index, row_values in enumerate(raw or []):
            if not row_values or row_values[0] is None:
                continue
            key = normalise_name(row_values[0])
            if not key or key.startswith("#") or key in ("field", "key", "字段"):
                continue
            number = index + 1
            value = row_values[1] if len(row_values) > 1 else None
            if isinstance(value, str) and not value.strip():
                value = None
            if key not in fields:
                self.problem(f"rubric row {number}, column field",
                             f"unknown field {_show(str(row_values[0]).strip())} (expected "
                             f"{', '.join(fields)})")
                continue
            if key in values:
                self.problem(f"rubric row {number}, column field",
                             f"field '{key}' already given at row {values[key].number}")
                continue
            values[key] = Row("rubric", number, {f"value ({key})": value})
            self.header_rows[key] = number

        def get(key: str, convert: Any) -> Any:
            row = values.get(key)
            if row is None:
                if fields[key].required and raw is not None:
                    self.problem("rubric sheet", f"no row for required field '{key}'")
                return None
            column = f"value ({key})"
            result = self.cell(row, column, convert)
            if result is None and fields[key].required and row.cells[column] is None:
                self.problem(row.where(column), "empty")
            return result

        fmt = get("format", to_text)
        if fmt is not None:
            if fmt != FORMAT:
                row = values["format"]
                self.problem(row.where("value (format)"),
                             f"format {_show(fmt)} is not supported (expected {FORMAT})")
            doc["format"] = fmt
        for key in ("id", "version"):
            value = get(key, to_text)
            if value is not None:
                doc[key] = value
        for prefix, required in (("name", True), ("description", False)):
            zh = get(f"{prefix}_zh", to_text)
            en = get(f"{prefix}_en", to_text)
            if zh is not None or en is not None:
                if not required and (zh is None or en is None):
                    self.problem("rubric sheet",
                                 f"{prefix} needs both {prefix}_zh and {prefix}_en")
                doc[prefix] = {k: v for k, v in (("zh", zh), ("en", en)) if v is not None}
        source = get("source", to_text)
        if source is not None:
            doc["source"] = source
        places = get("rounding_places", to_int)
        if places is not None:
            doc["rounding"] = {"places": places}
        basis = get("bands_basis", to_text)
        if basis is not None:
            if basis.lower() in BANDS_BASIS:
                doc["bands_basis"] = basis.lower()
            else:
                self.problem(values["bands_basis"].where("value (bands_basis)"),
                             f"unknown bands_basis {_show(basis)} (expected total or percent)")
        doc["_bonus_cap"] = get("bonus_cap", to_number)
        combine: dict[str, Any] = {}
        method = get("combine_method", to_text)
        if method is not None:
            if method.lower() in COMBINE_METHODS:
                combine["method"] = method.lower()
            else:
                self.problem(values["combine_method"].where("value (combine_method)"),
                             f"unknown combine_method {_show(method)} (expected "
                             f"{', '.join(COMBINE_METHODS)})")
        count = get("combine_count", to_int)
        if count is not None:
            combine["count"] = count
        doc["_combine"] = combine
        return doc

    def read_sections(self) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
        rows = self.table(SHEET_SECTIONS, SECTION_COLUMNS) or []
        nodes: dict[str, dict[str, Any]] = {}
        parents: dict[str, tuple[str, Row]] = {}
        order: list[str] = []
        for row in rows:
            code = self.claim_code(row)
            name = self.label(row, "name", required=True)
            cap = self.number(row, "cap")
            parent = self.text(row, "parent")
            if code is None or code in nodes:
                continue
            node: dict[str, Any] = {"code": code}
            if name is not None:
                node["name"] = name
            if cap is not None:
                node["cap"] = cap
            node["_children"] = []
            node["_items"] = []
            nodes[code] = node
            self.row_of[id(node)] = row
            order.append(code)
            if parent is not None:
                parents[code] = (parent, row)
        self.section_codes = set(nodes)
        top: list[dict[str, Any]] = []
        for code in order:
            if code not in parents:
                top.append(nodes[code])
                continue
            parent, row = parents[code]
            if parent not in nodes:
                self.problem(row.where("parent"), f"no section {_show(parent)} in the sections "
                             "sheet")
                continue
            # Walk up: a section must not be its own ancestor, or it hangs nowhere.
            seen = {code}
            up: str | None = parent
            while up is not None and up not in seen:
                seen.add(up)
                up = parents[up][0] if up in parents else None
            if up is not None:
                self.problem(row.where("parent"),
                             f"section {_show(code)} is its own ancestor (parent chain loops)")
                continue
            nodes[parent]["_children"].append(nodes[code])
        return top, nodes

    def read_items(self, nodes: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
        rows = self.table(SHEET_ITEMS, ITEM_COLUMNS) or []
        bonus_items: list[dict[str, Any]] = []
        current_section: str | None = None
        for row in rows:
            is_bonus = self.boolean(row, "bonus") or False
            section = self.text(row, "section")
            if is_bonus:
                if section is not None:
                    self.problem(row.where("section"),
                                 "a bonus item belongs to no section; leave section empty")
            elif section is None:
                # Fill-down: an empty section repeats the row above, which is also how a
                # merged section cell reads.
                section = current_section
                if section is None:
                    self.problem(row.where("section"), "empty (no section above to repeat)")
            else:
                current_section = section
                if section not in nodes:
                    self.problem(row.where("section"),
                                 f"no section {_show(section)} in the sections sheet")
            item = self.read_item(row)
            self.row_of[id(item)] = row
            if is_bonus:
                bonus_items.append(item)
            elif section is not None and section in nodes:
                nodes[section]["_items"].append(item)
        # "when" may name an item further down, so its value is typed once all kinds are known.
        for item, row, target, _raw in self.pending_when:
            kind = self.item_kinds.get(target)
            if kind is None:
                self.problem(row.where("when_item"), f"no item {_show(target)} in the items sheet")
            kind = kind or None  # a bad kind: type the value by the cell alone
            value = self.cell(row, "when_equals", partial(self.equals_value, kind=kind))
            if value is not None:
                item["when"] = {"item": target, "equals": value}
        return bonus_items

    def read_item(self, row: Row) -> dict[str, Any]:
        item: dict[str, Any] = {}
        code = self.claim_code(row)
        if code is not None:
            item["code"] = code
        kind = self.choice(row, "kind", KINDS, required=True)
        if code is not None:
            self.item_kinds.setdefault(code, kind or "")
        if kind is not None:
            item["kind"] = kind
        text = self.label(row, "text", required=True)
        if text is not None:
            item["text"] = text
        guidance = self.label(row, "guidance", required=False)
        if guidance is not None:
            item["guidance"] = guidance
        for column in ("max", "min", "step"):
            value = self.number(row, column)
            if value is not None:
                item[column] = value
        levels = self.read_levels(row)
        if levels is not None:
            item["levels"] = levels
        deductions = self.read_deductions(row)
        if deductions is not None:
            item["deductions"] = deductions
        indicator = self.read_indicator(row)
        if indicator is not None:
            item["indicator"] = indicator
        points_each = self.number(row, "points_each")
        if points_each is not None:
            item["points_each"] = points_each
        max_count = self.integer(row, "max_count")
        if max_count is not None:
            item["max_count"] = max_count
        for column in ("required", "na_allowed", "photo_required", "reason_below_max"):
            flag = self.boolean(row, column)
            if flag is not None:
                item[column] = flag
        evidence = self.read_evidence(row)
        if evidence is not None:
            item["evidence"] = evidence
        when_item = self.text(row, "when_item")
        when_equals = row.cells.get("when_equals")
        if when_item is not None and when_equals is not None:
            self.pending_when.append((item, row, when_item, when_equals))
        elif when_item is not None:
            self.problem(row.where("when_equals"), "empty (when_item needs a value to compare)")
        elif when_equals is not None:
            self.problem(row.where("when_item"), "empty (when_equals needs an item)")
        return item

    def read_evidence(self, row: Row) -> list[str] | None:
        parts = self.cell(row, "evidence", to_list)
        if parts is None:
            return None
        if len(parts) == 1 and parts[0].lower() in EVIDENCE_NONE:
            return []
        methods: list[str] = []
        for part in parts:
            method = EVIDENCE_ALIASES.get(part, part.lower())
            if method not in EVIDENCE:
                self.problem(row.where("evidence"),
                             f"unknown evidence method {_show(part)} (expected "
                             f"{', '.join(EVIDENCE)})")
            elif method in methods:
                self.problem(row.where("evidence"), f"{_show(part)} is listed twice")
            else:
                methods.append(method)
        return methods

    def _entries(self, row: Row, column: str, shape: str,
                 sizes: tuple[int, ...]) -> list[list[str]] | None:
        text = self.text(row, column)
        if text is None:
            return None
        entries = split_entries(text)
        good: list[list[str]] = []
        for number, fields in enumerate(entries, start=1):
            if len(fields) not in sizes:
                hint = ""
                if "：" in text or "；" in text:
                    hint = " (use ASCII ':' and ';', not '：' or '；')"
                self.problem(row.where(column),
                             f"entry {number} {_show(':'.join(fields))} has {len(fields)} "
                             f"parts; write {shape}{hint}")
            else:
                good.append(fields)
        return good

    def _entry_label(self, row: Row, column: str, number: int, zh: str,
                     en: str) -> dict[str, str]:
        if not zh or not en:
            self.problem(row.where(column),
                         f"entry {number}: the label needs both zh and en")
        return {k: v for k, v in (("zh", zh), ("en", en)) if v}

    def _entry_number(self, row: Row, column: str, number: int, what: str, value: str,
                      convert: Any) -> Any:
        try:
            result = convert(value)
        except CellError as exc:
            self.problem(row.where(column), f"entry {number}: {what} {exc}")
            return None
        if result is None:
            self.problem(row.where(column), f"entry {number}: {what} is empty")
        return result

    def read_levels(self, row: Row) -> list[dict[str, Any]] | None:
        entries = self._entries(row, "levels", "code:label_zh:label_en:points", (4,))
        if entries is None:
            return None
        levels: list[dict[str, Any]] = []
        seen: set[str] = set()
        for number, (code, zh, en, points) in enumerate(entries, start=1):
            if not code:
                self.problem(row.where("levels"), f"entry {number}: the level code is empty")
            elif code in seen:
                self.problem(row.where("levels"), f"entry {number}: duplicate level code "
                             f"{_show(code)}")
            seen.add(code)
            level: dict[str, Any] = {"code": code,
                                     "label": self._entry_label(row, "levels", number, zh, en)}
            value = self._entry_number(row, "levels", number, "points", points, to_number)
            if value is not None:
                level["points"] = value
            levels.append(level)
        return levels

    def read_deductions(self, row: Row) -> list[dict[str, Any]] | None:
        entries = self._entries(row, "deductions",
                                "code:label_zh:label_en:points[:max_count]", (4, 5))
        if entries is None:
            return None
        deductions: list[dict[str, Any]] = []
        seen: set[str] = set()
        for number, fields in enumerate(entries, start=1):
            code, zh, en, points = fields[:4]
            if not code:
                self.problem(row.where("deductions"),
                             f"entry {number}: the deduction code is empty")
            elif code in seen:
                self.problem(row.where("deductions"),
                             f"entry {number}: duplicate deduction code {_show(code)}")
            seen.add(code)
            deduction: dict[str, Any] = {
                "code": code, "label": self._entry_label(row, "deductions", number, zh, en)}
            value = self._entry_number(row, "deductions", number, "points", points, to_number)
            if value is not None:
                deduction["points"] = value
            if len(fields) == 5 and fields[4]:
                count = self._entry_number(row, "deductions", number, "max_count", fields[4],
                                           to_int)
                if count is not None:
                    deduction["max_count"] = count
            deductions.append(deduction)
        return deductions

    def read_indicator(self, row: Row) -> dict[str, Any] | None:
        columns = ("numerator_zh", "numerator_en", "denominator_zh", "denominator_en", "rate",
                   "comparator", "target", "tolerance")
        if all(row.cells.get(c) is None for c in columns):
            return None
        indicator: dict[str, Any] = {}
        numerator = self.label(row, "numerator", required=False)
        if numerator is not None:
            indicator["numerator"] = numerator
        denominator = self.label(row, "denominator", required=False)
        if denominator is not None:
            indicator["denominator"] = denominator
        rate = self.boolean(row, "rate")
        if rate is not None:
            indicator["rate"] = rate
        comparator = self.choice(row, "comparator", COMPARATORS, COMPARATOR_ALIASES)
        if comparator is not None:
            indicator["comparator"] = comparator
        for column in ("target", "tolerance"):
            value = self.number(row, column)
            if value is not None:
                indicator[column] = value
        return indicator

    def read_bands(self) -> list[dict[str, Any]]:
        bands: list[dict[str, Any]] = []
        seen: dict[str, int] = {}
        for row in self.table(SHEET_BANDS, BAND_COLUMNS) or []:
            band: dict[str, Any] = {}
            code = self.required_text(row, "code")
            if code is not None:
                if code in seen:
                    self.problem(row.where("code"),
                                 f"duplicate band code {_show(code)} (already at row "
                                 f"{seen[code]})")
                seen.setdefault(code, row.number)
                band["code"] = code
            label = self.label(row, "label", required=True)
            if label is not None:
                band["label"] = label
            minimum = self.number(row, "min")
            if minimum is not None:
                band["min"] = minimum
            inclusive = self.boolean(row, "min_inclusive")
            if inclusive is not None:
                band["min_inclusive"] = inclusive
            bands.append(band)
            self.row_of[id(band)] = row
        self.band_codes = set(seen)
        return bands

    def read_vetoes(self) -> list[dict[str, Any]]:
        vetoes: list[dict[str, Any]] = []
        for row in self.table(SHEET_VETOES, VETO_COLUMNS) or []:
            veto: dict[str, Any] = {}
            code = self.claim_code(row)
            if code is not None:
                veto["code"] = code
            label = self.label(row, "label", required=True)
            if label is not None:
                veto["label"] = label
            trigger: dict[str, Any] = {}
            item = self.required_text(row, "item")
            if item is not None:
                trigger["item"] = item
                if item not in self.item_kinds and SHEET_ITEMS in self.sheets \
                        and SHEET_ITEMS not in self.unusable:
                    self.problem(row.where("item"), f"no item {_show(item)} in the items sheet")
            condition = self.choice(row, "condition", CONDITIONS, required=True)
            raw_value = row.cells.get("value")
            if condition == "equals":
                if raw_value is None:
                    self.problem(row.where("value"), "empty (equals needs a value)")
                else:
                    kind = (self.item_kinds.get(item) or None) if item is not None else None
                    value = self.cell(row, "value", partial(self.equals_value, kind=kind))
                    if value is not None:
                        trigger["equals"] = value
            elif condition == "not_met":
                flag = self.boolean(row, "value")
                trigger["not_met"] = True if flag is None else flag
            elif condition == "award_below":
                threshold = self.number(row, "value")
                if threshold is None and raw_value is None:
                    self.problem(row.where("value"), "empty (award_below needs a number)")
                if threshold is not None:
                    trigger["award_below"] = threshold
            veto["trigger"] = trigger
            effect = self.choice(row, "effect", EFFECTS, required=True)
            band = self.text(row, "cap_band")
            if effect == "fail":
                if band is not None:
                    self.problem(row.where("cap_band"), "must be empty when effect is fail")
                veto["effect"] = "fail"
            elif effect == "cap_band":
                if band is None:
                    self.problem(row.where("cap_band"), "empty (effect cap_band needs a band)")
                else:
                    if self.band_codes and band not in self.band_codes:
                        self.problem(row.where("cap_band"),
                                     f"no band {_show(band)} in the bands sheet")
                    veto["effect"] = {"cap_band": band}
            vetoes.append(veto)
            self.row_of[id(veto)] = row
        return vetoes

    @staticmethod
    def equals_value(value: object, kind: str | None) -> Any:
        """An ``equals`` value typed by the trigger item's kind: pass/fail → bool, numbers for
        points/count, text for a level code. Unknown items keep the cell's own type."""
        if kind == "passfail":
            return to_bool(value)
        if kind in ("points", "count", "indicator", "deduction"):
            return to_number(value)
        if kind in ("level", "text"):
            return to_text(value)
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float):
            return to_number(value)
        return to_text(value)

    def read_prorate(self) -> list[dict[str, Any]]:
        rules: list[dict[str, Any]] = []
        for row in self.table(SHEET_PRORATE, PRORATE_COLUMNS) or []:
            rule: dict[str, Any] = {}
            section = self.required_text(row, "section")
            if section is not None:
                if self.section_codes and section not in self.section_codes:
                    self.problem(row.where("section"),
                                 f"no section {_show(section)} in the sections sheet")
                rule["section"] = section
            rule["unit_types"] = self.cell(row, "unit_types", to_list) or []
            rule["share"] = {
                "numerator": self.cell(row, "numerator", to_list) or [],
                "denominator": self.cell(row, "denominator", to_list) or [],
            }
            rules.append(rule)
            self.row_of[id(rule)] = row
        return rules


# --------------------------------------------------------------------------- entry point


def _load_sheets(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every sheet the layout knows, as raw value rows; openpyxl failures become RubricError."""
    # openpyxl is imported here so importing app.rubric never pays for it.
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    name = path.name
    if not path.exists():
        raise RubricError(f"{name}: file not found", problems=[f"{path}: file not found"])
    if path.is_dir():
        raise RubricError(f"{name}: is a folder, not an .xlsx file")
    wanted = set(REQUIRED_SHEETS) | set(OPTIONAL_SHEETS)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except InvalidFileException as exc:
        raise RubricError(f"{name}: not an .xlsx workbook ({exc})",
                          problems=[f"{name}: not an .xlsx workbook"]) from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile) as exc:
        message = (f"{name}: not an .xlsx workbook (the file is not a zip package: {exc}); "
                   "save it from Excel as 'Excel Workbook (*.xlsx)' without a password")
        raise RubricError(message, problems=[message]) from None
    except OSError as exc:
        raise RubricError(f"{name}: cannot be read ({exc.strerror or exc})") from None
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types on damaged packages
        message = f"{name}: damaged .xlsx workbook ({type(exc).__name__}: {exc})"
        raise RubricError(message, problems=[message]) from None
    try:
        sheets: dict[str, list[tuple[object, ...]]] = {}
        for title in workbook.sheetnames:
            key = normalise_name(title)
            if key not in wanted or key in sheets:
                continue  # other sheets (notes, a help page) are the office's own
            worksheet = workbook[title]
            # Files from other tools often carry a stale <dimension>; don't trust it.
            if hasattr(worksheet, "reset_dimensions"):
                worksheet.reset_dimensions()
            sheets[key] = [tuple(r) for r in worksheet.iter_rows(values_only=True)]
        return sheets
    except Exception as exc:  # noqa: BLE001 - only openpyxl's parsing runs here; a damaged
        # sheet fails with ElementTree, lxml, zlib or zipfile errors depending on the damage.
        message = f"{name}: damaged .xlsx workbook ({type(exc).__name__}: {exc})"
        raise RubricError(message, problems=[message]) from None
    finally:
        workbook.close()


# --------------------------------------------------------------------------- locating problems

_PATH_PART_RE = re.compile(r"\[\d+\]|[^.\[\]]+")
# Header fields by JSON path (first one or two path parts).
_HEADER_FIELDS = {
    ("format",): "format", ("id",): "id", ("version",): "version", ("source",): "source",
    ("bands_basis",): "bands_basis", ("name",): "name_zh", ("name", "zh"): "name_zh",
    ("name", "en"): "name_en", ("description",): "description_zh",
    ("description", "zh"): "description_zh", ("description", "en"): "description_en",
    ("rounding",): "rounding_places", ("rounding", "places"): "rounding_places",
    ("bonus",): "bonus_cap", ("bonus", "cap"): "bonus_cap", ("combine",): "combine_method",
    ("combine", "method"): "combine_method", ("combine", "count"): "combine_count",
}
_LABEL_FIELDS = {"text", "guidance", "name", "label", "numerator", "denominator"}
_SUB_COLUMNS = {
    ("indicator", None): "numerator_zh",
    ("trigger", "item"): "item", ("trigger", "equals"): "value", ("trigger", "not_met"): "value",
    ("trigger", "award_below"): "value", ("trigger", None): "condition",
    ("effect", "cap_band"): "cap_band", ("effect", None): "effect",
    ("when", "item"): "when_item", ("when", "equals"): "when_equals", ("when", None): "when_item",
    ("share", "numerator"): "numerator", ("share", "denominator"): "denominator",
    ("share", None): "numerator",
}


def _join_path(parts: Sequence[str]) -> str:
    out = ""
    for part in parts:
        out += part if part.startswith("[") or not out else f".{part}"
    return out


def _column_of(sheet: str, rest: Sequence[str]) -> tuple[str | None, str]:
    """The column holding the rest of a JSON path inside one row, and a prefix for the message
    (``levels[1].points`` -> ``levels``, ``entry 2: ``; ``text.en`` -> ``text_en``)."""
    names = [p for p in rest if not p.startswith("[")]
    if not names:
        return None, ""
    first = names[0]
    if first in ("levels", "deductions"):
        index = next((p for p in rest[1:2] if p.startswith("[")), None)
        # Same wording as the reader's own problems in these cells.
        return first, "" if index is None else f"entry {int(index[1:-1]) + 1}: "
    return _plain_column(sheet, names), ""


def _plain_column(sheet: str, names: Sequence[str]) -> str | None:
    columns = {c.name for c in TABLES.get(sheet, ())}
    first = names[0]
    if first == "indicator" and len(names) > 1:
        first, names = names[1], names[1:]
        if first not in _LABEL_FIELDS:
            return first if first in columns else None
    if first in _LABEL_FIELDS:
        language = names[1] if len(names) > 1 and names[1] in ("zh", "en") else "zh"
        return f"{first}_{language}"
    sub = _SUB_COLUMNS.get((first, names[1] if len(names) > 1 else None))
    if sub is not None:
        return sub
    return first if first in columns else None


@dataclass
class Locator:
    """Maps a validator place (``sections[0].items[3].max``) to a row and column of the sheet."""

    places: dict[str, tuple[str, int]]
    header_rows: dict[str, int]

    def where(self, place: str) -> str | None:
        where, _ = self._where(place)
        return where

    def _where(self, place: str) -> tuple[str | None, str]:
        parts = _PATH_PART_RE.findall(place)
        for cut in range(len(parts), 0, -1):
            found = self.places.get(_join_path(parts[:cut]))
            if found is not None:
                sheet, number = found
                column, prefix = _column_of(sheet, parts[cut:])
                where = f"{sheet} row {number}" + (f", column {column}" if column else "")
                return where, prefix
        names = tuple(p for p in parts if not p.startswith("["))
        field = _HEADER_FIELDS.get(names[:2]) or _HEADER_FIELDS.get(names[:1])
        if field is not None:
            header_row = self.header_rows.get(field)
            if header_row is None:
                return f"rubric sheet, field {field}", ""
            return f"rubric row {header_row}, column value ({field})", ""
        if names and names[0] in (SHEET_BANDS, SHEET_VETOES, SHEET_PRORATE, SHEET_SECTIONS):
            return f"{names[0]} sheet", ""
        if names[:2] == ("bonus", "items"):
            return "items sheet", ""
        return None, ""

    def locate(self, problem: str) -> str:
        """``"<place>: <message>"`` with the place turned into sheet/row/column when known."""
        place, sep, message = problem.partition(": ")
        if not sep:
            return problem
        where, prefix = self._where(place)
        return f"{where}: {prefix}{message}" if where else problem


def _places(doc: dict[str, Any], row_of: dict[int, Row]) -> dict[str, tuple[str, int]]:
    places: dict[str, tuple[str, int]] = {}

    def mark(obj: Any, place: str) -> None:
        row = row_of.get(id(obj))
        if row is not None:
            places[place] = (row.sheet, row.number)

    def items(entries: list[Any], prefix: str) -> None:
        for index, item in enumerate(entries):
            mark(item, f"{prefix}[{index}]")

    def sections(entries: list[Any], prefix: str) -> None:
        for index, section in enumerate(entries):
            place = f"{prefix}[{index}]"
            mark(section, place)
            sections(section.get("sections", []), f"{place}.sections")
            items(section.get("items", []), f"{place}.items")

    sections(doc.get("sections", []), "sections")
    items(doc.get("bonus", {}).get("items", []), "bonus.items")
    for key in (SHEET_BANDS, SHEET_VETOES, SHEET_PRORATE):
        items(doc.get(key, []), key)
    return places


def read_sheets(sheets: dict[str, list[tuple[object, ...]]],
                name: str = "workbook") -> tuple[dict[str, Any], Locator]:
    """Convert raw sheet rows (normalised sheet name -> rows of values) into a document and
    the locator of its parts."""
    reader = _Reader(sheets)
    doc = reader.read()
    if reader.problems:
        count = len(reader.problems)
        noun = "problem" if count == 1 else "problems"
        raise RubricError(f"{name}: {count} {noun} in the workbook; first: {reader.problems[0]}",
                          problems=reader.problems)
    return doc, Locator(_places(doc, reader.row_of), reader.header_rows)


def read_xlsx_located(path: str | Path) -> tuple[dict[str, Any], Locator]:
    """Like ``read_xlsx``, with a Locator that turns JSON places into sheet rows."""
    path = Path(path)
    return read_sheets(_load_sheets(path), path.name)


def read_xlsx(path: str | Path) -> dict[str, Any]:
    """Read an .xlsx rubric workbook into a ``fieldmark.rubric/1`` document dict.

    Raises RubricError listing every problem found (each names sheet, row and column).
    """
    return read_xlsx_located(path)[0]
