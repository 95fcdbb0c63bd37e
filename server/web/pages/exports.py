"""A campaign's downloads: the exports page (``/exports``), the CSV and XLSX of its visits, item
scores and findings (``/exports/{campaign}/{visits|items|findings}.{csv|xlsx}``) and its bulletin
(``/campaigns/{campaign}/bulletin.pdf``), each within the viewer's scope.

The files are made by server.dashboard.exports and server.dashboard.bulletin from the figures the
pages show. Their values are in the page's language unless ``?lang=zh|en`` asks for the other.
A campaign that assigns no unit inside the scope is 'not found', as on its overview page.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import quote

from fastapi import Request
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.responses import FileResponse, Response, StreamingResponse

from server.dashboard import choices
from server.dashboard.bulletin import bulletin_pdf
from server.dashboard.exports import FORMATS, TABLES, ExportFailed, build_xlsx, stream_csv
from server.errors import NotFound
from server.store.blobs import BlobStore
from server.store.database import reading
from server.web.errors import PageError
from server.web.i18n import LANGS, Translator, request_language
from server.web.pages.dashboard_parts import Labels, not_found, url
from server.web.render import render
from server.web.routing import page_router
from server.web.session import OFFICE, Viewer

router = page_router()
MEDIA = {"csv": "text/csv; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "pdf": "application/pdf"}
# Downloads carry personal data: never cached, never sniffed into something else.
DOWNLOAD_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


@dataclass(frozen=True)
class Download:
    table: str
    links: dict[str, str]


def _lang(request: Request) -> str:
    asked = request.query_params.get("lang", "")
    if not asked:
        return request_language(request)
    if asked not in LANGS:
        raise PageError(400, "exports.error.lang")
    return asked


def _campaign(request: Request, viewer: Viewer, campaign_id: str) -> choices.CampaignSummary:
    with reading(request.app.state.engine) as conn:
        try:
            return choices.campaign_in_scope(conn, viewer.scope, campaign_id)
        except NotFound:
            raise not_found() from None


def disposition(name: str, fallback: str) -> str:
    """``attachment`` with the file's name: plain ASCII for old clients, UTF-8 for the rest."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def file_name(campaign: choices.CampaignSummary, part: str, extension: str) -> str:
    # A campaign's name is typed by the office: keep it out of the path's separators.
    safe = "".join("_" if c in '/\\:*?"<>|' or ord(c) < 0x20 else c for c in campaign.name)
    return f"{safe}-{part}.{extension}"


def _workbook_path(request: Request) -> Path:
    """A new file for a workbook being built, in the data folder's ``exports`` (on the data's
    disk, not a small /tmp); it is removed once sent, or when the build fails."""
    folder = Path(request.app.state.config.data_dir) / "exports"
    folder.mkdir(exist_ok=True)
    handle, name = tempfile.mkstemp(prefix="fieldmark-export-", suffix=".xlsx", dir=folder)
    os.close(handle)
    return Path(name)


@router.get("/exports")
def exports_page(request: Request, viewer: Viewer = OFFICE) -> Response:
    lang = request_language(request)
    chosen = request.query_params.get("campaign", "").strip()
    with reading(request.app.state.engine) as conn:
        campaigns = choices.campaigns_in_scope(conn, viewer.scope)
    campaign = next((c for c in campaigns if c.campaign_id == chosen), None) if chosen else \
        (campaigns[0] if campaigns else None)
    if chosen and campaign is None:
        raise not_found()
    downloads = []
    if campaign is not None:
        for name in TABLES:
            downloads.append(Download(name, {fmt: f"/exports/{campaign.campaign_id}/{name}.{fmt}" for fmt in FORMATS}))
    bulletin = {code: url(f"/campaigns/{campaign.campaign_id}/bulletin.pdf", lang=code)
                for code in LANGS} if campaign else {}
    return render(request, "exports/exports.html", campaigns=campaigns, campaign=campaign, downloads=downloads,
                  bulletin=bulletin, labels=Labels(lang))


@router.get("/exports/{campaign_id}/{name}.{fmt}")
def export_file(request: Request, campaign_id: str, name: str, fmt: str, viewer: Viewer = OFFICE) -> Response:
    if name not in TABLES or fmt not in FORMATS:
        raise not_found()
    lang = _lang(request)
    campaign = _campaign(request, viewer, campaign_id)
    table = TABLES[name]
    shown = file_name(campaign, table.title(lang), fmt)
    headers = {**DOWNLOAD_HEADERS, "Content-Disposition": disposition(shown, f"{table.en}.{fmt}")}
    engine = request.app.state.engine
    today = date.today()
    path: Path | None = None
    if fmt == "csv":
        return StreamingResponse(stream_csv(engine, viewer.scope, campaign_id, name, lang=lang, today=today),
                                 media_type=MEDIA["csv"], headers=headers)
    try:
        path = _workbook_path(request)
        build_xlsx(engine, viewer.scope, campaign_id, name, path, lang=lang, today=today,
                   sheet=table.title(lang))
    except (ExportFailed, OSError):
        if path is not None:
            path.unlink(missing_ok=True)
        raise PageError(503, "exports.error.write") from None
    except BaseException:
        if path is not None:
            path.unlink(missing_ok=True)
        raise
    return FileResponse(path, media_type=MEDIA["xlsx"], headers=headers,
                        background=BackgroundTask(path.unlink, missing_ok=True))


@router.get("/campaigns/{campaign_id}/bulletin.pdf")
async def bulletin_file(request: Request, campaign_id: str, viewer: Viewer = OFFICE) -> Response:
    lang = _lang(request)
    blobs: BlobStore = request.app.state.blobs
    try:
        data, pdf = await run_in_threadpool(bulletin_pdf, request.app.state.engine, blobs, viewer.scope, campaign_id,
                                            lang=lang, today=date.today())
    except NotFound:
        raise not_found() from None
    t = Translator(lang)
    shown = file_name(data.campaign, t("exports.bulletin_file"), "pdf")
    headers = {**DOWNLOAD_HEADERS, "Content-Disposition": disposition(shown, "bulletin.pdf").replace(
        "attachment", "inline", 1)}
    return Response(pdf, media_type=MEDIA["pdf"], headers=headers)
