"""Blobs first (sync step 2): which of these does the server lack, and the upload of one.

The upload streams the request body into the store block by block, re-hashing as it goes: a
3 MB photo is never held whole, and an upload cut half-way leaves nothing under its name, so the
retry costs at most that one photo. Any signed-in account may upload; a blob is only bytes named
by their hash, and what may see it is decided by the rows that refer to it.
"""

from __future__ import annotations

from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import StreamingResponse
from starlette.requests import ClientDisconnect

from app.sync.errors_body import ErrorBody
from app.sync.protocol import API_PREFIX, BlobsMissingRequest, BlobsMissingResponse, BlobStored
from server.accounts import Session
from server.api.deps import ANY_ROLE, engine
from server.blob_access import may_read
from server.errors import HashMismatch, Malformed, NotFound, StoreUnavailable, TooLarge, UploadCut
from server.store.blobs import (
    BadBlobName,
    BlobHashMismatch,
    BlobNotFound,
    BlobStore,
    BlobStoreUnavailable,
    BlobTooLarge,
    BlobUploadStalled,
    check_name,
)
from server.store.database import reading

router = APIRouter(prefix=API_PREFIX)

# A phone or camera photo is a few MB; 64 MiB leaves room for a scanned document while bounding
# what one request can make the server hash and store. ``app.state.max_blob_bytes`` overrides it.
MAX_BLOB_BYTES = 64 * 1024 * 1024


async def blob_store(request: Request) -> BlobStore:
    """The app's blob store, opened by ``create_app`` (readiness checks the same one)."""
    store: BlobStore = request.app.state.blobs
    return store


async def blob_limit(request: Request) -> int:
    return int(getattr(request.app.state, "max_blob_bytes", MAX_BLOB_BYTES))


def _name(sha256: str) -> str:
    try:
        return check_name(sha256)
    except BadBlobName:
        raise Malformed("a blob is named by its SHA-256: 64 lowercase hex digits",
                        problems=[{"location": ["path", "sha256"], "message": "not 64 lowercase hex digits"}]) from None


_DOWNLOAD_ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
          "description": "The blob's bytes"},
    400: {"model": ErrorBody, "description": "The name is not a SHA-256 (malformed)"},
    401: {"model": ErrorBody},
    404: {"model": ErrorBody, "description": "No such blob, or none the account may see (not_found)"},
}


@router.get("/blobs/{sha256}", response_class=StreamingResponse, responses=_DOWNLOAD_ANSWERS)
def get_blob(sha256: str, request: Request, current: Annotated[Session, Depends(ANY_ROLE)],
             store: Annotated[BlobStore, Depends(blob_store)]) -> StreamingResponse:
    """A team-mate's photo or signature, or the office's logo, for a pull (section 6)."""
    sha = _name(sha256)
    with reading(engine(request)) as conn:
        visible = may_read(conn, current.account, sha)
    # Not visible and not stored answer alike: the caller learns nothing of other counties' photos.
    if not visible:
        raise NotFound(f"no blob {sha} that this account may see")
    try:
        size = store.size(sha)
        chunks = store.iter_chunks(sha)
    except BlobNotFound:
        raise NotFound(f"no blob {sha} that this account may see") from None
    except BlobStoreUnavailable as exc:
        raise StoreUnavailable(str(exc)) from exc
    return StreamingResponse(chunks, media_type="application/octet-stream", headers={
        "content-length": str(size), "etag": f'"{sha}"',
        # Content named by its hash never changes; it is private to the accounts that may see it.
        "cache-control": "private, max-age=31536000, immutable"})


@router.post("/blobs/missing", response_model=BlobsMissingResponse)
def blobs_missing(body: BlobsMissingRequest, _current: Annotated[Session, Depends(ANY_ROLE)],
                  store: Annotated[BlobStore, Depends(blob_store)]) -> BlobsMissingResponse:
    try:
        return BlobsMissingResponse(missing=store.missing(body.sha256))
    except BlobStoreUnavailable as exc:
        raise StoreUnavailable(str(exc)) from exc


_UPLOAD_ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {"model": BlobStored, "description": "Already stored; the bytes were verified"},
    201: {"model": BlobStored, "description": "Stored"},
    400: {"model": ErrorBody, "description": "The name is not a SHA-256 (malformed)"},
    413: {"model": ErrorBody, "description": "Larger than the server's blob limit (too_large)"},
    422: {"model": ErrorBody, "description": "The bytes do not hash to the name (hash_mismatch)"},
}


@router.put("/blobs/{sha256}", status_code=201, response_model=BlobStored, responses=_UPLOAD_ANSWERS,
            openapi_extra={"requestBody": {"required": True, "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}})
async def put_blob(sha256: str, request: Request, response: Response,
                   _current: Annotated[Session, Depends(ANY_ROLE)],
                   store: Annotated[BlobStore, Depends(blob_store)],
                   limit: Annotated[int, Depends(blob_limit)]) -> BlobStored:
    sha = _name(sha256)
    length = request.headers.get("content-length", "")
    # Refused before a byte of the body is read when the client says how much it sends.
    if length.isdigit() and int(length) > limit:
        raise TooLarge(f"a blob may be at most {limit} bytes")
    try:
        existed = await anyio.to_thread.run_sync(store.has, sha)
        size = await store.aput(sha, request.stream(), limit=limit)
    except BlobTooLarge as exc:
        raise TooLarge(f"a blob may be at most {limit} bytes") from exc
    except BlobHashMismatch as exc:
        raise HashMismatch(f"the {exc.size} bytes received hash to {exc.actual}, not to the blob's name "
                           f"{exc.expected}; nothing was stored") from exc
    except BlobStoreUnavailable as exc:
        raise StoreUnavailable(str(exc)) from exc
    except (ClientDisconnect, BlobUploadStalled):
        # An expected event on a laptop's network, not a server fault: no traceback in the log.
        raise UploadCut("the upload was cut before its end; nothing was stored") from None
    response.status_code = 200 if existed else 201
    return BlobStored(sha256=sha, size=size, created=not existed)
