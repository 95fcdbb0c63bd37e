"""The office pages' session: a cookie holding an opaque token from the same ``tokens`` table
as the API's (only its hash is stored; expiry, revocation and a disabled account work alike),
the CSRF token bound to it, and the dependencies every page handler takes.

The CSRF token is an HMAC of the session token: only a page served to the holder of the cookie
can carry it, a stolen database (which holds the token's hash only) cannot make it, and several
server processes agree on it without sharing anything in memory.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from fastapi import Depends, Request
from sqlalchemy import Connection
from starlette.responses import Response

from server import accounts
from server.accounts import OFFICE_ROLES, Account
from server.areas import Area, area_by_code
from server.errors import Unauthorized
from server.office import get_settings
from server.store.database import reading
from server.store.schema import office_settings
from server.web.errors import LoginRequired, PageForbidden

SESSION_COOKIE = "fm_session"
# Set by the login page before anyone has a session, so its form too carries a CSRF token.
LOGIN_COOKIE = "fm_login"
CSRF_FIELD = "csrf_token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class Viewer:
    """The signed-in account of a page request, with what every page shows of it."""

    account: Account
    token_hash: str
    csrf: str
    # The scope's area; None is the whole tree.
    scope_area: Area | None
    office_name_zh: str
    office_name_en: str

    @property
    def scope(self) -> str:
        """The scope's path: queries keep to rows whose area path starts with it."""
        return self.account.scope

    @property
    def is_admin(self) -> bool:
        return self.account.role == "admin"


def csrf_token(secret: str) -> str:
    """The form token bound to ``secret`` (a session token, or the login cookie's value)."""
    return hmac.new(secret.encode(), b"fieldmark web form", hashlib.sha256).hexdigest()


def csrf_matches(secret: str | None, given: object) -> bool:
    if not secret or not isinstance(given, str):
        return False
    return hmac.compare_digest(csrf_token(secret), given)


def safe_next(target: str | None, default: str = "/", *, allow_login: bool = False) -> str:
    """A place on this server to go after login: a path, never another site (``//evil``,
    ``/\\evil`` and ``https://evil`` all fall back to ``default``), never the login or logout
    (unless ``allow_login``: the language switch on the login page comes back to it)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    if any(ord(c) < 0x20 or c == "\x7f" for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or parts.path == "/logout" or (parts.path == "/login" and not allow_login):
        return default
    return target


def login_url(request: Request) -> str:
    """The login page, coming back here after; a form sent without a session comes back to
    the home page (its own address answers only the form)."""
    if request.method != "GET":
        return "/login"
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/login?next=" + quote(safe_next(here), safe="/")


def set_cookie(request: Request, response: Response, name: str, value: str) -> None:
    """A cookie only the server reads, sent back only to this site (and only over https when the
    page came over https), with no lifetime: it goes when the browser closes; the server's token
    expiry ends the session earlier."""
    response.set_cookie(name, value, httponly=True, samesite="lax", path="/",
                        secure=request.url.scheme == "https")


def new_login_secret() -> str:
    return secrets.token_urlsafe(32)


def office_names(conn: Connection) -> tuple[str, str]:
    """The office's name in Chinese and English, for the header; empty until an admin sets it."""
    # The settings are set by an admin once; until then the header shows the product's name.
    if conn.execute(office_settings.select().limit(1)).first() is None:
        return "", ""
    settings = get_settings(conn)
    return settings.name_zh, settings.name_en


def signed_in(request: Request) -> Viewer:
    """The viewer of a page, or a redirect to the login page (which comes back here after)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise LoginRequired(login_url(request))
    with reading(request.app.state.engine) as conn:
        try:
            session = accounts.authenticate(conn, token)
        except Unauthorized:
            raise LoginRequired(login_url(request), expired=True) from None
        area = area_by_code(conn, session.account.scope_code) if session.account.scope_code else None
        name_zh, name_en = office_names(conn)
    viewer = Viewer(session.account, session.token_hash, csrf_token(token), area, name_zh, name_en)
    # The layout (and an error page) shows who is signed in and the sections they may open.
    request.state.viewer = viewer
    return viewer


def signed_in_or_none(request: Request) -> Viewer | None:
    """The viewer when the request carries a live session, else None (for a page that has no
    handler of its own to ask, such as an unknown address)."""
    try:
        return signed_in(request)
    except LoginRequired:
        return None


def office(viewer: Viewer = Depends(signed_in)) -> Viewer:
    """Office staff and administrators: the office pages are theirs."""
    if viewer.account.role not in OFFICE_ROLES:
        raise PageForbidden("error.403.role", role=viewer.account.role)
    return viewer


def admin(viewer: Viewer = Depends(office)) -> Viewer:
    if not viewer.is_admin:
        raise PageForbidden("error.403.admin")
    return viewer


async def checked_form(request: Request) -> None:
    """Refuse (403, nothing done) a POST, PUT, PATCH or DELETE that does not carry the session's
    CSRF token, in the form's ``csrf_token`` field or (for a script's request) the X-CSRF-Token
    header. Every page router runs it (``server.web.routing.page_router``)."""
    if request.method not in UNSAFE_METHODS:
        return
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise LoginRequired(login_url(request))
    form = await request.form()
    given = form.get(CSRF_FIELD) or request.headers.get("x-csrf-token")
    if not csrf_matches(token, given):
        raise PageForbidden("error.403.csrf")


OFFICE = Depends(office)
ADMIN = Depends(admin)
