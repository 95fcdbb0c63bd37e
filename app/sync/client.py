"""The laptop's HTTP side of sync (docs/sync-protocol.md): one httpx client, typed refusals.

Every request carries the protocol header and, once logged in, the bearer token. A dropped
connection, a timeout, a 5xx or a 429 is tried again with exponential backoff (429 waits as long
as the server asks); a 4xx other than 429 is an answer, never retried. Every endpoint the engine
calls is safe to repeat: a changeset is applied once by its id, a blob is named by its content,
and a pull only reads.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from app.errors import FieldmarkError
from app.sync.errors_body import ErrorBody
from app.sync.protocol import (
    API_PREFIX,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    BlobsMissingRequest,
    BlobsMissingResponse,
    BlobStored,
    Changeset,
    DeviceRegistered,
    DeviceRegistration,
    LoginRequest,
    LoginResponse,
    Receipt,
)
from app.sync.pull import PullPage, PullRequest

M = TypeVar("M", bound=BaseModel)
CHUNK = 256 * 1024


class SyncError(FieldmarkError):
    """A sync that could not go on; ``reason`` is what the CLI's exit code and the UI key on."""

    reason = "failed"


class Offline(SyncError):
    reason = "offline"


class Cancelled(SyncError):
    """The person stopped the sync. A progress callback raises it; every step of a run is whole
    (an upload unfinished stores nothing, a changeset is kept before its push, a pulled page and
    its cursor commit together), so stopping anywhere leaves both sides consistent."""

    reason = "cancelled"


class ServerFault(SyncError):
    """5xx after every retry, or an answer that is not the protocol's."""

    reason = "server_error"


class Unauthenticated(SyncError):
    reason = "authentication"


class ProtocolMismatch(SyncError):
    reason = "protocol"


class Refused(SyncError):
    """A 4xx with the protocol's ErrorBody: ``body.code`` says which."""

    reason = "refused"

    def __init__(self, status: int, body: ErrorBody) -> None:
        super().__init__(f"{body.message} ({body.code}, HTTP {status})")
        self.status = status
        self.body = body

    @property
    def code(self) -> str:
        return self.body.code


@dataclass(frozen=True)
class Retry:
    attempts: int = 4
    first_wait: float = 0.5
    longest_wait: float = 30.0
    # Connect, read and write timeouts in seconds; a big photo on a slow link is many reads.
    timeout: float = 30.0

    def wait(self, attempt: int) -> float:
        return float(min(self.longest_wait, self.first_wait * 2**attempt))


def _body(answer: httpx.Response) -> ErrorBody | None:
    try:
        return ErrorBody.model_validate_json(answer.content)
    except ValidationError:
        return None


def _refusal(answer: httpx.Response) -> SyncError:
    body = _body(answer)
    if answer.status_code == 401:
        return Unauthenticated("the server no longer accepts this login (expired or revoked): run "
                               "`fieldmark login` again; nothing on this laptop was lost")
    if answer.status_code == 426:
        needed = body.min_version if body and body.min_version else "a newer"
        return ProtocolMismatch(f"the server needs sync protocol {needed}, this Fieldmark speaks "
                                f"{PROTOCOL_VERSION}: please update Fieldmark")
    if body is None:
        return ServerFault(f"the server answered HTTP {answer.status_code} without the protocol's error body")
    return Refused(answer.status_code, body)


