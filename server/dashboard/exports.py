"""A campaign's exports: its visits, item scores and findings as CSV or XLSX, within an account's
scope.

Every value comes from the query the pages use for it (server.dashboard.figures:
``campaign_results``, ``campaign_item_scores``, ``open_findings(include_closed=True)``; a
visit's status and hash check from ``describe_visit``, as its visit page shows them), so an
export never disagrees with a page ("数据上下一致、表表相符").

- **CSV** is UTF-8 *with a byte-order mark*, comma separated, CRLF line ends (RFC 4180):
  Excel and WPS read a CSV without the mark in the system's code page (GBK on a Chinese
  Windows) and garble every Chinese character. It is written as it is read, a batch of rows at
  a time, so a large campaign's file starts downloading at once and never sits whole in memory.
- **XLSX** (openpyxl's write-only mode, rows written as read) has one sheet, the headers in
  Chinese then English, the header row frozen and filtered, and columns as wide as their
  contents usually are.
- A text a spreadsheet would run as a formula (a unit name or a finding typed as ``=…``,
  ``+…``, ``-…``, ``@…``) stays text: a string cell in the XLSX, a leading apostrophe in the CSV
  (what Excel shows for such text), so opening an export never runs anything.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy import Connection, Engine

from app.labels import (
    FINDING_STATUS_LABELS,
    SEVERITY_LABELS,
    UNIT_TYPE_LABELS,
    VISIT_TYPE_LABELS,
    label_of,
)
from app.rubric import Rubric
from server.dashboard import figures
from server.dashboard.choices import rubric_names
from server.errors import NotFound, ServerError
from server.store.database import reading
from server.sync.held_visit import held_rubric
from server.sync.visit_view import describe_visit

FORMATS = ("csv", "xlsx")
BOM = "\ufeff"
# Rows per piece of a streamed CSV: big enough to send few pieces, small enough to start soon.
BATCH = 200
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ExportFailed(ServerError):
    """An export could not be written (the disk is full, the folder refuses it); the message says why."""

    status = 503
    code = "unavailable"


@dataclass(frozen=True)
class Column:
    zh: str
    en: str
    # About how many characters wide its values are (a Chinese character counts two).
    width: float
    number: bool = False

    @property
    def header(self) -> str:
        """Chinese first, then English: the office reads the Chinese, a script may key on either."""
        return f"{self.zh} {self.en}"


@dataclass(frozen=True)
class Table:
    name: str
    zh: str
    en: str
    columns: tuple[Column, ...]

    def title(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


VISITS = Table("visits", "督导记录", "visits", (
    Column("单位代码", "Unit code", 12), Column("单位名称", "Unit", 30), Column("所属县区", "County", 12),
    Column("单位类型", "Unit type", 12), Column("督导类型", "Visit type", 12), Column("督导日期", "Date", 12),
    Column("评分细则", "Rubric", 28), Column("实得分", "Total", 9, number=True),
    Column("应得分", "Maximum", 9, number=True), Column("得分率(%)", "Percentage", 10, number=True),
    Column("评定等级", "Band", 12), Column("一票否决", "Vetoes", 30), Column("计入排名", "Counted", 9),
    Column("状态", "Status", 10), Column("修订次数", "Amendment", 9, number=True),
    Column("哈希核验", "Hash verified", 12), Column("督导记录编号", "Visit ID", 38)))
ITEMS = Table("items", "评分明细", "item-scores", (
    Column("督导记录编号", "Visit ID", 38), Column("单位代码", "Unit code", 12), Column("单位名称", "Unit", 30),
    Column("督导日期", "Date", 12), Column("评分细则", "Rubric", 28), Column("评估项目", "Section", 24),
    Column("指标代码", "Item code", 10), Column("指标内容", "Item", 48),
    Column("实得分", "Awarded", 9, number=True), Column("应得分", "Maximum", 9, number=True),
    Column("不适用", "N/A", 8)))
FINDINGS = Table("findings", "整改问题", "findings", (
    Column("单位代码", "Unit code", 12), Column("单位名称", "Unit", 30), Column("所属县区", "County", 12),
    Column("问题描述", "Description", 48), Column("整改要求", "Requirement", 40), Column("严重程度", "Severity", 9),
    Column("整改期限", "Deadline", 12), Column("责任人", "Responsible", 12), Column("状态", "Status", 14),
    Column("逾期", "Overdue", 8), Column("复查次数", "Follow-ups", 9, number=True),
    Column("需升级督办", "Escalation", 10), Column("督导记录编号", "Visit ID", 38),
    Column("问题编号", "Finding ID", 38)))
TABLES = {t.name: t for t in (VISITS, ITEMS, FINDINGS)}

# The words of the values (not the headers) in the language the export is asked in.
WORDS = {
    "zh": {"yes": "是", "no": "否", "draft": "未定稿", "finalized": "已定稿", "amended": "已修订",
           "verified": "一致", "mismatch": "不一致", "unchecked": "无法核验"},
    "en": {"yes": "yes", "no": "no", "draft": "draft", "finalized": "finalized", "amended": "amended",
           "verified": "matches", "mismatch": "does not match", "unchecked": "cannot be checked"},
}


def table_named(name: str) -> Table:
    table = TABLES.get(name)
    if table is None:
        raise NotFound(f"no export {name!r}; one of {', '.join(TABLES)}")
    return table


class _Words:
    def __init__(self, lang: str, conn: Connection) -> None:
        self.lang = lang
        self.words = WORDS[lang]
        self.names = rubric_names(conn)
        self._rubrics: dict[str, Rubric | None] = {}
        self._conn = conn

    def __call__(self, key: str) -> str:
        return self.words[key]

    def yes_no(self, value: bool) -> str:
        return self.words["yes" if value else "no"]

    def label(self, table: dict[str, Any], code: str | None) -> str:
        return label_of(table, code).text(self.lang)

    def band(self, zh: str | None, en: str | None) -> str:
        return (en or zh or "") if self.lang == "en" else (zh or "")

    def rubric_name(self, rubric_id: str) -> str:
        name = self.names.get(rubric_id)
        if name is None:
            return rubric_id
        return (name.name_en or name.name_zh) if self.lang == "en" else name.name_zh

    def rubric(self, rubric_hash: str) -> Rubric | None:
        """The exact version a visit pinned (its item and veto texts), read once per export."""
        if rubric_hash not in self._rubrics:
            self._rubrics[rubric_hash] = held_rubric(self._conn, rubric_hash)
        return self._rubrics[rubric_hash]

    def vetoes(self, rubric_hash: str, codes: list[str]) -> str:
        rubric = self.rubric(rubric_hash)
        labels = {v.code: v.label.text(self.lang) for v in rubric.vetoes} if rubric else {}
        return "；".join(f"{c} {labels[c]}" if c in labels else c for c in codes)


def _check(conn: Connection, visit_id: str, words: _Words) -> tuple[str, str]:
    """The visit's status and hash check as its visit page shows them (describe_visit)."""
    try:
        view = describe_visit(conn, visit_id)
    except NotFound:
        return words("draft"), words("unchecked")
    matches = view["matches_latest"]
    check = "unchecked" if matches is None or view["problem"] else "verified" if matches else "mismatch"
    return words(view["status"]), words(check)


