"""Pull: ``POST /pull`` with the protocol's ``PullRequest``, answered with a ``PullPage``.

The route is thin: the body is validated as the contract's message (400 ``malformed`` with the
problems otherwise), and ``server.sync.pull`` reads the page in the request's one transaction.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from sqlalchemy import Connection

from app.sync.errors_body import ErrorBody
from app.sync.protocol import API_PREFIX
from app.sync.pull import PullPage, PullRequest
from server.accounts import Session
from server.api.deps import ANY_ROLE, TX
from server.api.models import REFUSED
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
def pull_page(body: PullRequest, current: Annotated[Session, Depends(ANY_ROLE)], conn: Connection = TX) -> PullPage:
    return pull(conn, current.account, body.cursor, body.limit)
