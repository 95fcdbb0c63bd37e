"""Login, logout and the language switch.

Login is the API's (``server.accounts.login``): the same accounts, the same rate limit counted
in the database per account and per address, the same tokens. Only office roles get a session;
another account is told where its work is done, and no token is made for it.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response

from server import accounts
from server.errors import RateLimited, Unauthorized
from server.store.database import reading
from server.web.errors import PageForbidden
from server.web.i18n import LANG_COOKIE, LANGS
from server.web.render import render
from server.web.routing import page_router
from server.web.session import (
    CSRF_FIELD,
    LOGIN_COOKIE,
    SESSION_COOKIE,
    Viewer,
    csrf_matches,
    csrf_token,
    new_login_secret,
    office_names,
    safe_next,
    set_cookie,
    signed_in,
)

# The login form has no session yet: its CSRF token is bound to a cookie of its own.
login_router = APIRouter(include_in_schema=False)
# What the login page may be asked to say above the form (?notice=…): catalogue keys.
NOTICES = {"logged_out": "login.logged_out", "again": "login.again", "reset_own": "users.reset_own"}
router = page_router()


def _office_names(request: Request) -> tuple[str, str]:
    with reading(request.app.state.engine) as conn:
        return office_names(conn)


def _login_page(request: Request, secret: str, *, next_url: str, login: str = "",
                error: str | None = None, status: int = 200, notice: str | None = None,
                seconds: int = 0, role: str = "") -> Response:
    """The form; ``error`` and ``notice`` are catalogue keys under ``login.``."""
    response = render(request, "login.html", status=status, office_names=_office_names(request),
                      here="/login?next=" + quote(next_url, safe="/"), next_url=next_url, login=login,
                      error=error, notice=notice, seconds=seconds, role=role,
                      login_csrf=csrf_token(secret))
    if request.cookies.get(LOGIN_COOKIE) != secret:
        set_cookie(request, response, LOGIN_COOKIE, secret)
    return response


@login_router.get("/login")
def login_form(request: Request, next: str = "/", notice: str | None = None) -> Response:
    next_url = safe_next(next)
    if request.cookies.get(SESSION_COOKIE):
        # Signed in already (the token is checked by the page this goes to).
        with reading(request.app.state.engine) as conn:
            try:
                accounts.authenticate(conn, request.cookies[SESSION_COOKIE])
                return RedirectResponse(next_url, status_code=303)
            except Unauthorized:
                pass
    secret = request.cookies.get(LOGIN_COOKIE) or new_login_secret()
    shown = NOTICES.get(notice or "")
    return _login_page(request, secret, next_url=next_url, notice=shown)


@login_router.post("/login")
async def login_submit(request: Request) -> Response:
    form = await request.form()
    secret = request.cookies.get(LOGIN_COOKIE)
    if not csrf_matches(secret, form.get(CSRF_FIELD)):
        raise PageForbidden("error.403.login_form")
    assert secret is not None
    login = str(form.get("login") or "").strip()
    password = str(form.get("password") or "")
    next_url = safe_next(str(form.get("next") or "/"))
    if not login or not password:
        return _login_page(request, secret, next_url=next_url, login=login, error="missing", status=400)
    address = request.client.host if request.client else "unknown"
    metrics = request.app.state.metrics
    try:
        issued = accounts.login(request.app.state.engine, request.app.state.config,
                                login=login, password=password, address=address)
    except RateLimited as exc:
        metrics.logins.labels(exc.code).inc()
        refused = _login_page(request, secret, next_url=next_url, login=login,
                              error="rate_limited", status=429, seconds=exc.retry_after)
        # As the API's 429 does: a script or a proxy learns when to try again without the page.
        refused.headers["Retry-After"] = str(exc.retry_after)
        return refused
    except Unauthorized as exc:
        metrics.logins.labels(exc.code).inc()
        return _login_page(request, secret, next_url=next_url, login=login, error="wrong", status=401)
    if not issued.account.is_office:
        # Right password, wrong desk: no session for pages it could not open anyway.
        with request.app.state.engine.begin() as conn:
            accounts.revoke_token(conn, accounts.hash_token(issued.token))
        metrics.logins.labels("forbidden").inc()
        return _login_page(request, secret, next_url=next_url, login=login, error="not_office",
                           status=403, role=issued.account.role)
    metrics.logins.labels("ok").inc()
    response = RedirectResponse(next_url, status_code=303)
    set_cookie(request, response, SESSION_COOKIE, issued.token)
    # A new login form secret for the next time: the old one's token was seen by this page.
    response.delete_cookie(LOGIN_COOKIE, path="/")
    return response


@router.post("/logout")
def logout(request: Request, viewer: Viewer = Depends(signed_in)) -> Response:
    with request.app.state.engine.begin() as conn:
        accounts.revoke_token(conn, viewer.token_hash)
    response = RedirectResponse("/login?notice=logged_out", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@login_router.get("/lang/{lang}")
def switch_language(request: Request, lang: str, next: str = "/") -> Response:
    """Remember the language in a cookie (a preference, not a change of data: a plain link)."""
    response = RedirectResponse(safe_next(next, allow_login=True), status_code=303)
    if lang in LANGS:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax", path="/",
                            secure=request.url.scheme == "https")
    return response