def _visit_rows(conn: Connection, scope: str, campaign_id: str, words: _Words, today: date) -> Iterator[list[Any]]:
    checked: dict[str, tuple[str, str]] = {}
    for r in figures.campaign_results(conn, scope, campaign_id):
        # One check per visit, however many rubrics it applies.
        if r.visit_id not in checked:
            checked[r.visit_id] = _check(conn, r.visit_id, words)
        status, hash_check = checked[r.visit_id]
        yield [r.unit_code, r.unit_name, r.county_name or "", words.label(UNIT_TYPE_LABELS, r.unit_type),
               words.label(VISIT_TYPE_LABELS, r.visit_type), r.visit_date, words.rubric_name(r.rubric_id),
               Decimal(r.total), Decimal(r.maximum),
               # One place, rounded as the ranking page rounds it.
               None if r.percentage is None else Decimal(f"{r.percentage:.1f}"),
               words.band(r.band_zh, r.band_en), words.vetoes(r.rubric_hash, json.loads(r.vetoes)),
               words.yes_no(r.counted), status, r.amendment_no, hash_check, r.visit_id]


def _item_rows(conn: Connection, scope: str, campaign_id: str, words: _Words, today: date) -> Iterator[list[Any]]:
    # The unit's name and the visit's date, from the same campaign's results.
    visits = {r.visit_id: r for r in figures.campaign_results(conn, scope, campaign_id)}
    for i in figures.campaign_item_scores(conn, scope, campaign_id):
        rubric = words.rubric(i.rubric_hash)
        item = rubric.items.get(i.item_code) if rubric else None
        section = rubric.sections_by_code.get(i.section_code) if rubric and i.section_code else None
        visit = visits.get(i.visit_id)
        yield [i.visit_id, i.unit_code, visit.unit_name if visit else "", visit.visit_date if visit else "",
               words.rubric_name(i.rubric_id),
               f"{i.section_code} {section.name.text(words.lang)}" if section else (i.section_code or ""),
               i.item_code, item.text.text(words.lang) if item else "",
               Decimal(i.awarded), Decimal(i.maximum), words.yes_no(i.na)]


