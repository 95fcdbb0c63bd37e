"""Push: ``POST /changesets`` with the protocol's ``Changeset``, answered with its ``Receipt``.

The route is thin: the body is validated as the contract's message (400 ``malformed`` with the
problems otherwise), the changeset's device must be registered to the caller (403 otherwise), and
``server.sync.push`` applies it in one transaction.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from app.sync.errors_body import ErrorBody
from app.sync.protocol import API_PREFIX, Changeset, Receipt
from server.accounts import Session
from server.api.blobs import blob_store
from server.api.deps import ANY_ROLE, engine
from server.devices import check_device_of
from server.errors import ServerError, StoreUnavailable
from server.store.blobs import BlobStore, BlobStoreUnavailable
from server.store.database import writing
from server.sync.push import Pusher, prepare, push

router = APIRouter(prefix=API_PREFIX)

_ANSWERS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "Not a Changeset (malformed, with problems)"},
    401: {"model": ErrorBody},
    403: {"model": ErrorBody, "description": "The device is not registered to this account: PUT /devices/{id}"},
    409: {"model": ErrorBody, "description": "The id was applied with other content (changeset_reused), "
                                             "or a later changeset of the device was (stale_changeset)"},
    413: {"model": ErrorBody, "description": "The body is over the server's limit (too_large)"},
    422: {"model": ErrorBody, "description": "Blobs the server lacks (blobs_missing, with missing_blobs), "
                                             "or parts this server does not accept yet (invalid)"},
}


@router.post("/changesets", response_model=Receipt, responses=_ANSWERS)
def push_changeset(body: Changeset, request: Request, current: Annotated[Session, Depends(ANY_ROLE)],
                   store: Annotated[BlobStore, Depends(blob_store)]) -> Receipt:
    metrics = request.app.state.metrics
    pusher = Pusher(account_id=current.account.id, scope=current.account.scope)
    try:
        # The transaction begins only now, with the body validated and hashed and the blobs
        # looked up: pushes are applied one at a time, so their lock is held for the apply alone.
        prepared = prepare(store, body)
        with writing(engine(request)) as conn:
            check_device_of(conn, current.account, body.device_id)
            receipt, new = push(conn, store, pusher, body, prepared)
    except BlobStoreUnavailable as exc:
        metrics.pushes.labels("unavailable").inc()
        raise StoreUnavailable(str(exc)) from exc
    except ServerError as exc:
        metrics.pushes.labels(exc.code).inc()
        raise
    metrics.pushes.labels("applied" if new else "replayed").inc()
    if new:
        metrics.conflicts.inc(len(receipt.conflicts))
    return receipt
