"""Every refusal in the contract's one body (``ErrorBody``, docs/sync-protocol.md section 2).

Validation problems name the place and the problem but never echo the input: a rejected login
must not send (or log) the password it was given.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from server.errors import STATUS_CODES, RateLimited, ServerError, error_body


def _request_id(request: Request) -> str | None:
    return getattr(request.state, "request_id", None)


def error_response(request: Request, status: int, code: str, message: str,
                   headers: dict[str, str] | None = None, **fields: Any) -> JSONResponse:
    return JSONResponse(error_body(status, code, message, request_id=_request_id(request), **fields),
                        status_code=status, headers=headers)


async def _server_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServerError)
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
    if exc.status == 401:
        headers = {"WWW-Authenticate": "Bearer"}
    return error_response(request, exc.status, exc.code, exc.message, headers, **exc.fields)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    message = exc.detail if isinstance(exc.detail, str) else "request refused"
    if exc.status_code == 404 and message == "Not Found":
        message = "no such resource"
    elif exc.status_code == 405:
        message = "no such resource for this method"
    return error_response(request, exc.status_code, STATUS_CODES.get(exc.status_code, "malformed"), message,
                          headers=getattr(exc, "headers", None))


def _location(loc: tuple[Any, ...]) -> list[str | int]:
    # A message's own fields are named from its root (["rows", 3, "key"]), as the contract shows;
    # a path, query or header parameter keeps where it came from (["path", "sha256"]).
    parts = [p if isinstance(p, int) else str(p) for p in loc]
    return parts[1:] if parts[:1] == ["body"] else parts


async def _invalid(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    # Only the place and pydantic's message: never "input" or "ctx", which carry the values sent.
    problems = [{"location": _location(tuple(e.get("loc", ()))), "message": e.get("msg", "")}
                for e in exc.errors()]
    return error_response(request, 400, "malformed", "the request is not the message this endpoint takes",
                          problems=problems)


def install(app: FastAPI) -> None:
    app.add_exception_handler(ServerError, _server_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid)
