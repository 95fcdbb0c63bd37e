"""The visit page: one visit as the office received it, and its feedback sheet.

``/visits/{id}`` shows the scores by section with the totals of the server's re-score, vetoes,
findings with their status and deadline, good practices, the team, the photos with their
annotations drawn, the signatures, and in words whether the record's hash and the stated score
agree with what the server recomputes. ``/visits/{id}/feedback.pdf`` is the feedback sheet the
laptops print, made by the same report code on the server (``server.reports.feedback``).
Photos and signatures are served through the visit, so a visit outside the account's scope
and everything in it are "not found".
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from urllib.parse import quote

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from app.labels import (
    FINDING_STATUS_LABELS,
    SEVERITY_LABELS,
    UNIT_TYPE_LABELS,
    VISIT_STATUS_LABELS,
    VISIT_TYPE_LABELS,
    label_of,
)
from server.dashboard.visit_report import visit_photo, visit_place, visit_report, visit_signature
from server.errors import NotFound
from server.reports.feedback import feedback_pdf
from server.reports.held_profile import UnprintableVisit
from server.reports.photos import SIZES, PhotoUnavailable, photo_jpeg
from server.store.blobs import BlobError, BlobStore
from server.store.database import reading
from server.web.errors import PageError, PageNotFound
from server.web.i18n import LANGS, Translator, request_language
from server.web.render import render
from server.web.routing import page_router
from server.web.session import OFFICE, Viewer

router = page_router()
_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# Images and the PDF carry the visit's data: private to the browser, kept a short while.
# Where a sheet's visit is laid out while it prints (removed after).
SHEETS = Path("cache") / "sheets"
# What an image's answer says when there is nothing to show (catalogue keys).
PHOTO_PROBLEMS = {"missing": "visit.photo_missing", "damaged": "visit.photo_damaged"}
PRIVATE = {"Cache-Control": "private, max-age=300", "X-Content-Type-Options": "nosniff"}


def _checked(*ids: str) -> None:
    # Anything but an id is no visit of ours: answered like one outside the scope.
    if not all(_ID.match(i) for i in ids):
        raise PageNotFound()


def _blobs(request: Request) -> BlobStore:
    store: BlobStore = request.app.state.blobs
    return store


def visit_url(visit_id: str) -> str:
    """The visit page's address, for the pages that link to a visit."""
    return f"/visits/{quote(visit_id, safe='')}"


class Words:
    """What the template needs in the page's language besides the catalogue."""

    def __init__(self, t: Translator) -> None:
        self.t = t
        self.lang = t.lang

    def label(self, table: str, code: str | None) -> str:
        tables = {"visit_type": VISIT_TYPE_LABELS, "visit_status": VISIT_STATUS_LABELS,
                  "severity": SEVERITY_LABELS, "finding_status": FINDING_STATUS_LABELS,
                  "unit_type": UNIT_TYPE_LABELS}
        return label_of(tables[table], code).text(self.lang) or (code or "")

    def day(self, iso: str | None) -> str:
        """A date (or the date of a moment) of ISO text, as the language writes it."""
        if not iso:
            return ""
        try:
            return self.t.date(date.fromisoformat(iso[:10]))
        except ValueError:
            return iso

    def moment(self, iso: str | None) -> str:
        """A moment as the laptop stated it (its own clock and offset), to the minute."""
        if not iso:
            return ""
        clock = iso[11:16] if len(iso) >= 16 else ""
        return f"{self.day(iso)} {clock}".strip()


@router.get("/visits/{visit_id}")
def visit_page(request: Request, visit_id: str, viewer: Viewer = OFFICE) -> Response:
    _checked(visit_id)
    blobs = _blobs(request)
    with reading(request.app.state.engine) as conn:
        try:
            report = visit_report(conn, viewer.scope, visit_id, today=date.today())
        except NotFound:
            raise PageNotFound() from None
    # Photos a laptop has not uploaded yet say so in words instead of a broken image.
    missing = set(blobs.missing([p.sha256 for p in report.photos] + [s.sha256 for s in report.signatures]))
    words = Words(Translator(request_language(request)))
    return render(request, "visits/visit.html", report=report, words=words, missing=missing,
                  base=visit_url(visit_id), langs=LANGS)


@router.get("/visits/{visit_id}/photos/{evidence_id}.jpg")
def photo(request: Request, visit_id: str, evidence_id: str, size: str = "thumb", markup: int = 1,
          viewer: Viewer = OFFICE) -> Response:
    """The photo with its annotations drawn (``markup=0``: without them), ``size`` thumb or large."""
    _checked(visit_id, evidence_id)
    if size not in SIZES:
        raise PageNotFound()
    with reading(request.app.state.engine) as conn:
        try:
            held, layer = visit_photo(conn, viewer.scope, visit_id, evidence_id)
        except NotFound:
            raise PageNotFound() from None
    try:
        data = photo_jpeg(_blobs(request), request.app.state.config.data_dir, held, layer, size=size,
                          markup=bool(markup))
    except PhotoUnavailable as exc:
        raise PageError(404, PHOTO_PROBLEMS.get(exc.problem, "visit.photo_missing")) from None
    return Response(data, media_type="image/jpeg", headers=PRIVATE)


@router.get("/visits/{visit_id}/signatures/{signature_id}.png")
def signature(request: Request, visit_id: str, signature_id: str, viewer: Viewer = OFFICE) -> Response:
    _checked(visit_id, signature_id)
    with reading(request.app.state.engine) as conn:
        try:
            sha = visit_signature(conn, viewer.scope, visit_id, signature_id)
        except NotFound:
            raise PageNotFound() from None
    try:
        data = b"".join(_blobs(request).iter_chunks(sha))
    except BlobError:
        raise PageError(404, "visit.photo_missing") from None
    kind = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg" if data.startswith(b"\xff\xd8") \
        else "application/octet-stream"
    return Response(data, media_type=kind, headers=PRIVATE)


@router.get("/visits/{visit_id}/feedback.pdf")
async def feedback(request: Request, visit_id: str, lang: str | None = None, viewer: Viewer = OFFICE) -> Response:
    """The feedback sheet in ``lang`` (default: the page's language)."""
    _checked(visit_id)
    paper_lang = lang if lang in LANGS else request_language(request)
    engine = request.app.state.engine
    with reading(engine) as conn:
        try:
            place = visit_place(conn, viewer.scope, visit_id)
        except NotFound:
            raise PageNotFound() from None
    # Laying out and rendering take a second or so: off the event loop.
    server_url = str(request.base_url).rstrip("/")
    try:
        # Beside the blob store's files, so the photos are hard links there rather than copies.
        built = await run_in_threadpool(feedback_pdf, engine, _blobs(request), visit_id, lang=paper_lang,
                                        server_url=server_url, folder=request.app.state.config.data_dir / SHEETS)
    except NotFound:
        raise PageNotFound() from None
    except UnprintableVisit as exc:
        words = Words(Translator(request_language(request)))
        return render(request, "visits/unprintable.html", status=422, reason=str(exc), words=words,
                      base=visit_url(visit_id), unit=place.unit_name)
    name = f"feedback-{place.unit_code}-{visit_id[:8]}-{paper_lang}.pdf"
    headers = {**PRIVATE, "Content-Disposition": f"inline; filename=\"{quote(name)}\""}
    return Response(built.pdf, media_type="application/pdf", headers=headers)
