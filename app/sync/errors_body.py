"""The one body every 4xx answer has, so a client reads every refusal the same way."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from app.sync.fields import Sha256
from app.sync.protocol import Message

ErrorCode = Literal[
    "malformed",  # 400: not JSON, or not the message the endpoint takes (wrong types, unknown fields)
    "unauthenticated",  # 401: no token, or an expired, revoked or forged one
    "forbidden",  # 403: the role may not do this
    "device_not_registered",  # 403: a changeset from a device not registered to the account
    "not_found",  # 404: also outside the account's scope, as if it did not exist
    "changeset_reused",  # 409: a known changeset id with other content
    "stale_changeset",  # 409: an earlier device_seq than one already applied from that device
    "device_key_mismatch",  # 409: the device id is registered with another key
    "too_large",  # 413: a body or a blob over the server's limit
    "protocol_too_old",  # 426: see min_version
    "blobs_missing",  # 422: see missing_blobs; upload them and push again
    "hash_mismatch",  # 422: an uploaded blob is not the bytes its name says
    "invalid",  # 422: well-formed, but breaks a rule of the protocol (see problems)
    "bundle_not_a_zip",  # 422: the bundle errors, named after app.sync.errors
    "bundle_unsafe_entry",
    "bundle_too_large",
    "bundle_entries_mismatch",
    "bundle_blob_mismatch",
    "bundle_signature_invalid",
    "bundle_unknown_format",
    "bundle_invalid_manifest",
    "bundle_seal_invalid",  # a bundle sealed to the office that does not open (app.sync.sealed)
    "rate_limited",  # 429: see retry_after_s
]


class Problem(Message):
    # Where in the request, as the path of keys and indexes (["rows", 3, "key"]).
    location: list[str | int] = []
    message: str


class ErrorBody(Message):
    code: ErrorCode
    # A sentence for the person; the client may show it as it is.
    message: str
    # The server log's id for this request, to quote when reporting it.
    request_id: str | None = None
    problems: list[Problem] = []
    missing_blobs: list[Sha256] = []
    min_version: int | None = None
    retry_after_s: int | None = Field(default=None, ge=0)
    # The offending bundle entry ("blobs/<sha256>", "manifest.json").
    entry: str | None = None
    # With stale_changeset: the highest device_seq the server has applied from that device, so a
    # laptop whose counter is behind (a profile restored from a backup) can number past it.
    latest_device_seq: int | None = Field(default=None, ge=0)
