"""The Settings page: the office's 落款 (its name in Chinese and English, and its logo) and the
desktop release the laptops are told about. The same services as ``PUT /api/v1/office`` and
``PUT|DELETE /api/v1/client-release`` (and ``fieldmark-server release``).

Administrators change them; office staff see them read-only. Both are office-wide, and every
account already reads them (the 落款 at each pull, the release from the public
``GET /client-release``), so hiding them from staff would protect nothing, while staff who
print sheets or answer an inspector asking about the new version need to see them.

There is no audit log of office actions on the server to write to; the release row keeps who
set it (``updated_by``), as the API does.
"""

from __future__ import annotations

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.responses import RedirectResponse, Response

from app.sync.release import Release
from server import office, releases
from server.errors import BadInput, NotFound, ServerError
from server.office import Settings
from server.office_logo import MAX_LOGO_BYTES, LogoRefused, check_logo, media_type, store_logo
from server.store.blobs import BlobError, BlobStore
from server.store.database import reading, writing
from server.web.errors import PageNotFound
from server.web.render import render
from server.web.routing import page_router
from server.web.session import ADMIN, OFFICE, Viewer

router = page_router()
PAGE = "/settings"
MAX_NAME = 100
# What the page may say after a change (?done=…): catalogue keys.
DONE = {"office": "settings.office_saved", "release": "settings.release_saved",
        "withdrawn": "settings.withdrawn", "nothing": "settings.nothing_withdrawn"}
RELEASE_FIELDS = ("version", "download_url", "notes_zh", "notes_en")
# A field the release service refused -> the catalogue key that says why in the page's language.
RELEASE_ERRORS = {"version": "settings.error.version", "download_url": "settings.error.download_url",
                  "notes_zh": "settings.error.notes", "notes_en": "settings.error.notes"}

# Field name -> (catalogue key, values for its placeholders).
Errors = dict[str, tuple[str, dict[str, object]]]


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _blobs(request: Request) -> BlobStore:
    store: BlobStore = request.app.state.blobs
    return store


def _max_logo() -> str:
    return f"{MAX_LOGO_BYTES // (1024 * 1024)} MB"


def _current(request: Request) -> tuple[Settings | None, Release | None]:
    with reading(request.app.state.engine) as conn:
        try:
            settings: Settings | None = office.get_settings(conn)
        except NotFound:
            settings = None
        return settings, releases.get_release(conn)


def _page(request: Request, viewer: Viewer, *, status: int = 200, done: str | None = None,
          office_values: dict[str, str] | None = None, office_errors: Errors | None = None,
          release_values: dict[str, str] | None = None, release_errors: Errors | None = None,
          problem: str | None = None) -> Response:
    settings, release = _current(request)
    if office_values is None:
        office_values = {"name_zh": settings.name_zh if settings else "",
                         "name_en": settings.name_en if settings else ""}
    if release_values is None:
        release_values = {name: getattr(release, name) if release else "" for name in RELEASE_FIELDS}
    return render(request, "settings/page.html", status=status, here=PAGE, settings=settings,
                  release=release, may_edit=viewer.is_admin, done=DONE.get(done or ""),
                  office_values=office_values, office_errors=office_errors or {},
                  release_values=release_values, release_errors=release_errors or {},
                  problem=problem, max_logo=_max_logo(), max_name=MAX_NAME)


@router.get(PAGE)
def settings_page(request: Request, done: str | None = None, viewer: Viewer = OFFICE) -> Response:
    return _page(request, viewer, done=done)


@router.get(PAGE + "/logo")
def logo(request: Request, viewer: Viewer = OFFICE) -> Response:
    """The current logo, for the page's <img> (the API's blob route takes a token, not a session)."""
    settings, _release = _current(request)
    if settings is None or settings.logo_sha256 is None:
        raise PageNotFound()
    try:
        data = b"".join(_blobs(request).iter_chunks(settings.logo_sha256))
    except BlobError:
        raise PageNotFound() from None
    return Response(data, media_type=media_type(data),
                    headers={"Cache-Control": "private, no-cache", "X-Content-Type-Options": "nosniff"})