class Client:
    """One server, one login. ``transport`` lets a test put faults between the client and a real
    server; nothing else replaces the network."""

    def __init__(self, server_url: str, token: str | None = None, *, retry: Retry | None = None,
                 transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.retry = retry or Retry()
        self.token = token
        self._sleep = sleep
        headers = {PROTOCOL_HEADER: str(PROTOCOL_VERSION)}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.http = httpx.Client(base_url=server_url.rstrip("/") + API_PREFIX, headers=headers,
                                 timeout=self.retry.timeout, transport=transport)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the retry loop ------------------------------------------------------------------------

    def request(self, method: str, path: str, *, content: Callable[[], Any] | None = None,
                json: BaseModel | None = None, headers: dict[str, str] | None = None,
                stream_to: Callable[[httpx.Response], Any] | None = None) -> httpx.Response:
        """Send until the server gives an answer that is not a fault; raise the typed refusal of a
        4xx. ``content`` makes the body anew for each attempt (a file read from its start)."""
        last = ""
        wait = 0.0
        for attempt in range(self.retry.attempts):
            if attempt:
                self._sleep(wait)
            wait = self.retry.wait(attempt)
            try:
                body = None if json is None else json.model_dump_json().encode("utf-8")
                sent_headers = dict(headers or {})
                if body is not None:
                    sent_headers["Content-Type"] = "application/json"
                request = self.http.build_request(method, path, content=content() if content else body,
                                                  headers=sent_headers)
                answer = self.http.send(request, stream=stream_to is not None)
                try:
                    if answer.status_code >= 500 or answer.status_code == 429:
                        answer.read()
                        last = f"the server answered HTTP {answer.status_code}"
                        if answer.status_code == 429:
                            wait = max(wait, self._retry_after(answer))
                        continue
                    if answer.status_code >= 400:
                        answer.read()
                        raise _refusal(answer)
                    if stream_to is not None:
                        stream_to(answer)
                    else:
                        answer.read()
                    return answer
                finally:
                    answer.close()
            except httpx.TransportError as exc:
                last = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        if last.startswith("the server answered"):
            raise ServerFault(f"{last} after {self.retry.attempts} tries; try again later")
        raise Offline(f"the server {self.http.base_url.host} cannot be reached ({last}); "
                      "you are offline or it is down; nothing was lost, sync again later")

    def _retry_after(self, answer: httpx.Response) -> float:
        header = answer.headers.get("Retry-After", "")
        if header.isdigit():
            return min(float(header), self.retry.longest_wait)
        body = _body(answer)
        if body is not None and body.retry_after_s is not None:
            return min(float(body.retry_after_s), self.retry.longest_wait)
        return 0.0

    def _call(self, method: str, path: str, model: type[M], body: BaseModel | None = None) -> M:
        answer = self.request(method, path, json=body)
        try:
            return model.model_validate_json(answer.content)
        except ValidationError as exc:
            raise ServerFault(f"the server's answer to {method} {path} is not the protocol's: {exc}") from exc

    # --- endpoints ------------------------------------------------------------------------------

    def login(self, login: str, password: str, device_id: str) -> LoginResponse:
        return self._call("POST", "/login", LoginResponse,
                          LoginRequest(username=login, password=password, device_id=device_id))

    def logout(self) -> None:
        self.request("POST", "/logout")

    def register_device(self, registration: DeviceRegistration) -> DeviceRegistered:
        return self._call("PUT", f"/devices/{registration.device_id}", DeviceRegistered, registration)

    def missing_blobs(self, hashes: list[str]) -> list[str]:
        return self._call("POST", "/blobs/missing", BlobsMissingResponse,
                          BlobsMissingRequest(sha256=hashes)).missing

    def upload_blob(self, sha: str, path: Path, sent: Callable[[int], None] = lambda n: None) -> BlobStored:
        """Stream one file as ``PUT /blobs/{sha}``; ``sent`` hears each chunk's size as it goes."""
        size = path.stat().st_size

        def chunks() -> Iterator[bytes]:
            with path.open("rb") as fh:
                while block := fh.read(CHUNK):
                    sent(len(block))
                    yield block

        answer = self.request("PUT", f"/blobs/{sha}", content=chunks,
                              headers={"Content-Type": "application/octet-stream", "Content-Length": str(size)})
        return BlobStored.model_validate_json(answer.content)

    def download_blob(self, sha: str, write: Callable[[Iterator[bytes]], None]) -> None:
        """``GET /blobs/{sha}``: ``write`` consumes the body's chunks (it checks the hash)."""
        self.request("GET", f"/blobs/{sha}", stream_to=lambda answer: write(answer.iter_bytes(CHUNK)))

    def push(self, changeset: Changeset) -> Receipt:
        return self._call("POST", "/changesets", Receipt, changeset)

    def pull(self, cursor: str | None, limit: int = 500) -> PullPage:
        return self._call("POST", "/pull", PullPage, PullRequest(cursor=cursor, limit=limit))
