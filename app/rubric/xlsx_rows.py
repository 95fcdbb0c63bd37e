"""Rows of a table sheet and the reader's common ground: problems, typed cells, shared codes.

``RowReader`` holds the state of one workbook read; the sheet readers (``xlsx_items``,
``xlsx_rules``, ``xlsx_read``) build on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from app.rubric.xlsx_cells import (
    CellError,
    plain_code,
    plain_number,
    show,
    to_bool,
    to_int,
    to_number,
    to_text,
)
from app.rubric.xlsx_columns import (
    HEADER_SEARCH_ROWS,
    Column,
    header_list,
    match_header,
    normalise_name,
)


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


@dataclass(frozen=True)
class SheetExtras:
    """What a sheet holds besides its values: merged ranges as (first row, first column, last
    row, last column), 1-based, and formula cells (row, column) -> (formula, has a saved result)."""

    merges: tuple[tuple[int, int, int, int], ...] = ()
    formulas: dict[tuple[int, int], tuple[str, bool]] = field(default_factory=dict)


@dataclass
class Header:
    """The header row of a table sheet as the file has it: each field's 0-based position and
    the header text written there (so a problem names the column as the author sees it)."""

    sheet: str
    columns: dict[str, Column]
    positions: dict[str, int]
    written: dict[str, str]
    extras: SheetExtras

    def column(self, name: str) -> str:
        """``D (分值 max)``: the letter and the header as written, or the header names when the
        sheet has no such column."""
        if name in self.positions:
            return f"{column_letter(self.positions[name])} ({self.written[name]})"
        spec = self.columns.get(name)
        return f"{spec.zh} {name}" if spec is not None else name


@dataclass
class Row:
    """One data row of a table sheet: its Excel row number and cells by column name."""

    sheet: str
    number: int
    cells: dict[str, object]
    header: Header | None = None

    def where(self, column: str) -> str:
        shown = self.header.column(column) if self.header is not None else column
        return f"{self.sheet} row {self.number}, column {shown}"


class RowReader:
    """One read of a workbook: the raw sheets, the problems found so far, and what the sheets
    share (the code namespace, item kinds, the row each produced object came from)."""

    def __init__(self, sheets: dict[str, list[tuple[object, ...]]],
                 extras: dict[str, SheetExtras] | None = None) -> None:
        # sheets: normalised sheet name -> raw rows (values only), read up front.
        self.sheets = sheets
        self.extras = extras or {}
        self.problems: list[str] = []
        # What was read other than as written ("10分" as 10): accepted, and said.
        self.notes: list[str] = []
        # sheet -> its header as found, for the Locator to name columns as the file does.
        self.headers: dict[str, Header] = {}
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
        # Every item read, and those whose printed 评分标准 cell holds text: the words are
        # checked against the rule once the whole sheet is read (``check_standards``).
        self.items_read: list[dict[str, Any]] = []
        self.worded: list[tuple[dict[str, Any], Row, object]] = []
        # (sheet, column) -> (who needs it, the rows that do): an optional column the sheet lacks
        # is one problem, however many rows need it, not one per row (see ``needs``).
        self.missing_columns: dict[tuple[str, str], tuple[dict[str, None], list[int]]] = {}

    # ---- problems and typed cells

    def problem(self, where: str, detail: str) -> None:
        self.problems.append(f"{where}: {detail}")

    def note(self, where: str, detail: str) -> None:
        self.notes.append(f"{where}: {detail}")

    def raw(self, row: Row, column: str) -> object:
        """A cell's value; for a formula its saved result, or a problem when it has none."""
        value = row.cells.get(column)
        header = row.header
        if header is None or column not in header.positions:
            return value
        formula = header.extras.formulas.get((row.number, header.positions[column] + 1))
        if formula is not None and not formula[1]:
            raise CellError(f"the formula ={formula[0]} has no saved result (the file was not "
                            "saved by a spreadsheet program that calculates); type the value "
                            "or open and save the file in Excel or WPS")
        return value

    def cell(self, row: Row, column: str, convert: Any) -> Any:
        try:
            value = self.raw(row, column)
            note = None
            if convert in (to_number, to_int):
                value, note = plain_number(value)
            elif row.header is not None and (spec := row.header.columns.get(column)) is not None \
                    and spec.type == "code":
                value, note = plain_code(value)
            result = convert(value)
        except CellError as exc:
            self.problem(row.where(column), str(exc))
            return None
        if note is not None:
            self.note(row.where(column), note)
        return result

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
            header = self.headers.get(sheet)
            spec = header.columns.get(column) if header is not None else None
            named = f"{spec.zh} ({column})" if spec is not None else f"'{column}'"
            self.problem(f"{sheet} sheet", f"missing column {named}, needed by {', '.join(whos)} "
                         f"(row{'s' if len(rows) > 1 else ''} {shown})")

    def required_text(self, row: Row, column: str) -> str | None:
        before = len(self.problems)
        value = self.text(row, column)
        if value is None and row.cells.get(column) is None and len(self.problems) == before:
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

    def table(self, sheet: str, columns: tuple[Column, ...],
              fill_down: str | None = None) -> list[Row] | None:
        """The data rows of a table sheet, or None when the sheet is missing or unusable.

        ``fill_down`` names the column whose empty cells repeat the row above: a merged range
        down that column reads the same way, so it is the one merge accepted in the table.
        """
        raw = self.sheets.get(sheet)
        if raw is None:
            return None
        required = [c.name for c in columns if c.required]
        header_index = None
        for index, values in enumerate(raw[:HEADER_SEARCH_ROWS]):
            names = {match_header(v, columns) for v in values if v is not None} - {None}
            if required[0] in names or len(names) >= 2:
                header_index = index
                break
        if header_index is None:
            first = next(c for c in columns if c.name == required[0])
            self.problem(f"{sheet} sheet",
                         f"no header row with column {first.zh} ({first.name}) in the first "
                         f"{HEADER_SEARCH_ROWS} rows")
            self.unusable.add(sheet)
            return []
        header_row = header_index + 1
        positions: dict[str, int] = {}
        written: dict[str, str] = {}
        for position, value in enumerate(raw[header_index]):
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            text = " ".join(str(value).split())
            if normalise_name(value).startswith("#"):
                continue  # a note column the office keeps for itself
            name = match_header(value, columns)
            where = f"{sheet} row {header_row}, column {column_letter(position)}"
            if name is None:
                self.problem(where, f"unknown column {show(text)} (accepted: "
                             f"{header_list(columns)}; start a header with # to keep a note "
                             "column)")
            elif name in positions:
                self.problem(where, f"column {show(text)} appears twice (first in column "
                             f"{column_letter(positions[name])})")
            else:
                positions[name] = position
                written[name] = text
        spec = {c.name: c for c in columns}
        header = Header(sheet, spec, positions, written, self.extras.get(sheet, SheetExtras()))
        self.headers[sheet] = header
        missing = [name for name in required if name not in positions]
        for name in missing:
            self.problem(f"{sheet} sheet",
                         f"missing required column {spec[name].zh} ({name})")
        if missing:
            self.unusable.add(sheet)
            return []
        self.report_merges(header, header_row, fill_down)
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
            rows.append(Row(sheet, index + 1, cells, header))
        return rows

    def report_merges(self, header: Header, header_row: int, fill_down: str | None) -> None:
        """Merged cells in the table: the value sits in the first cell only, so every other
        cell of the range reads as empty. Down the fill-down column that is what an empty cell
        means anyway; anywhere else it would silently lose the value, so it is a problem."""
        used = {pos + 1 for pos in header.positions.values()}
        keep = header.positions.get(fill_down) if fill_down is not None else None
        for first_row, first_col, last_row, last_col in header.extras.merges:
            if last_row < header_row or not used & set(range(first_col, last_col + 1)):
                continue  # a title above the table, or notes beside it
            if keep is not None and first_col == last_col == keep + 1 and first_row > header_row:
                continue
            rows = f"row {first_row}" if first_row == last_row else f"rows {first_row}-{last_row}"
            span = (f"{column_letter(first_col - 1)}{first_row}:"
                    f"{column_letter(last_col - 1)}{last_row}")
            self.problem(f"{header.sheet} {rows}",
                         f"merged cells {span} inside the table; unmerge them and fill each "
                         "cell (a merged range keeps its value in the first cell only)")
