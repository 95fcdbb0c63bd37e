"""Write a ``fieldmark.rubric/1`` document as an .xlsx workbook in the authoring layout.

The column specs come from ``xlsx_read`` so what is written is exactly what is read back:
doc -> xlsx -> doc gives an equal dict. A field the layout cannot hold is refused with a
RubricError naming its JSON path, never dropped silently.
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.errors import RubricError
from app.rubric.xlsx_read import (
    BAND_COLUMNS,
    BANDS_BASIS,
    COMBINE_METHODS,
    ITEM_COLUMNS,
    PRORATE_COLUMNS,
    RUBRIC_FIELDS,
    SECTION_COLUMNS,
    SHEET_BANDS,
    SHEET_ITEMS,
    SHEET_PRORATE,
    SHEET_RUBRIC,
    SHEET_SECTIONS,
    SHEET_VETOES,
    VETO_COLUMNS,
    Column,
    escape_part,
)

TOP_KEYS = {"format", "id", "version", "name", "description", "source", "rounding",
            "bands_basis", "sections", "bonus", "vetoes", "bands", "prorate", "combine"}
SECTION_KEYS = {"code", "name", "cap", "sections", "items"}
ITEM_KEYS = {"code", "kind", "text", "guidance", "required", "na_allowed", "photo_required",
             "evidence", "reason_below_max", "min", "max", "step", "deductions", "levels",
             "indicator", "points_each", "max_count", "when"}
LEVEL_KEYS = {"code", "label", "points"}
DEDUCTION_KEYS = {"code", "label", "points", "max_count"}
INDICATOR_KEYS = {"numerator", "denominator", "rate", "comparator", "target", "tolerance"}
BAND_KEYS = {"code", "label", "min", "min_inclusive"}
VETO_KEYS = {"code", "label", "trigger", "effect"}
TRIGGER_CONDITIONS = ("equals", "not_met", "award_below")
PRORATE_KEYS = {"section", "unit_types", "share"}
LABEL_KEYS = {"zh", "en"}

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


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, path: str, detail: str) -> None:
        self.items.append(f"{path}: {detail}")

    def keys(self, obj: Any, allowed: set[str], path: str) -> bool:
        if not isinstance(obj, dict):
            self.add(path, f"expected an object, got {type(obj).__name__}")
            return False
        for key in sorted(set(obj) - allowed):
            self.add(f"{path}.{key}", "the spreadsheet layout has no place for this field")
        return True


# --------------------------------------------------------------------------- cell values


def _number_cell(value: Any, path: str, problems: _Problems) -> Any:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        problems.add(path, f"{value!r} is not a number")
        return None
    if isinstance(value, Decimal):
        value = int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, float) and len(Decimal(repr(value)).as_tuple().digits) > 15:
        # Excel keeps 15 significant digits; a longer float travels as text to stay exact.
        return repr(value)
    return value


def _text_cell(value: Any, path: str, problems: _Problems) -> Any:
    if value is None:
        return None
    if not isinstance(value, str):
        problems.add(path, f"{value!r} is not text")
        return None
    if value != value.strip():
        # The reader strips cells (offices type stray spaces), so this would not round-trip.
        problems.add(path, f"{value!r} has leading or trailing spaces")
    return value


def _bool_cell(value: Any, path: str, problems: _Problems) -> Any:
    if value is None:
        return None
    if not isinstance(value, bool):
        problems.add(path, f"{value!r} is not true/false")
        return None
    return "yes" if value else "no"


def _list_cell(value: Any, path: str, problems: _Problems, *, empty: str = "") -> Any:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.add(path, "expected a list of strings")
        return None
    for part in value:
        if any(sep in part for sep in ",，、;；\n") or part != part.strip() or not part:
            problems.add(path, f"{part!r} cannot be written in a comma list")
    return ", ".join(value) if value else empty


# --------------------------------------------------------------------------- doc -> rows


def _kinds(doc: dict[str, Any]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []

    def items(entries: Any) -> None:
        for item in entries if isinstance(entries, list) else []:
            if isinstance(item, dict) and isinstance(item.get("code"), str) \
                    and isinstance(item.get("kind"), str):
                found.append((item["code"], item["kind"]))

    def sections(entries: Any) -> None:
        for section in entries if isinstance(entries, list) else []:
            if isinstance(section, dict):
                items(section.get("items"))
                sections(section.get("sections"))

    sections(doc.get("sections"))
    bonus = doc.get("bonus")
    if isinstance(bonus, dict):
        items(bonus.get("items"))
    return found


class _Flattener:
    """Turns the document into plain row dicts per sheet, checking what the layout can hold."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.problems = _Problems()
        # "equals" cells are read back typed by the compared item's kind, so the writer checks
        # against the same kinds; "when" may point forward, hence the pass over the whole doc.
        self.item_kinds: dict[str, str] = dict(_kinds(doc))

    def label(self, row: dict[str, Any], prefix: str, label: Any, path: str) -> None:
        if label is None:
            return
        if not self.problems.keys(label, LABEL_KEYS, path):
            return
        row[f"{prefix}_zh"] = _text_cell(label.get("zh"), f"{path}.zh", self.problems)
        row[f"{prefix}_en"] = _text_cell(label.get("en"), f"{path}.en", self.problems)

    def header(self, doc: dict[str, Any]) -> dict[str, Any]:
        p = self.problems
        values: dict[str, Any] = {}
        for key in ("format", "id", "version", "source", "bands_basis"):
            values[key] = _text_cell(doc.get(key), key, p)
        self.label(values, "name", doc.get("name"), "name")
        self.label(values, "description", doc.get("description"), "description")
        rounding = doc.get("rounding")
        if rounding is not None and p.keys(rounding, {"places"}, "rounding"):
            values["rounding_places"] = _number_cell(rounding.get("places"), "rounding.places", p)
        bonus = doc.get("bonus")
        if bonus is not None and p.keys(bonus, {"cap", "items"}, "bonus"):
            values["bonus_cap"] = _number_cell(bonus.get("cap"), "bonus.cap", p)
            if "items" not in bonus:
                p.add("bonus.items", "missing: the layout always reads bonus items as a list")
        combine = doc.get("combine")
        if combine is not None and p.keys(combine, {"method", "count"}, "combine"):
            values["combine_method"] = _text_cell(combine.get("method"), "combine.method", p)
            values["combine_count"] = _number_cell(combine.get("count"), "combine.count", p)
        return values

    def sections(self, sections: Any, parent: str | None, path: str,
                 section_rows: list[dict[str, Any]], item_rows: list[dict[str, Any]]) -> None:
        p = self.problems
        if not isinstance(sections, list):
            p.add(path, "expected a list")
            return
        for index, section in enumerate(sections):
            where = f"{path}[{index}]"
            if not p.keys(section, SECTION_KEYS, where):
                continue
            code = _text_cell(section.get("code"), f"{where}.code", p)
            row: dict[str, Any] = {"code": code, "parent": parent,
                                   "cap": _number_cell(section.get("cap"), f"{where}.cap", p)}
            self.label(row, "name", section.get("name"), f"{where}.name")
            section_rows.append(row)
            for name in ("sections", "items"):
                if section.get(name) == []:
                    p.add(f"{where}.{name}", "an empty list cannot be written; leave it out")
            # A section's own items come before its sub-sections' items: the engine's item
            # order, so the sheet reads top to bottom like the checklist.
            items = section.get("items", [])
            if not isinstance(items, list):
                p.add(f"{where}.items", "expected a list")
                items = []
            for item_index, item in enumerate(items):
                item_row = self.item(item, f"{where}.items[{item_index}]")
                if item_row is not None:
                    item_row["section"] = code
                    item_rows.append(item_row)
            self.sections(section.get("sections", []), code, f"{where}.sections", section_rows,
                          item_rows)

    def item(self, item: Any, path: str) -> dict[str, Any] | None:
        p = self.problems
        if not p.keys(item, ITEM_KEYS, path):
            return None
        row: dict[str, Any] = {
            "code": _text_cell(item.get("code"), f"{path}.code", p),
            "kind": _text_cell(item.get("kind"), f"{path}.kind", p),
        }
        self.label(row, "text", item.get("text"), f"{path}.text")
        self.label(row, "guidance", item.get("guidance"), f"{path}.guidance")
        for key in ("max", "min", "step", "points_each"):
            row[key] = _number_cell(item.get(key), f"{path}.{key}", p)
        for key in ("required", "na_allowed", "photo_required", "reason_below_max"):
            row[key] = _bool_cell(item.get(key), f"{path}.{key}", p)
        count = item.get("max_count")
        if count is not None and (isinstance(count, bool) or not isinstance(count, int)):
            p.add(f"{path}.max_count", f"{count!r} is not a whole number")
        else:
            row["max_count"] = count
        row["evidence"] = _list_cell(item.get("evidence"), f"{path}.evidence", p, empty="none")
        when = item.get("when")
        if when is not None and p.keys(when, {"item", "equals"}, f"{path}.when"):
            row["when_item"] = _text_cell(when.get("item"), f"{path}.when.item", p)
            if "item" not in when or "equals" not in when:
                p.add(f"{path}.when", "needs both item and equals")
            else:
                row["when_equals"] = self.equals_cell(when["equals"], when.get("item"),
                                                      f"{path}.when.equals")
        row["levels"] = self.entries(item.get("levels"), LEVEL_KEYS, f"{path}.levels")
        row["deductions"] = self.entries(item.get("deductions"), DEDUCTION_KEYS,
                                         f"{path}.deductions")
        indicator = item.get("indicator")
        if indicator is not None and p.keys(indicator, INDICATOR_KEYS, f"{path}.indicator"):
            where = f"{path}.indicator"
            self.label(row, "numerator", indicator.get("numerator"), f"{where}.numerator")
            self.label(row, "denominator", indicator.get("denominator"), f"{where}.denominator")
            row["rate"] = _bool_cell(indicator.get("rate"), f"{where}.rate", p)
            row["comparator"] = _text_cell(indicator.get("comparator"), f"{where}.comparator", p)
            row["target"] = _number_cell(indicator.get("target"), f"{where}.target", p)
            row["tolerance"] = _number_cell(indicator.get("tolerance"), f"{where}.tolerance", p)
            if all(row.get(k) is None for k in ("numerator_zh", "numerator_en", "denominator_zh",
                                                "denominator_en", "rate", "comparator",
                                                "target", "tolerance")):
                p.add(where, "an empty indicator object cannot be written; leave it out")
        return row

    def entries(self, entries: Any, allowed: set[str], path: str) -> str | None:
        """Levels or deductions in the ``code:zh:en:points[:max_count]; …`` mini-syntax."""
        p = self.problems
        if entries is None:
            return None
        if not isinstance(entries, list) or not entries:
            p.add(path, "expected a non-empty list")
            return None
        parts: list[str] = []
        for index, entry in enumerate(entries):
            where = f"{path}[{index}]"
            if not p.keys(entry, allowed, where):
                continue
            label = entry.get("label") or {}
            if not isinstance(label, dict) or set(label) - LABEL_KEYS:
                p.add(f"{where}.label", "expected {zh, en}")
                label = {}
            fields = [entry.get("code"), label.get("zh"), label.get("en")]
            for name, value in zip(("code", "label.zh", "label.en"), fields, strict=True):
                if not isinstance(value, str) or not value or value != value.strip():
                    p.add(f"{where}.{name}", f"{value!r} cannot be written (needs trimmed text)")
            points = _number_cell(entry.get("points"), f"{where}.points", p)
            if points is None:
                p.add(f"{where}.points", "missing")
            texts = [escape_part(v) if isinstance(v, str) else "" for v in fields]
            texts.append("" if points is None else str(points))
            if "max_count" in entry:
                count = entry["max_count"]
                if isinstance(count, bool) or not isinstance(count, int):
                    p.add(f"{where}.max_count", f"{count!r} is not a whole number")
                texts.append(str(count))
            parts.append(":".join(texts))
        return "; ".join(parts)

    def bands(self, bands: Any) -> list[dict[str, Any]]:
        p = self.problems
        rows: list[dict[str, Any]] = []
        if not isinstance(bands, list):
            p.add("bands", "expected a list")
            return rows
        for index, band in enumerate(bands):
            where = f"bands[{index}]"
            if not p.keys(band, BAND_KEYS, where):
                continue
            row = {"code": _text_cell(band.get("code"), f"{where}.code", p),
                   "min": _number_cell(band.get("min"), f"{where}.min", p),
                   "min_inclusive": _bool_cell(band.get("min_inclusive"),
                                               f"{where}.min_inclusive", p)}
            self.label(row, "label", band.get("label"), f"{where}.label")
            rows.append(row)
        return rows

    def vetoes(self, vetoes: Any) -> list[dict[str, Any]]:
        p = self.problems
        rows: list[dict[str, Any]] = []
        if not isinstance(vetoes, list):
            p.add("vetoes", "expected a list")
            return rows
        for index, veto in enumerate(vetoes):
            where = f"vetoes[{index}]"
            if not p.keys(veto, VETO_KEYS, where):
                continue
            row: dict[str, Any] = {"code": _text_cell(veto.get("code"), f"{where}.code", p)}
            self.label(row, "label", veto.get("label"), f"{where}.label")
            trigger = veto.get("trigger")
            allowed = {"item", *TRIGGER_CONDITIONS}
            if p.keys(trigger, allowed, f"{where}.trigger"):
                row["item"] = _text_cell(trigger.get("item"), f"{where}.trigger.item", p)
                conditions = [c for c in TRIGGER_CONDITIONS if c in trigger]
                if len(conditions) != 1:
                    p.add(f"{where}.trigger", "needs exactly one of equals, not_met, award_below")
                else:
                    condition = conditions[0]
                    row["condition"] = condition
                    value = trigger[condition]
                    if condition == "equals":
                        row["value"] = self.equals_cell(value, trigger.get("item"),
                                                        f"{where}.trigger.equals")
                    elif condition == "not_met":
                        # not_met: true is the normal form; an empty cell reads back as true.
                        if value is not True:
                            row["value"] = _bool_cell(value, f"{where}.trigger.not_met", p)
                    else:
                        row["value"] = _number_cell(value, f"{where}.trigger.award_below", p)
            effect = veto.get("effect")
            if effect == "fail":
                row["effect"] = "fail"
            elif isinstance(effect, dict) and set(effect) == {"cap_band"}:
                row["effect"] = "cap_band"
                row["cap_band"] = _text_cell(effect["cap_band"], f"{where}.effect.cap_band", p)
            else:
                p.add(f"{where}.effect", f"{effect!r} is neither 'fail' nor {{'cap_band': …}}")
            rows.append(row)
        return rows

    def equals_cell(self, value: Any, item: Any, path: str) -> Any:
        kind = self.item_kinds.get(item) if isinstance(item, str) else None
        if isinstance(value, bool):
            if kind not in (None, "passfail"):
                self.problems.add(path, f"true/false cannot be compared with a {kind} item")
            # yes/no like every other flag column; an Excel TRUE/FALSE when the item is unknown,
            # since only then the reader goes by the cell's own type.
            return value if kind is None else ("yes" if value else "no")
        if isinstance(value, int | float):
            if kind in ("level", "text", "passfail"):
                self.problems.add(path, f"a number reads back as text for a {kind} item")
            return _number_cell(value, path, self.problems)
        if isinstance(value, str):
            if kind in ("points", "count", "indicator", "deduction", "passfail"):
                self.problems.add(path, f"text cannot be compared with a {kind} item")
            return _text_cell(value, path, self.problems)
        self.problems.add(path, f"{value!r} cannot be written in one cell")
        return None

    def prorate(self, rules: Any) -> list[dict[str, Any]]:
        p = self.problems
        rows: list[dict[str, Any]] = []
        if not isinstance(rules, list):
            p.add("prorate", "expected a list")
            return rows
        for index, rule in enumerate(rules):
            where = f"prorate[{index}]"
            if not p.keys(rule, PRORATE_KEYS, where):
                continue
            row = {"section": _text_cell(rule.get("section"), f"{where}.section", p),
                   "unit_types": _list_cell(rule.get("unit_types"), f"{where}.unit_types", p)}
            if "unit_types" not in rule:
                p.add(f"{where}.unit_types", "missing: the layout always reads a list")
            share = rule.get("share")
            if p.keys(share, {"numerator", "denominator"}, f"{where}.share"):
                for key in ("numerator", "denominator"):
                    if key not in share:
                        p.add(f"{where}.share.{key}", "missing: the layout always reads a list")
                    row[key] = _list_cell(share.get(key), f"{where}.share.{key}", p)
            rows.append(row)
        return rows


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
    if not isinstance(doc, dict):
        raise RubricError("cannot write the rubric as a workbook: not an object")
    flat = _Flattener(doc)
    flat.problems.keys(doc, TOP_KEYS, "document")
    header = flat.header(doc)
    section_rows: list[dict[str, Any]] = []
    item_rows: list[dict[str, Any]] = []
    flat.sections(doc.get("sections", []), None, "sections", section_rows, item_rows)
    bonus = doc.get("bonus")
    if isinstance(bonus, dict) and isinstance(bonus.get("items"), list):
        for index, item in enumerate(bonus["items"]):
            row = flat.item(item, f"bonus.items[{index}]")
            if row is not None:
                row["bonus"] = "yes"
                item_rows.append(row)
    bands = flat.bands(doc["bands"]) if "bands" in doc else []
    vetoes = flat.vetoes(doc["vetoes"]) if "vetoes" in doc else []
    prorate = flat.prorate(doc["prorate"]) if "prorate" in doc else []
    for key in ("bands", "vetoes", "prorate"):
        if doc.get(key) == []:
            flat.problems.add(key, "an empty list cannot be written; leave it out")
    if flat.problems.items:
        problems = flat.problems.items
        raise RubricError(f"cannot write the rubric as a workbook: {problems[0]}",
                          problems=problems)

    wb = Workbook()
    try:
        _rubric_sheet(wb, header)
        _table_sheet(wb, SHEET_SECTIONS, SECTION_COLUMNS, section_rows)
        _table_sheet(wb, SHEET_ITEMS, ITEM_COLUMNS, item_rows, freeze="C2")
        _table_sheet(wb, SHEET_BANDS, BAND_COLUMNS, bands)
        _table_sheet(wb, SHEET_VETOES, VETO_COLUMNS, vetoes)
        _table_sheet(wb, SHEET_PRORATE, PRORATE_COLUMNS, prorate)
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
