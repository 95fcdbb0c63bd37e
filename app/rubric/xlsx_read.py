"""Read a rubric authored in Excel (.xlsx) into a ``fieldmark.rubric/1`` document dict.

The layout (sheets, columns, cell conventions) is described in docs/rubrics.md, section
"Spreadsheet layout", and defined once in ``xlsx_columns`` as column specs that the writer
reuses, so the two directions cannot drift apart. Cell conversion (and how numbers are read) is
in ``xlsx_cells``.

The reader converts cells faithfully and reports spreadsheet-level problems (a missing sheet or
column, a bad number or boolean, an unknown kind, a duplicate code, a reference to a section that
does not exist), each naming the sheet, row and column. Semantic rules of the format (band order,
level points, …) stay with ``app.rubric.validate``; the reader only adds checks that it can
phrase better because it knows the row.

This module opens the workbook, reads the rubric and sections sheets and assembles the document;
the items sheet is read in ``xlsx_items``, bands/vetoes/prorate in ``xlsx_rules``.
"""

from __future__ import annotations

import re
import warnings
import zipfile
from pathlib import Path
from typing import Any

from app.errors import RubricError
from app.rubric.xlsx_cells import (
    CellError,
    escape_part,
    show,
    split_entries,
    to_bool,
    to_int,
    to_list,
    to_number,
    to_text,
)
from app.rubric.xlsx_columns import (
    BAND_COLUMNS,
    BANDS_BASIS,
    COMBINE_METHODS,
    FORMAT,
    ITEM_COLUMNS,
    KINDS,
    OPTIONAL_SHEETS,
    PRORATE_COLUMNS,
    REQUIRED_SHEETS,
    RUBRIC_FIELDS,
    SECTION_COLUMNS,
    SHEET_BANDS,
    SHEET_ITEMS,
    SHEET_PRORATE,
    SHEET_RUBRIC,
    SHEET_SECTIONS,
    SHEET_VETOES,
    TABLES,
    VETO_COLUMNS,
    Column,
    match_header,
    normalise_name,
)
from app.rubric.xlsx_items import ItemReader
from app.rubric.xlsx_locate import Locator, places_of
from app.rubric.xlsx_rows import Row, SheetExtras
from app.rubric.xlsx_rules import RuleReader

# The reading API, and the layout and cell names that lived here before the split (tests and
# callers import them from this module).
__all__ = [
    "read_xlsx", "read_xlsx_located", "read_sheets", "Locator", "Row", "Column", "CellError",
    "escape_part", "split_entries", "to_bool", "to_int", "to_list", "to_number", "to_text",
    "normalise_name", "FORMAT", "KINDS", "BANDS_BASIS", "COMBINE_METHODS", "REQUIRED_SHEETS",
    "OPTIONAL_SHEETS", "TABLES", "RUBRIC_FIELDS", "SECTION_COLUMNS", "ITEM_COLUMNS",
    "BAND_COLUMNS", "VETO_COLUMNS", "PRORATE_COLUMNS", "SHEET_RUBRIC", "SHEET_SECTIONS",
    "SHEET_ITEMS", "SHEET_BANDS", "SHEET_VETOES", "SHEET_PRORATE",
]