async def _logo_upload(form: FormData, errors: Errors) -> bytes | None:
    """The chosen file's bytes when it is a logo the page may store; None when no file was
    chosen or it is refused (the refusal, in words, goes in ``errors``)."""
    sent = form.get("logo")
    if not isinstance(sent, UploadFile) or not sent.filename:
        return None
    # One byte over the limit is enough to know it is too large.
    data = await sent.read(MAX_LOGO_BYTES + 1)
    try:
        check_logo(data)
    except LogoRefused as refused:
        errors["logo"] = (f"settings.error.logo_{refused.reason}", {"file": sent.filename, "max": _max_logo()})
        return None
    return data


@router.post(PAGE + "/office")
async def save_office(request: Request, viewer: Viewer = ADMIN) -> Response:
    """The names and the logo: a new file replaces the logo, "remove" clears it, else it stays."""
    form = await request.form()
    name_zh, name_en = _field(form, "name_zh"), _field(form, "name_en")
    errors: Errors = {}
    if not name_zh:
        errors["name_zh"] = ("settings.error.name_zh", {})
    for name, value in (("name_zh", name_zh), ("name_en", name_en)):
        if len(value) > MAX_NAME:
            errors[name] = ("settings.error.name_long", {"max": MAX_NAME})
    data = await _logo_upload(form, errors)
    values = {"name_zh": name_zh, "name_en": name_en}
    if errors:
        return _page(request, viewer, status=400, office_values=values, office_errors=errors)
    settings, _release = _current(request)
    logo_sha = settings.logo_sha256 if settings else None
    if form.get("remove_logo") == "1":
        logo_sha = None
    store = _blobs(request)
    try:
        if data is not None:
            # The large I/O before the short transaction, as the API's upload does.
            logo_sha = await run_in_threadpool(store_logo, store, data)
        elif logo_sha is not None and (await run_in_threadpool(store.missing, [logo_sha])) != []:
            # Kept, but its blob is gone (a store restored without it): the sign-off would
            # name an image no laptop can fetch.
            return _page(request, viewer, status=409, office_values=values,
                         office_errors={"logo": ("settings.error.logo_missing", {})})
        with writing(request.app.state.engine) as conn:
            office.set_settings(conn, store, name_zh=name_zh, name_en=name_en, logo_sha256=logo_sha)
    except BlobError:
        return _page(request, viewer, status=503, office_values=values,
                     office_errors={"logo": ("settings.error.store", {})})
    except ServerError as exc:
        return _page(request, viewer, status=exc.status, office_values=values, problem=exc.message)
    return RedirectResponse(PAGE + "?done=office", status_code=303)


@router.post(PAGE + "/release")
async def save_release(request: Request, viewer: Viewer = ADMIN) -> Response:
    """Offer a release: the service's checks decide, refused fields are named in the form."""
    form = await request.form()
    values = {name: _field(form, name) for name in RELEASE_FIELDS}
    try:
        with writing(request.app.state.engine) as conn:
            releases.set_release(conn, version=values["version"], download_url=values["download_url"],
                                 notes_zh=values["notes_zh"], notes_en=values["notes_en"], by=viewer.account.id)
    except BadInput as exc:
        errors = _by_field(exc)
        # A refusal of no field the form has is shown in the service's own words.
        return _page(request, viewer, status=400, release_values=values, release_errors=errors,
                     problem=None if errors else exc.message)
    return RedirectResponse(PAGE + "?done=release", status_code=303)


def _by_field(exc: BadInput) -> Errors:
    errors: Errors = {}
    for problem in exc.fields.get("problems", []):
        field = str(problem["location"][-1])
        if field in RELEASE_ERRORS:
            errors[field] = (RELEASE_ERRORS[field], {"max": releases.MAX_NOTES, "max_url": releases.MAX_URL})
    return errors


@router.post(PAGE + "/release/withdraw")
def withdraw_release(request: Request, viewer: Viewer = ADMIN) -> Response:
    with writing(request.app.state.engine) as conn:
        withdrawn = releases.clear_release(conn)
    return RedirectResponse(PAGE + "?done=" + ("withdrawn" if withdrawn else "nothing"), status_code=303)
