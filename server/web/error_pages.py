"""Errors answered as pages in the layout, for every path outside the API.

The API keeps its JSON bodies: each handler here hands an API path to the handler it replaces.
No page shows a stack trace; a 500 shows the request number the log line carries.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from server.errors import ServerError
from server.observe import LOGGER
from server.web.errors import LoginRequired, PageError
from server.web.render import render
from server.web.session import SESSION_COOKIE, signed_in_or_none

Handler = Callable[[Request, Exception], Awaitable[Response]]
# The statuses that have words of their own; any other 4xx is shown as a bad request.
TITLED = (400, 403, 404, 500)


def is_page(request: Request) -> bool:
    return not request.url.path.startswith("/api/")


def error_page(request: Request, status: int, message_key: str | None = None, *,
               role: str | None = None) -> Response:
    shown = status if status in TITLED else (500 if status >= 500 else 400)
    return render(request, "error.html", status=status, shown=shown,
                  message_key=message_key or f"error.{shown}.text", role=role,
                  request_id=getattr(request.state, "request_id", None))


async def _page_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageError)
    return error_page(request, exc.status, exc.message_key, role=exc.role)


async def _login_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    response = RedirectResponse(exc.location, status_code=303)
    if exc.expired:
        response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _pages_or(previous: Callable[..., Any] | None, page: Callable[[Request, Exception], Response]) -> Handler:
    async def handle(request: Request, exc: Exception) -> Response:
        if is_page(request) or previous is None:
            return page(request, exc)
        answer = previous(request, exc)
        return await answer if inspect.isawaitable(answer) else answer  # type: ignore[no-any-return]

    return handle


def _server_error_page(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ServerError)
    if exc.status == 401:
        return RedirectResponse("/login", status_code=303)
    return error_page(request, exc.status)


def _http_error_page(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if getattr(request.state, "viewer", None) is None:
        # No page handler ran (an unknown address): the layout still shows who is signed in.
        signed_in_or_none(request)
    # 405: a page asked for with a method it does not answer is, to a person, not there.
    return error_page(request, 404 if exc.status_code == 405 else exc.status_code)


def _invalid_page(request: Request, _exc: Exception) -> Response:
    return error_page(request, 400)


async def _crash(request: Request, exc: Exception) -> Response:
    """Starlette logs the exception and re-raises it after this answer; the page only says
    that the server failed, with the request number."""
    if not is_page(request):
        return PlainTextResponse("Internal Server Error", status_code=500)
    logging.getLogger(LOGGER).error("page failed", extra={
        "request_id": getattr(request.state, "request_id", None),
        "fields": {"path": request.url.path, "error": exc.__class__.__name__}})
    return error_page(request, 500)


def install(app: FastAPI) -> None:
    """After the API's handlers are installed: each is kept for the API's paths."""
    app.add_exception_handler(PageError, _page_error)
    app.add_exception_handler(LoginRequired, _login_required)
    for kind, page in ((ServerError, _server_error_page), (HTTPException, _http_error_page),
                       (RequestValidationError, _invalid_page)):
        app.add_exception_handler(kind, _pages_or(app.exception_handlers.get(kind), page))
    app.add_exception_handler(Exception, _crash)
