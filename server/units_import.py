"""``units import``: the administrative tree and its units from one CSV or xlsx sheet.

One row per area or unit, parents before children (or already stored):

    level,code,name,parent,unit_type,head_name,phone,address,<profile numbers…>

``level`` is province, city, county, township, village, or ``unit``. ``parent`` is the code
of the parent area (empty for a top area). Any column after ``address`` is a profile number
of the unit (enrolment_primary, staff…), blank when the unit has none. Codes are the keys: a
second import updates names and parents. Every problem is reported with its row, and nothing
is stored unless the whole file is good.
"""

from __future__ import annotations

import csv
import json
import time
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select, update

from app.ids import new_id
from server.areas import LEVELS, check_code
from server.errors import BadInput, ServerError
from server.store.schema import admin_areas, units
from server.sync.sequence import stamp

COLUMNS = ("level", "code", "name", "parent", "unit_type", "head_name", "phone", "address")


@dataclass(frozen=True)
class ImportResult:
    areas: int
    units: int


def read_rows(path: Path) -> list[dict[str, str]]:
    """The file's rows as dicts of text; the first row is the header."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            with path.open(encoding="utf-8-sig", newline="") as f:
                table = [row for row in csv.reader(f)]
        elif suffix in (".xlsx", ".xlsm"):
            table = _read_xlsx(path)
        else:
            raise BadInput(f"{path.name}: use a .csv or .xlsx file")
    except OSError as exc:
        raise BadInput(f"{path.name}: cannot be read ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise BadInput(f"{path.name}: not UTF-8 text; save the CSV as UTF-8") from None
    if not table:
        raise BadInput(f"{path.name}: the file is empty")
    header = [h.strip() for h in table[0]]
    missing = [c for c in COLUMNS if c not in header]
    if missing or header[:len(COLUMNS)] != list(COLUMNS):
        raise BadInput(f"{path.name} row 1: the columns must start with {','.join(COLUMNS)}"
                       + (f" (missing {', '.join(missing)})" if missing else ""))
    return [dict(zip(header, [c.strip() for c in row] + [""] * (len(header) - len(row)), strict=False))
            for row in table[1:] if any(c.strip() for c in row)]


def _read_xlsx(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is not a workbook
        raise BadInput(f"{path.name}: not a readable xlsx workbook ({exc.__class__.__name__})") from None
    sheet = book.worksheets[0]
    table = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    book.close()
    return table


def _number(text: str) -> int | float:
    value = Decimal(text)
    if not value.is_finite() or value < 0:
        raise InvalidOperation
    return int(value) if value == value.to_integral_value() else float(value)


def import_units(conn: Connection, path: Path) -> ImportResult:
    """Check every row, then store them all in the caller's transaction (or raise, storing none)."""
    rows = read_rows(path)
    known = {r.code: r for r in conn.execute(select(admin_areas)).all()}
    # code -> (level, path) of areas stored or seen earlier in the file
    areas: dict[str, tuple[str, str]] = {c: (r.level, r.path) for c, r in known.items()}
    problems: list[str] = []
    planned: list[tuple[str, dict[str, Any]]] = []
    seen: set[str] = set()
    for number, row in enumerate(rows, start=2):
        where = f"{path.name} row {number}"
        try:
            planned.append(_check_row(row, areas, seen))
        except ServerError as exc:
            problems.append(f"{where}: {exc.message}")
    if problems:
        raise BadInput(f"{path.name}: {len(problems)} problem(s); nothing was imported", details=problems)
    return _store(conn, planned)


