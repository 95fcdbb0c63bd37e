"""Publishing rubric templates: validated by the laptop's engine, immutable, keyed by hash.

A visit pins a template by its content hash, so a published template never changes: the same
document again is a no-op, and a changed document must carry a new version.
"""

from __future__ import annotations

import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select

from app.canonical import canonical_json, loads_exact
from app.errors import RubricError
from app.rubric import Rubric, load_rubric
from app.rubric.validate import build_rubric, validate_document
from app.rubric.xlsx import read_rubric_file
from app.rubric.xlsx_read import read_xlsx_located
from server.errors import BadInput, Conflict, NotFound
from server.store.schema import rubric_templates
from server.sync.sequence import stamp


@dataclass(frozen=True)
class RubricRef:
    hash: str
    rubric_id: str
    version: str
    name_zh: str
    name_en: str
    published_at: float


def _ref(row: Any) -> RubricRef:
    return RubricRef(row.hash, row.rubric_id, row.version, row.name_zh, row.name_en, row.published_at)


def read_rubric(path: Path) -> tuple[dict[str, Any], Rubric]:
    """A .json or .xlsx file validated; a workbook's problems name its sheet, row and column."""
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            doc, locator = read_xlsx_located(path)
            problems = validate_document(doc)
            if problems:
                raise RubricError(f"{path.name}: rubric {doc.get('id')} is invalid",
                                  problems=[locator.locate(p) for p in problems])
            return doc, build_rubric(doc)
        doc = read_rubric_file(path)
        return doc, load_rubric(doc)
    except RubricError as exc:
        raise BadInput(str(exc), details=exc.problems) from None


def publish_rubric(conn: Connection, doc: dict[str, Any], rubric: Rubric, *,
                   seq: int | None = None) -> tuple[RubricRef, bool]:
    """Store a validated template; returns its reference and whether it was new.

    A new template takes a number of its own, or ``seq`` when it comes with a push that holds
    the lock and has its number already (``server.sync.templates``).
    """
    row = conn.execute(select(rubric_templates).where(rubric_templates.c.hash == rubric.content_hash)).first()
    if row is not None:
        return _ref(row), False
    clash = conn.execute(select(rubric_templates.c.hash).where(
        (rubric_templates.c.rubric_id == rubric.id) & (rubric_templates.c.version == rubric.version))).first()
    if clash is not None:
        raise Conflict(f"{rubric.id} version {rubric.version} is already published with other content "
                       f"({clash.hash[:12]}); published templates never change: give this one a new version")
    ref = RubricRef(rubric.content_hash, rubric.id, rubric.version, rubric.name.zh, rubric.name.en, time.time())
    number = stamp(conn) if seq is None else seq
    conn.execute(insert(rubric_templates).values(document=canonical_json(doc), server_seq=number, **ref.__dict__))
    return ref, True


def list_rubrics(conn: Connection) -> list[RubricRef]:
    rows = conn.execute(select(rubric_templates).order_by(rubric_templates.c.rubric_id,
                                                          rubric_templates.c.published_at)).all()
    return [_ref(r) for r in rows]


def get_document(conn: Connection, rubric_hash: str) -> str:
    """The canonical JSON text as published (parsing and re-encoding could change a number)."""
    row = conn.execute(select(rubric_templates.c.document).where(rubric_templates.c.hash == rubric_hash)).first()
    if row is None:
        raise NotFound("no such rubric template")
    return str(row.document)


def resolve(conn: Connection, ref: str) -> RubricRef:
    """A template by rubric id (its latest publication) or by a hash prefix of 6+ characters."""
    rows = [_ref(r) for r in conn.execute(select(rubric_templates).where(
        (rubric_templates.c.rubric_id == ref) | rubric_templates.c.hash.startswith(ref if len(ref) >= 6 else "\0")
    ).order_by(rubric_templates.c.published_at)).all()]
    by_id = [r for r in rows if r.rubric_id == ref]
    if by_id:
        return by_id[-1]
    if len(rows) == 1:
        return rows[0]
    if rows:
        raise BadInput(f"the hash prefix {ref!r} matches several templates; give more characters")
    raise NotFound(f"no published rubric with id or hash {ref!r}")



# --- the rubric library page: uploads and versions -----------------------------------------

# A rubric workbook of a thousand items is well under 1 MB; the limit keeps a wrong file out.
MAX_UPLOAD = 5 * 1024 * 1024
UPLOAD_SUFFIXES = (".json", ".xlsx", ".xlsm")
_SAFE_NAME = re.compile(r"[^\w.\-]+")


def read_upload(filename: str, data: bytes) -> tuple[dict[str, Any], Rubric]:
    """An uploaded .json or .xlsx file validated as ``read_rubric`` does a file on disk; BadInput
    lists every problem (``details``), each naming its place (a workbook's: sheet, row, column)."""
    name = _SAFE_NAME.sub("_", Path(filename or "").name).strip("._") or "upload"
    suffix = Path(name).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        message = f"{name}: not a .json or .xlsx file"
        raise BadInput(message, details=[message])
    if not data:
        raise BadInput(f"{name}: the file is empty", details=[f"{name}: the file is empty"])
    if len(data) > MAX_UPLOAD:
        message = f"{name}: {len(data)} bytes; a rubric file is at most {MAX_UPLOAD} bytes"
        raise BadInput(message, details=[message])
    with tempfile.TemporaryDirectory(prefix="fieldmark-rubric-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        return read_rubric(path)


def template(conn: Connection, rubric_hash: str) -> tuple[RubricRef, Rubric]:
    """A published template and its model (numbers exact, as published)."""
    row = conn.execute(select(rubric_templates).where(rubric_templates.c.hash == rubric_hash)).first()
    if row is None:
        raise NotFound("no such rubric template")
    return _ref(row), build_rubric(loads_exact(row.document))
