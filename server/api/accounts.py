"""Login, logout, the caller's own account, device registration, and the office's account list."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from sqlalchemy import Connection

from server import accounts as service
from server.accounts import Account, Session
from server.api.deps import ANY_ROLE, OFFICE, TX, config, engine
from server.api.models import AccountOut, DeviceIn, DeviceOut, LoginIn, LoginOut
from server.config import API_PREFIX
from server.devices import NewDevice, register_device
from server.errors import ServerError

router = APIRouter(prefix=API_PREFIX)


def account_out(account: Account) -> AccountOut:
    return AccountOut(login=account.login, name=account.name, role=account.role,
                      scope=account.scope_code, disabled=account.disabled)


@router.post("/login", response_model=LoginOut)
def login(body: LoginIn, request: Request) -> LoginOut:
    # The address is the peer's: behind a reverse proxy, uvicorn's --forwarded-allow-ips makes
    # it the client's (docs/deploy.md), and a client cannot forge it with a header of its own.
    address = request.client.host if request.client else "unknown"
    device = NewDevice(body.device.id, body.device.name, body.device.public_key) if body.device else None
    metrics = request.app.state.metrics
    try:
        issued = service.login(engine(request), config(request), login=body.login, password=body.password,
                               address=address, device=device)
    except ServerError as exc:
        metrics.logins.labels(exc.code).inc()
        raise
    metrics.logins.labels("ok").inc()
    return LoginOut(token=issued.token, expires_at=issued.expires_at, account=account_out(issued.account))


@router.post("/logout", status_code=204)
def logout(current: Session = Depends(ANY_ROLE), conn: Connection = TX) -> None:
    service.revoke_token(conn, current.token_hash)


@router.get("/me", response_model=AccountOut)
def me(current: Session = Depends(ANY_ROLE)) -> AccountOut:
    return account_out(current.account)


@router.post("/devices", response_model=DeviceOut)
def add_device(body: DeviceIn, current: Session = Depends(ANY_ROLE),
               conn: Connection = TX) -> DeviceOut:
    device = register_device(conn, current.account, NewDevice(body.id, body.name, body.public_key))
    return DeviceOut(id=device.id, name=device.name, registered_at=device.registered_at)


@router.get("/accounts", response_model=list[AccountOut])
def list_accounts(current: Session = Depends(OFFICE),
                  conn: Connection = TX) -> list[AccountOut]:
    return [account_out(a) for a in service.list_accounts(conn, within=current.account.scope)]