def _finding_rows(conn: Connection, scope: str, campaign_id: str, words: _Words, today: date) -> Iterator[list[Any]]:
    for f in figures.open_findings(conn, scope, today=today, campaign_id=campaign_id, include_closed=True):
        yield [f.unit_code, f.unit_name, f.county_name or "", f.description, f.requirement,
               words.label(SEVERITY_LABELS, f.severity), f.deadline or "", f.responsible,
               words.label(FINDING_STATUS_LABELS, f.status), words.yes_no(f.overdue), f.follow_ups,
               words.yes_no(f.escalate), f.visit_id, f.finding_id]


ROWS: dict[str, Callable[[Connection, str, str, _Words, date], Iterator[list[Any]]]] = {
    "visits": _visit_rows, "items": _item_rows, "findings": _finding_rows}


def export_rows(conn: Connection, scope: str, campaign_id: str, table: str, *, lang: str,
                today: date) -> Iterator[list[Any]]:
    """The rows of one export (header not included), values in ``lang``: numbers as Decimal or
    int, missing values as None, everything else as text."""
    return ROWS[table_named(table).name](conn, scope, campaign_id, _Words(lang, conn), today)


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    if isinstance(value, str) and text.startswith(FORMULA_START):
        return "'" + text
    return text


def csv_chunks(rows: Iterable[list[Any]], table: Table) -> Iterator[bytes]:
    """The CSV's bytes, a batch of rows at a time: the byte-order mark and the header first."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    out.write(BOM)
    writer.writerow([c.header for c in table.columns])
    for n, row in enumerate(rows, 1):
        writer.writerow([_csv_text(v) for v in row])
        if n % BATCH == 0:
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode("utf-8")


def stream_csv(engine: Engine, scope: str, campaign_id: str, table: str, *, lang: str,
               today: date) -> Iterator[bytes]:
    """An export as CSV, read in one transaction (the figures of one moment) as it is sent."""
    with reading(engine) as conn:
        yield from csv_chunks(export_rows(conn, scope, campaign_id, table, lang=lang, today=today),
                              table_named(table))


HEAD_FONT = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="E8EAED")
HEAD_ALIGN = Alignment(wrap_text=True, vertical="center")


def write_xlsx(rows: Iterable[list[Any]], table: Table, path: Path, *, sheet: str) -> int:
    """The export as an XLSX workbook at ``path`` (written as the rows come); returns how many
    rows it holds. ExportFailed, with the reason, when the file cannot be written."""
    try:
        count = _write_book(rows, table, path, sheet)
    except OSError as exc:
        path.unlink(missing_ok=True)
        raise ExportFailed(f"cannot write the workbook {path.name}: {exc.strerror or exc}") from exc
    return count


def _write_book(rows: Iterable[list[Any]], table: Table, path: Path, sheet: str) -> int:
    # Write-only: each row goes to the sheet's temporary file as it comes, never all in memory.
    book = Workbook(write_only=True)
    ws = book.create_sheet(sheet[:31])
    try:
        count = _fill(ws, rows, table)
        with path.open("wb") as out:
            book.save(out)
    except BaseException:
        _discard(ws)
        raise
    return count


def _fill(ws: Any, rows: Iterable[list[Any]], table: Table) -> int:
    for n, column in enumerate(table.columns, 1):
        ws.column_dimensions[get_column_letter(n)].width = column.width
    ws.freeze_panes = "A2"
    head = []
    for column in table.columns:
        cell = WriteOnlyCell(ws, column.header)
        cell.font, cell.fill, cell.alignment = HEAD_FONT, HEAD_FILL, HEAD_ALIGN
        head.append(cell)
    ws.append(head)
    count = 0
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(ws, value)
            if isinstance(value, str):
                # Text, never a formula, whatever it starts with.
                cell.data_type = "s"
            cells.append(cell)
        ws.append(cells)
        count += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{count + 1}"
    return count


def _discard(ws: Any) -> None:
    """Finish and remove the sheet's temporary file after a failed build: openpyxl would keep
    it until the process ends, and leave its writer to fail when collected."""
    try:
        if not ws.closed:
            ws.close()
        if ws._writer is not None:
            ws._writer.cleanup()
    except (OSError, ValueError, KeyError):
        # Already gone, or the disk refuses even this: nothing more to undo.
        pass


def build_xlsx(engine: Engine, scope: str, campaign_id: str, table: str, path: Path, *, lang: str,
               today: date, sheet: str) -> int:
    """An export as an XLSX file at ``path``, read in one transaction."""
    with reading(engine) as conn:
        return write_xlsx(export_rows(conn, scope, campaign_id, table, lang=lang, today=today),
                          table_named(table), path, sheet=sheet)