class _Reader(ItemReader, RuleReader):
    """One workbook read: the rubric and sections sheets here, the rest from the base readers."""

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
        self.report_missing_columns()
        self.check_standards()
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
            if not key or key.startswith("#") or set(key.split("_")) & {"field", "key", "字段"}:
                continue
            # "名称 name_zh" as the writer puts it, or either half alone.
            key = match_header(row_values[0], RUBRIC_FIELDS) or key
            number = index + 1
            value = row_values[1] if len(row_values) > 1 else None
            if isinstance(value, str) and not value.strip():
                value = None
            if key not in fields:
                self.problem(f"rubric row {number}, column field",
                             f"unknown field {show(str(row_values[0]).strip())} (expected "
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
                             f"format {show(fmt)} is not supported (expected {FORMAT})")
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
                             f"unknown bands_basis {show(basis)} (expected total or percent)")
        doc["_bonus_cap"] = get("bonus_cap", to_number)
        combine: dict[str, Any] = {}
        method = get("combine_method", to_text)
        if method is not None:
            if method.lower() in COMBINE_METHODS:
                combine["method"] = method.lower()
            else:
                self.problem(values["combine_method"].where("value (combine_method)"),
                             f"unknown combine_method {show(method)} (expected "
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
                self.problem(row.where("parent"), f"no section {show(parent)} in the sections "
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
                             f"section {show(code)} is its own ancestor (parent chain loops)")
                continue
            nodes[parent]["_children"].append(nodes[code])
        return top, nodes


# --------------------------------------------------------------------------- entry point


_MERGE_RE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*\bref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
_FORMULA_CELL_RE = re.compile(
    rb'<(?:\w+:)?c\b([^>]*)>\s*<(?:\w+:)?f\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?f>)'
    rb'\s*(<(?:\w+:)?v\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?v>))?', re.S)
_REF_RE = re.compile(rb'\br="([A-Z]+)(\d+)"')


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ch - 64
    return number


def _sheet_extras(xml: bytes) -> SheetExtras:
    """Merged ranges and formula cells of a sheet, found in its XML (the read-only workbook
    that reads the values fast does not keep them): a regex pass, far cheaper than a second,
    full load of the workbook."""
    merges = []
    for match in _MERGE_RE.finditer(xml):
        first_col, first_row, last_col, last_row = match.groups()
        merges.append((int(first_row), _column_number(first_col),
                       int(last_row or first_row), _column_number(last_col or first_col)))
    formulas: dict[tuple[int, int], tuple[str, bool]] = {}
    for match in _FORMULA_CELL_RE.finditer(xml):
        ref = _REF_RE.search(match.group(1))
        if ref is None:
            continue
        text = (match.group(3) or b"").decode("utf-8", "replace")
        saved = bool(match.group(5))
        formulas[(int(ref.group(2)), _column_number(ref.group(1)))] = (text, saved)
    return SheetExtras(tuple(merges), formulas)


Loaded = tuple[dict[str, list[tuple[object, ...]]], dict[str, SheetExtras]]


def _load_sheets(path: Path) -> Loaded:
    """Every sheet the layout knows, as raw value rows (formulas as their saved results), and
    its merged ranges and formula cells; openpyxl failures become RubricError."""
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
        with warnings.catch_warnings():
            # openpyxl warns about parts it does not keep (a print area of whole columns as
            # LibreOffice saves it, extensions); none of them holds rubric data.
            warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
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
        extras: dict[str, SheetExtras] = {}
        for title in workbook.sheetnames:
            key = normalise_name(title)
            if key not in wanted or key in sheets:
                continue  # other sheets (notes, a help page) are the office's own
            worksheet = workbook[title]
            # Files from other tools often carry a stale <dimension>; don't trust it.
            if hasattr(worksheet, "reset_dimensions"):
                worksheet.reset_dimensions()
            sheets[key] = [tuple(r) for r in worksheet.iter_rows(values_only=True)]
            source = getattr(worksheet, "_get_source", None)
            if source is not None:
                with source() as stream:
                    extras[key] = _sheet_extras(stream.read())
        return sheets, extras
    except Exception as exc:  # noqa: BLE001 - only openpyxl's parsing runs here; a damaged
        # sheet fails with ElementTree, lxml, zlib or zipfile errors depending on the damage.
        message = f"{name}: damaged .xlsx workbook ({type(exc).__name__}: {exc})"
        raise RubricError(message, problems=[message]) from None
    finally:
        workbook.close()


def read_sheets(sheets: dict[str, list[tuple[object, ...]]], name: str = "workbook",
                extras: dict[str, SheetExtras] | None = None) -> tuple[dict[str, Any], Locator]:
    """Convert raw sheet rows (normalised sheet name -> rows of values) into a document and
    the locator of its parts; ``extras`` are the sheets' merged ranges and formula cells."""
    reader = _Reader(sheets, extras)
    doc = reader.read()
    if reader.problems:
        count = len(reader.problems)
        noun = "problem" if count == 1 else "problems"
        # The headline counts; the problems say what (a caller that lists them would otherwise
        # show the first one twice).
        raise RubricError(f"{name}: {count} {noun} in the workbook", problems=reader.problems)
    return doc, Locator(places_of(doc, reader.row_of), reader.header_rows, reader.headers,
                        reader.notes)


def read_xlsx_located(path: str | Path) -> tuple[dict[str, Any], Locator]:
    """Like ``read_xlsx``, with a Locator that turns JSON places into sheet rows."""
    path = Path(path)
    sheets, extras = _load_sheets(path)
    return read_sheets(sheets, path.name, extras)


def read_xlsx(path: str | Path) -> dict[str, Any]:
    """Read an .xlsx rubric workbook into a ``fieldmark.rubric/1`` document dict.

    Raises RubricError listing every problem found (each names sheet, row and column).
    """
    return read_xlsx_located(path)[0]
