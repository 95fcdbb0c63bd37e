"""Operations: structured JSON logs with a request id, Prometheus metrics, and the gate every
request passes (request id, body size limit, protocol version).

Logs never carry a header or a body: the token travels in a header and the password in a
body, so neither can reach a log line from here.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from contextvars import ContextVar
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.exceptions import HTTPException

from server.config import API_PREFIX, MIN_PROTOCOL, PROTOCOL, PROTOCOL_HEADER, Config
from server.errors import error_body
from server.store.blobs.base import STALL_TIMEOUT_S

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

LOGGER = "fieldmark.server"
# A JSON body silent this long is given up (blob and bundle uploads keep their own watch).
BODY_STALL_S = STALL_TIMEOUT_S
# Paths whose bodies stream (blob uploads, bundle imports): their handlers enforce their own
# size limit.
STREAMED_PREFIXES = (API_PREFIX + "/blobs", API_PREFIX + "/bundles")
BLOB_UPLOADS = API_PREFIX + "/blobs/"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_WHOLE_NUMBER = re.compile(r"^[0-9]{1,9}$")
request_id: ContextVar[str] = ContextVar("request_id", default="-")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id and extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id.get(),
        }
        doc.update(getattr(record, "fields", {}))
        if record.exc_info:
            doc["exc"] = self.formatException(record.exc_info)
        return json.dumps(doc, ensure_ascii=False, default=str)


def setup_logging(stream: Any = None, level: int = logging.INFO) -> None:
    """JSON lines on stderr for the server and uvicorn's own loggers (replacing their handlers)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    for name in (LOGGER, "uvicorn", "uvicorn.error"):
        log = logging.getLogger(name)
        log.handlers[:] = [handler]
        log.setLevel(level)
        log.propagate = False


class Metrics:
    """The app's own registry: two apps in one process (the tests) do not clash."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("fieldmark_http_requests_total", "HTTP requests answered",
                                ["method", "route", "status"], registry=self.registry)
        self.latency = Histogram("fieldmark_http_request_seconds", "Time to answer a request",
                                 ["method", "route"], registry=self.registry)
        self.logins = Counter("fieldmark_logins_total", "Login attempts by outcome", ["outcome"],
                              registry=self.registry)
        self.pushes = Counter("fieldmark_pushes_total", "Changesets pushed, by outcome", ["outcome"],
                              registry=self.registry)
        self.conflicts = Counter("fieldmark_conflicts_total", "Conflicts recorded by pushes and bundle imports",
                                 registry=self.registry)
        # Bytes as they arrive on blob uploads (whatever the outcome), and those a bundle added.
        self.blob_bytes = Counter("fieldmark_blob_bytes_received_total", "Blob bytes received, by way",
                                  ["via"], registry=self.registry)
        self.bundles = Counter("fieldmark_bundles_total", "Bundles imported over HTTP, by outcome", ["outcome"],
                               registry=self.registry)


def _error_json(status: int, code: str, message: str, **fields: Any) -> bytes:
    body = error_body(status, code, message, request_id=request_id.get(), **fields)
    return json.dumps(body, ensure_ascii=False).encode()


async def _answer(send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]) -> None:
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *headers]})
    await send({"type": "http.response.body", "body": body})


class BodyStalled(HTTPException):
    """A request body that stopped arriving (a laptop's Wi-Fi dropped without the connection
    closing): without it the request would wait for ever, and a graceful shutdown with it."""

    def __init__(self, seconds: float) -> None:
        super().__init__(408, f"the request body stopped arriving for {seconds:g} s; send the request again")


class BodyTooLarge(HTTPException):
    """An HTTPException, as FastAPI passes those through from body reading to the error handler."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit} bytes")
        self.limit = limit


