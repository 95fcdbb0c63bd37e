"""What every API route depends on: the store, the caller's session and the role check."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator

from fastapi import Depends, Request
from sqlalchemy import Connection, Engine

from server.accounts import ROLES, Session, authenticate
from server.config import Config
from server.errors import Forbidden, Unauthorized
from server.store.database import reading, writing


def engine(request: Request) -> Engine:
    return request.app.state.engine  # type: ignore[no-any-return]


def config(request: Request) -> Config:
    return request.app.state.config  # type: ignore[no-any-return]


def transaction(request: Request) -> Iterator[Connection]:
    """One short transaction per request, committed when the handler returns."""
    with writing(engine(request)) as conn:
        yield conn


# scope="function": commit before the answer is sent. FastAPI's default ends a yield dependency
# after the response, so a client could be told 200 for a write it cannot read back yet, or
# for one whose commit then fails.
TX = Depends(transaction, scope="function")


# Dependencies that do no I/O are ``async def``: FastAPI runs a plain ``def`` dependency in its
# thread pool, and those hand-offs cost a push more CPU than the checks themselves.
async def bearer(request: Request) -> str:
    value = request.headers.get("authorization", "")
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("log in first: send Authorization: Bearer <token>")
    return token.strip()


def session(request: Request, token: str = Depends(bearer)) -> Session:
    # Only reads: it never queues behind a push for SQLite's write lock.
    with reading(engine(request)) as conn:
        return authenticate(conn, token)


def role(*allowed: str) -> Callable[[Session], Awaitable[Session]]:
    """A dependency that lets through only these roles (403 for the others)."""
    assert all(r in ROLES for r in allowed), allowed

    async def check(current: Session = Depends(session)) -> Session:
        if current.account.role not in allowed:
            raise Forbidden(f"a {current.account.role} may not do this")
        return current

    return check


ANY_ROLE = role(*ROLES)
OFFICE = role("office_staff", "admin")
