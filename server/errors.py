"""The server's typed errors. The API turns each into the contract's one error body
(``app.sync.errors_body.ErrorBody``), the CLI into a line.

Each error's ``code`` is one of the contract's (``ErrorCode``); the HTTP answer's extra fields
(``problems``, ``missing_blobs``, ``min_version``, ``retry_after_s``, ``entry``,
``latest_device_seq``) travel in
``fields``. ``details`` is for the CLI only (the lines it prints under the message).
"""

from __future__ import annotations

from typing import Any, get_args

from app.sync.errors import BundleError
from app.sync.errors_body import ErrorBody, ErrorCode

CONTRACT_CODES: frozenset[str] = frozenset(get_args(ErrorCode))
# The code an answer of this status has when its error names none of the contract's.
STATUS_CODES: dict[int, str] = {400: "malformed", 401: "unauthenticated", 403: "forbidden",
                                404: "not_found", 405: "not_found",
                                413: "too_large", 415: "malformed", 422: "invalid",
                                426: "protocol_too_old", 429: "rate_limited"}


class ServerError(Exception):
    """Base of every error a client or an operator should see as a message."""

    status = 400
    code = "malformed"

    def __init__(self, message: str, *, details: Any = None, **fields: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        self.fields = fields


class ConfigError(ServerError):
    code = "config"


class Malformed(ServerError):
    """Not the message the endpoint takes (a wrong type, a bad name in the path)."""

    status = 400
    code = "malformed"


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


class DeviceKeyMismatch(Conflict):
    """A device id registered already with another public key."""

    code = "device_key_mismatch"


class ChangesetReused(Conflict):
    """A changeset id applied already, now with other content."""

    code = "changeset_reused"


class StaleChangeset(Conflict):
    """A device_seq at or below one applied already from the same device; ``latest_device_seq``
    says the highest applied, so a laptop whose counter fell behind can catch up."""

    code = "stale_changeset"


class BlobsMissing(ServerError):
    """A changeset lists blobs the server lacks (``missing_blobs``): upload them, push again."""

    status = 422
    code = "blobs_missing"


class Unauthorized(ServerError):
    status = 401
    code = "unauthenticated"


class Forbidden(ServerError):
    status = 403
    code = "forbidden"


class DeviceNotRegistered(Forbidden):
    """A changeset from a device id that is not registered to the pushing account; the
    message says what to do."""

    code = "device_not_registered"

    def __init__(self, device_id: str) -> None:
        super().__init__(f"the device {device_id} is not registered to this account; register it with "
                         f"PUT /api/v1/devices/{device_id} (after login), then push again")
        self.device_id = device_id


class BundleRefused(ServerError):
    """A bundle that failed a check of docs/sync-protocol.md section 11: the reader's typed error
    (``app.sync.errors``), its code and the offending ``entry`` kept as they are."""

    status = 422

    def __init__(self, error: BundleError) -> None:
        super().__init__(str(error), entry=error.entry)
        self.code = error.code
        self.entry = error.entry


class RateLimited(ServerError):
    status = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, retry_after_s=retry_after)
        self.retry_after = retry_after


def error_body(status: int, code: str, message: str, *, request_id: str | None = None,
               **fields: Any) -> dict[str, Any]:
    """The JSON of an error answer. A 4xx is the contract's ``ErrorBody`` (checked here, so the
    server cannot send another shape); a code outside the contract becomes its status's code.
    A 5xx has no promised body: the same keys, with the server's own code."""
    if status >= 500:
        body: dict[str, Any] = {"code": code, "message": message}
        if request_id:
            body["request_id"] = request_id
        return body
    if code not in CONTRACT_CODES:
        code = STATUS_CODES.get(status, "malformed")
    checked = ErrorBody.model_validate({"code": code, "message": message, "request_id": request_id, **fields})
    return checked.model_dump(mode="json", exclude_defaults=True)


# The blob routes' refusals.
class TooLarge(ServerError):
    status = 413
    code = "too_large"


class HashMismatch(ServerError):
    status = 422
    code = "hash_mismatch"


class UploadCut(ServerError):
    """The client went away mid-body. It will not read this answer; the log and metrics will."""

    status = 400
    code = "malformed"


class StoreUnavailable(ServerError):
    status = 503
    code = "unavailable"
