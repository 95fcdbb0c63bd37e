"""Bundle import over HTTP: ``POST /bundles`` with a *.fmbundle as the body, answered with the
changeset's ``Receipt`` (docs/sync-protocol.md section 11).

The body streams to a temporary file in the data folder, counted against a limit as it arrives
(the gate leaves bundle bodies to this route, as it does blob uploads), since a zip is read from
its end. ``server.sync.bundles`` then checks and applies it in a worker thread. Who may import:
the account the bundle's device is registered to, or office staff and admins whose scope
contains that account's; the rows are judged against the device account's scope. A bundle
sealed to the office is opened with the office's key (``server.keys_office``) before the checks.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import anyio
import anyio.to_thread
from fastapi import APIRouter, Depends, Request
from starlette.requests import ClientDisconnect

from app.sync.errors_body import ErrorBody
from app.sync.protocol import API_PREFIX, Receipt
from server import leftovers
from server.accounts import Account, Session
from server.api.blobs import blob_limit, blob_store
from server.api.deps import ANY_ROLE
from server.errors import Forbidden, ServerError, StoreUnavailable, TooLarge, UploadCut
from server.keys_office import office_key
from server.store.blobs import BlobStore, BlobStoreUnavailable
from server.store.blobs.base import STALL_TIMEOUT_S
from server.sync.bundles import import_bundle, may_import

router = APIRouter(prefix=API_PREFIX)

# A long day's photos fit many times over; ``app.state.max_bundle_bytes`` overrides it.
MAX_BUNDLE_BYTES = 4 * 1024 * 1024 * 1024
# Where bodies wait while they are checked, inside the data folder (not a RAM-backed /tmp);
# server.leftovers removes what a crash left there.
INCOMING_FOLDER = leftovers.INCOMING_FOLDER

_ANSWERS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody},
    403: {"model": ErrorBody, "description": "The caller may not import this device's bundles"},
    409: {"model": ErrorBody, "description": "changeset_reused or stale_changeset, as for a push"},
    413: {"model": ErrorBody, "description": "The body is over the server's bundle limit (too_large)"},
    422: {"model": ErrorBody, "description": "A bundle check failed (bundle_*, with entry), or blobs_missing "
                                             "or invalid as for a push"},
}


async def bundle_limit(request: Request) -> int:
    return int(getattr(request.app.state, "max_bundle_bytes", MAX_BUNDLE_BYTES))


@router.post("/bundles", response_model=Receipt, responses=_ANSWERS,
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}})
async def post_bundle(request: Request, current: Annotated[Session, Depends(ANY_ROLE)],
                      store: Annotated[BlobStore, Depends(blob_store)],
                      limit: Annotated[int, Depends(bundle_limit)],
                      max_blob: Annotated[int, Depends(blob_limit)]) -> Receipt:
    metrics = request.app.state.metrics
    length = request.headers.get("content-length", "")
    try:
        # Refused before a byte of the body is read when the client says how much it sends.
        if length.isdigit() and int(length) > limit:
            raise TooLarge(f"a bundle may be at most {limit} bytes")
        folder = request.app.state.config.data_dir / INCOMING_FOLDER
        path = await _receive(request.stream(), folder, limit)
        try:
            imported = await anyio.to_thread.run_sync(partial(
                import_bundle, request.app.state.engine, store, path, max_blob_bytes=max_blob,
                gate=partial(_gate, current.account), office_key=office_key(request.app.state.config.data_dir),
                scratch=folder))
        except BlobStoreUnavailable as exc:
            raise StoreUnavailable(str(exc)) from exc
        finally:
            path.unlink(missing_ok=True)
    except ServerError as exc:
        metrics.bundles.labels(exc.code).inc()
        raise
    metrics.bundles.labels("applied" if imported.new else "replayed").inc()
    metrics.blob_bytes.labels("bundle").inc(imported.blob_bytes)
    if imported.new:
        metrics.conflicts.inc(len(imported.receipt.conflicts))
    return imported.receipt


def _gate(importer: Account, owner: Account) -> None:
    if not may_import(importer, owner):
        raise Forbidden(f"this bundle comes from a device of {owner.login}; only that account, or office "
                        "staff whose area contains its scope, may import it")


async def _receive(chunks: AsyncIterator[bytes], folder: Path, limit: int) -> Path:
    """The body in a new temporary file under ``folder``; nothing is left behind on a refusal."""
    await anyio.to_thread.run_sync(partial(folder.mkdir, parents=True, exist_ok=True))
    handle, name = tempfile.mkstemp(prefix=".bundle-", suffix=".part", dir=folder)
    path = Path(name)
    size = 0
    try:
        with os.fdopen(handle, "wb") as out:
            stream = chunks.__aiter__()
            while True:
                # A client gone silent (a laptop's Wi-Fi dropping) is given up, as blob uploads are.
                with anyio.fail_after(STALL_TIMEOUT_S):
                    chunk = await anext(stream, None)
                if chunk is None:
                    break
                size += len(chunk)
                if size > limit:
                    raise TooLarge(f"a bundle may be at most {limit} bytes")
                await anyio.to_thread.run_sync(out.write, chunk)
    except (ClientDisconnect, TimeoutError):
        path.unlink(missing_ok=True)
        raise UploadCut("the bundle's upload was cut before its end; nothing was stored") from None
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path
