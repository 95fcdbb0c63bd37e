"""Turn a validator place (``sections[0].items[3].max``) into its sheet, row and column.

``validate_document`` speaks in JSON paths; an office author edits a workbook. The reader records
the row of every object it produces, and the Locator maps the paths back onto those rows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from app.rubric.xlsx_columns import (
    SHEET_BANDS,
    SHEET_PRORATE,
    SHEET_SECTIONS,
    SHEET_VETOES,
    TABLES,
)
from app.rubric.xlsx_rows import Header, Row

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
    # The header of each table sheet, to name a column by its letter and header as written.
    headers: dict[str, Header] = field(default_factory=dict)
    # What the reader accepted other than as written ("10分" read as 10), each by its cell.
    notes: list[str] = field(default_factory=list)

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
                header = self.headers.get(sheet)
                if column and header is not None:
                    column = header.column(column)
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


def places_of(doc: dict[str, Any], row_of: dict[int, Row]) -> dict[str, tuple[str, int]]:
    """The JSON place of every object the reader produced, mapped to its sheet and row."""
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