class Gate:
    """Pure ASGI middleware: runs before routing and body parsing, so a bad request costs little."""

    def __init__(self, app: ASGIApp, config: Config, metrics: Metrics) -> None:
        self.app = app
        self.config = config
        self.metrics = metrics
        self.log = logging.getLogger(LOGGER)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        given = headers.get("x-request-id", "")
        rid = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        token = request_id.set(rid)
        scope.setdefault("state", {})["request_id"] = rid
        started = time.perf_counter()
        status = 500
        # Every answer names its request; every API answer names the protocol the server speaks,
        # so a client newer than the server, served as this version, knows it.
        extra_headers = [(b"x-request-id", rid.encode())]
        if scope["path"].startswith("/api/"):
            extra_headers.append((PROTOCOL_HEADER.lower().encode(), str(PROTOCOL).encode()))

        async def send_wrapped(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), *extra_headers]
            await send(message)

        try:
            refusal = self._refuse(scope["path"], headers)
            if refusal is not None:
                status, body, extra = refusal
                await _answer(send, status, body, [*extra, *extra_headers])
                return
            limit = None if scope["path"].startswith(STREAMED_PREFIXES) else self.config.max_body_bytes
            if scope["method"] == "PUT" and scope["path"].startswith(BLOB_UPLOADS):
                receive = _counted(receive, self.metrics.blob_bytes.labels("upload"))
            await self.app(scope, _limited(receive, limit) if limit else receive, send_wrapped)
        finally:
            route = scope.get("route")
            name = getattr(route, "path", None) or "(unmatched)"
            elapsed = time.perf_counter() - started
            self.metrics.requests.labels(scope["method"], name, str(status)).inc()
            self.metrics.latency.labels(scope["method"], name).observe(elapsed)
            self.log.info("request", extra={"fields": {
                "method": scope["method"], "path": scope["path"], "route": name, "status": status,
                "ms": round(elapsed * 1000, 1), "client": (scope.get("client") or ["-"])[0]}})
            request_id.reset(token)

    def _refuse(self, path: str, headers: dict[str, str]) -> tuple[int, bytes, list[tuple[bytes, bytes]]] | None:
        length = headers.get("content-length", "")
        if (length.isdigit() and int(length) > self.config.max_body_bytes
                and not path.startswith(STREAMED_PREFIXES)):
            return 413, _too_large(self.config.max_body_bytes), []
        if not path.startswith("/api/"):
            return None
        given = headers.get(PROTOCOL_HEADER.lower())
        if given is not None and not _WHOLE_NUMBER.match(given.strip()):
            return 400, _error_json(400, "malformed", f"{PROTOCOL_HEADER} must be a whole number",
                                    problems=[{"location": ["header", PROTOCOL_HEADER],
                                               "message": "not a whole number"}]), []
        # No header at all: the client predates it, so it is too old. A version above this
        # server's is served as this server's version (the response header names it).
        if given is None or int(given) < MIN_PROTOCOL:
            return 426, _error_json(
                426, "protocol_too_old",
                f"This Fieldmark is too old for the server (protocol {given or 'none'}; the server "
                f"needs {MIN_PROTOCOL} or later): please update it.",
                min_version=MIN_PROTOCOL), [(b"upgrade", f"{PROTOCOL_HEADER}/{PROTOCOL}".encode())]
        return None


def _too_large(limit: int) -> bytes:
    return _error_json(413, "too_large", f"the request body is larger than {limit} bytes")


def _limited(receive: Receive, limit: int) -> Receive:
    """Count the body as it arrives (a chunked request has no Content-Length to refuse early),
    and give up on one that stops arriving for BODY_STALL_S."""
    seen = 0
    complete = False

    async def wrapped() -> Message:
        nonlocal seen, complete
        if complete:
            # After the body only the disconnect is awaited, for as long as the answer streams.
            return await receive()
        try:
            message = await asyncio.wait_for(receive(), BODY_STALL_S)
        except TimeoutError:
            raise BodyStalled(BODY_STALL_S) from None
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge(limit)
            complete = not message.get("more_body", False)
        else:
            complete = True
        return message

    return wrapped


def _counted(receive: Receive, counter: Any) -> Receive:
    """Count a body's bytes into ``counter`` as they arrive."""

    async def wrapped() -> Message:
        message = await receive()
        if message["type"] == "http.request":
            counter.inc(len(message.get("body", b"")))
        return message

    return wrapped
