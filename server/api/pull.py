"""Pull: ``POST /pull`` with the protocol's ``PullRequest``, answered with a ``PullPage``.

The route is thin: the body is validated as the contract's message (400 ``malformed`` with the
problems otherwise), and ``server.sync.pull`` reads the page in the request's one transaction.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy import Connection

from app.sync.errors_body import ErrorBody
from app.sync.protocol import API_PREFIX
from app.sync.pull import PullPage, PullRequest
from app.sync.sealed import public_key_text
from server.accounts import Session
from server.api.deps import ANY_ROLE, TX
from server.api.models import REFUSED
from server.keys_office import office_key
from server.sync.pull import pull

router = APIRouter(prefix=API_PREFIX)

_ANSWERS: dict[int | str, dict[str, Any]] = {
    **REFUSED,
    # The next page: the same request from this page's next_cursor (a client asks while "more").
    200: {"description": "A page of items after the cursor", "links": {"NextPage": {
        "operationId": "pull", "description": "The page after this one",
        "requestBody": {"cursor": "$response.body#/next_cursor"}}}},
    400: {"model": ErrorBody, "description": "Not a PullRequest (malformed, with problems)"},
    401: {"model": ErrorBody},
    422: {"model": ErrorBody, "description": "A cursor this server did not give, or one ahead of it (invalid): "
                                             "pull again from the beginning"},
}


@router.post("/pull", response_model=PullPage, responses=_ANSWERS, operation_id="pull")
def pull_page(body: PullRequest, request: Request, current: Annotated[Session, Depends(ANY_ROLE)],
              conn: Connection = TX) -> PullPage:
    page = pull(conn, current.account, body.cursor, body.limit)
    if not any(item.kind == "office_settings" for item in page.items):
        return page
    # The office's key for sealed bundles lives in the data folder, not in the row: added here,
    # so a laptop learns it with the settings it pulls.
    key = public_key_text(office_key(request.app.state.config.data_dir))
    items = [item.model_copy(update={"settings": item.settings.model_copy(update={"bundle_public_key": key})})
             if item.kind == "office_settings" else item for item in page.items]
    return page.model_copy(update={"items": items})