def _check_row(row: dict[str, str], areas: dict[str, tuple[str, str]], seen: set[str]) -> tuple[str, dict[str, Any]]:
    level, code, name, parent = row["level"], row["code"], row["name"], row["parent"]
    check_code(code)
    if code in seen:
        raise BadInput(f"the code {code} appears twice in the file")
    seen.add(code)
    if not name:
        raise BadInput("the name is empty")
    if level not in LEVELS + ("unit",):
        raise BadInput(f"level {level!r} is not one of {', '.join(LEVELS)}, unit")
    parent_path = "/"
    if parent:
        if parent not in areas:
            raise BadInput(f"the parent area {parent} is neither stored nor on an earlier row")
        parent_level, parent_path = areas[parent]
        if level != "unit" and LEVELS.index(level) <= LEVELS.index(parent_level):
            raise BadInput(f"a {level} cannot be inside a {parent_level} ({parent})")
    elif level == "unit":
        raise BadInput("a unit needs its parent area")
    if level != "unit":
        if code in areas and parent_path.startswith(areas[code][1]):
            raise BadInput(f"the area {code} cannot be moved inside itself ({parent})")
        areas[code] = (level, f"{parent_path}{code}/")
        return "area", {"code": code, "name": name, "level": level, "parent": parent or None,
                        "path": f"{parent_path}{code}/"}
    if not row["unit_type"]:
        raise BadInput("a unit needs its unit_type")
    profile: dict[str, Any] = {}
    for key, text in row.items():
        if key in COLUMNS or not text:
            continue
        try:
            profile[key] = _number(text)
        except InvalidOperation:
            raise BadInput(f"{key} must be a number of 0 or more, not {text!r}") from None
    return "unit", {"code": code, "name": name, "parent": parent, "unit_type": row["unit_type"],
                    "head_name": row["head_name"], "phone": row["phone"], "address": row["address"],
                    "profile": json.dumps(profile, sort_keys=True, ensure_ascii=False)}


def _store(conn: Connection, planned: list[tuple[str, dict[str, Any]]]) -> ImportResult:
    now = time.time()
    ids = {r.code: r.id for r in conn.execute(select(admin_areas.c.code, admin_areas.c.id)).all()}
    unit_ids = {r.code: r.id for r in conn.execute(select(units.c.code, units.c.id)).all()}
    counts = {"area": 0, "unit": 0}
    for kind, item in planned:
        counts[kind] += 1
        if kind == "area":
            values = {"parent_id": ids.get(item["parent"]) if item["parent"] else None,
                      "level": item["level"], "name": item["name"], "path": item["path"], "updated_at": now,
                      "server_seq": stamp(conn)}
            if item["code"] in ids:
                # A moved area keeps its id; its descendants' paths are rebuilt below.
                conn.execute(update(admin_areas).where(admin_areas.c.id == ids[item["code"]]).values(**values))
            else:
                ids[item["code"]] = new_id()
                conn.execute(insert(admin_areas).values(id=ids[item["code"]], code=item["code"], **values))
        else:
            values = {k: item[k] for k in ("name", "unit_type", "head_name", "phone", "address", "profile")}
            values |= {"area_id": ids[item["parent"]], "updated_at": now, "server_seq": stamp(conn)}
            if item["code"] in unit_ids:
                conn.execute(update(units).where(units.c.id == unit_ids[item["code"]]).values(**values))
            else:
                conn.execute(insert(units).values(id=new_id(), code=item["code"], **values))
    _rebuild_paths(conn)
    return ImportResult(counts["area"], counts["unit"])


def _rebuild_paths(conn: Connection) -> None:
    """Every area's path from its parents: a moved area carries its subtree (and scopes) along."""
    rows = conn.execute(select(admin_areas.c.id, admin_areas.c.parent_id, admin_areas.c.code,
                               admin_areas.c.path)).all()
    by_id = {r.id: r for r in rows}
    paths: dict[str, str] = {}

    def path_of(area_id: str) -> str:
        if area_id not in paths:
            row = by_id[area_id]
            paths[area_id] = (path_of(row.parent_id) if row.parent_id else "/") + row.code + "/"
        return paths[area_id]

    for row in rows:
        if path_of(row.id) != row.path:
            conn.execute(update(admin_areas).where(admin_areas.c.id == row.id).values(path=paths[row.id]))
