"""The server's typed errors. The API turns each into one JSON error shape, the CLI into a line."""

from __future__ import annotations

from typing import Any


class ServerError(Exception):
    """Base of every error a client or an operator should see as a message."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class ConfigError(ServerError):
    code = "config"


class BadInput(ServerError):
    status = 422
    code = "invalid"


class NotFound(ServerError):
    """Also the answer for an object outside the caller's scope: it must not leak existence."""

    status = 404
    code = "not_found"


class Conflict(ServerError):
    status = 409
    code = "conflict"


class Unauthorized(ServerError):
    status = 401
    code = "unauthorized"


class Forbidden(ServerError):
    status = 403
    code = "forbidden"


class RateLimited(ServerError):
    status = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, details={"retry_after": retry_after})
        self.retry_after = retry_after
