"""The rubric library (office staff and admins): every published template by rubric id and
version, a new version uploaded as JSON or xlsx, and the differences between two versions.

An upload is validated by the laptop's rubric engine (``server.rubrics.read_upload``); a bad one
shows every problem with its place and stores nothing. Published templates never change: the
same document again is said to be published already, and a changed document under a version
already published is refused (it must carry a new version).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import Request
from starlette.datastructures import UploadFile
from starlette.responses import RedirectResponse, Response

from app.rubric.diff import Value, diff_rubrics
from app.rubric.model import KINDS, Label
from server import rubrics
from server.errors import BadInput, Conflict, NotFound
from server.rubrics import RubricRef
from server.store.database import reading, writing
from server.web.errors import PageNotFound
from server.web.i18n import Translator, request_language
from server.web.render import render
from server.web.routing import page_router
from server.web.session import OFFICE, Viewer

router = page_router()
_HASH = re.compile(r"[0-9a-f]{64}")
DONE = {"published": "rubrics.done.published", "same": "rubrics.done.same"}


@dataclass(frozen=True)
class Family:
    """The versions of one rubric id, newest first."""

    rubric_id: str
    versions: list[RubricRef]


def _families(refs: list[RubricRef]) -> list[Family]:
    by_id: dict[str, list[RubricRef]] = {}
    for ref in refs:
        by_id.setdefault(ref.rubric_id, []).append(ref)
    return [Family(rid, sorted(found, key=lambda r: r.published_at, reverse=True))
            for rid, found in sorted(by_id.items())]


def diff_url(old: str, new: str) -> str:
    return "/rubrics/diff?" + urlencode({"old": old, "new": new})


def _page(request: Request, *, status: int = 200, problems: list[str] | None = None,
          message: str | None = None, filename: str = "") -> Response:
    with reading(request.app.state.engine) as conn:
        families = _families(rubrics.list_rubrics(conn))
    done = DONE.get(request.query_params.get("done", ""))
    shown = request.query_params.get("hash", "")
    return render(request, "rubrics/library.html", status=status, here="/rubrics", families=families,
                  problems=problems, message=message, filename=filename, done=done, shown=shown,
                  diff_url=diff_url, max_mb=rubrics.MAX_UPLOAD // (1024 * 1024))


@router.get("/rubrics")
def library_page(request: Request, viewer: Viewer = OFFICE) -> Response:
    return _page(request)


@router.post("/rubrics/upload")
async def upload(request: Request, viewer: Viewer = OFFICE) -> Response:
    form = await request.form()
    sent = form.get("file")
    if not isinstance(sent, UploadFile) or not sent.filename:
        return _page(request, status=400, message="rubrics.error.no_file")
    data = await sent.read(rubrics.MAX_UPLOAD + 1)
    try:
        doc, rubric = rubrics.read_upload(sent.filename, data)
    except BadInput as exc:
        problems = [str(p) for p in exc.details] if isinstance(exc.details, list) and exc.details else [exc.message]
        return _page(request, status=422, problems=problems, filename=sent.filename)
    try:
        with writing(request.app.state.engine) as conn:
            ref, new = rubrics.publish_rubric(conn, doc, rubric)
    except Conflict as exc:
        return _page(request, status=409, problems=[exc.message], filename=sent.filename)
    query = urlencode({"done": "published" if new else "same", "hash": ref.hash})
    return RedirectResponse(f"/rubrics?{query}#rubric-{ref.rubric_id}", status_code=303)


def _choice(value: str | None) -> str | None:
    return value if value and _HASH.fullmatch(value) else None


@router.get("/rubrics/diff")
def diff_page(request: Request, old: str | None = None, new: str | None = None,
              viewer: Viewer = OFFICE) -> Response:
    old, new = _choice(old), _choice(new)
    with reading(request.app.state.engine) as conn:
        refs = rubrics.list_rubrics(conn)
        try:
            before = rubrics.template(conn, old) if old else None
            after = rubrics.template(conn, new) if new else None
        except NotFound:
            raise PageNotFound() from None
    diff = diff_rubrics(before[1], after[1]) if before and after else None
    lang = request_language(request)
    return render(request, "rubrics/diff.html", families=_families(refs), old=before[0] if before else None,
                  new=after[0] if after else None, diff=diff, shown=lambda value, field="": display(value, lang, field),
                  same_rubric=bool(before and after and before[0].rubric_id == after[0].rubric_id))


def display(value: Value, lang: str, field: str = "") -> list[str]:
    """A field's value as lines of text in ``lang`` (a list shows one line per entry; a flag is
    the catalogue's yes or no, an item's kind its name; nothing is an empty list)."""
    if value is None or value == "":
        return []
    if isinstance(value, bool):
        return [Translator(lang)("rubrics.yes" if value else "rubrics.no")]
    if field == "kind" and value in KINDS:
        return [Translator(lang)(f"rubrics.kind.{value}")]
    if isinstance(value, Label):
        return [value.text(lang)]
    if isinstance(value, tuple):
        return [line for v in value for line in display(v, lang)]
    return [str(value)]
