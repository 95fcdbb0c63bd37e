"""Rows of a table sheet and the reader's common ground: problems, typed cells, shared codes.

``RowReader`` holds the state of one workbook read; the sheet readers (``xlsx_items``,
``xlsx_rules``, ``xlsx_read``) build on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app.rubric.xlsx_cells import CellError, show, to_bool, to_int, to_number, to_text
from app.rubric.xlsx_columns import HEADER_SEARCH_ROWS, Column, normalise_name


@dataclass
class Row:
    """One data row of a table sheet: its Excel row number and cells by column name."""

    sheet: str
    number: int
    cells: dict[str, object]

    def where(self, column: str) -> str:
        return f"{self.sheet} row {self.number}, column {column}"


class RowReader:
    """One read of a workbook: the raw sheets, the problems found so far, and what the sheets
    share (the code namespace, item kinds, the row each produced object came from)."""

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
        # (sheet, column) -> (who needs it, the rows that do): an optional column the sheet lacks
        # is one problem, however many rows need it, not one per row (see ``needs``).
        self.missing_columns: dict[tuple[str, str], tuple[dict[str, None], list[int]]] = {}

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

    def number(self, row: Row, column: str) -> int | Decimal | None:
        return self.cell(row, column, to_number)

    def integer(self, row: Row, column: str) -> int | None:
        return self.cell(row, column, to_int)

    def boolean(self, row: Row, column: str) -> bool | None:
        return self.cell(row, column, to_bool)

    def needs(self, row: Row, column: str, who: str) -> bool:
        """Whether the row's sheet has ``column``, which this row needs (``who`` says why, e.g.
        "points items"). When the header lacks it, the row is only counted here, and
        ``report_missing_columns`` writes one problem for the whole column."""
        if column in row.cells:
            return True
        whos, rows = self.missing_columns.setdefault((row.sheet, column), ({}, []))
        whos[who] = None
        if row.number not in rows:
            rows.append(row.number)
        return False

    def report_missing_columns(self) -> None:
        for (sheet, column), (whos, rows) in self.missing_columns.items():
            shown = ", ".join(map(str, rows[:5])) + (f" and {len(rows) - 5} more" if len(rows) > 5 else "")
            self.problem(f"{sheet} sheet", f"missing column '{column}', needed by {', '.join(whos)} "
                         f"(row{'s' if len(rows) > 1 else ''} {shown})")

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
                     f"unknown {column} {show(value)} (expected one of {', '.join(choices)})")
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
            missing, given = (f"{prefix}_zh", f"{prefix}_en") if zh is None else (f"{prefix}_en", f"{prefix}_zh")
            if self.needs(row, missing, f"rows with a {given}"):
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
                         f"duplicate code {show(code)} (already used at {self.codes[code]})")
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
                             f"unknown column {show(str(value).strip())} (expected "
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
