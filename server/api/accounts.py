"""Login, logout, the caller's own account, device registration, and the office's account list.

Login and devices speak the sync protocol's messages (``app.sync.protocol``) as they are, so the
OpenAPI description shows the contract itself.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response
from sqlalchemy import Connection

from app.sync.errors_body import ErrorBody
from app.sync.fields import Uuid
from app.sync.protocol import (
    API_PREFIX,
    Account,
    DeviceRegistered,
    DeviceRegistration,
    LoginRequest,
    LoginResponse,
)
from server import accounts as service
from server.accounts import Session
from server.api.deps import ANY_ROLE, OFFICE, TX, config, engine
from server.api.models import REFUSED, AccountOut, iso_time
from server.devices import NewDevice, register_device
from server.errors import BadInput, ServerError

router = APIRouter(prefix=API_PREFIX)


def _refusals(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return REFUSED | {status: {"model": ErrorBody} for status in statuses}


def account_message(account: service.Account) -> Account:
    """The protocol's view of an account (the laptop has no inspector row for it yet)."""
    return Account(id=account.id, username=account.login, display_name=account.name,
                   role=account.role, scope_area_id=account.scope_area_id)  # type: ignore[arg-type]


def account_out(account: service.Account) -> AccountOut:
    return AccountOut(login=account.login, name=account.name, role=account.role,
                      scope=account.scope_code, disabled=account.disabled)


@router.post("/login", response_model=LoginResponse, responses=_refusals(400, 401, 429))
def login(body: LoginRequest, request: Request) -> LoginResponse:
    # The address is the peer's: behind a reverse proxy, uvicorn's --forwarded-allow-ips makes
    # it the client's (docs/deploy.md), and a client cannot forge it with a header of its own.
    address = request.client.host if request.client else "unknown"
    metrics = request.app.state.metrics
    try:
        issued = service.login(engine(request), config(request), login=body.username, password=body.password,
                               address=address, device_id=body.device_id)
    except ServerError as exc:
        metrics.logins.labels(exc.code).inc()
        raise
    metrics.logins.labels("ok").inc()
    return LoginResponse(token=issued.token, expires_at=iso_time(issued.expires_at),
                         account=account_message(issued.account))


@router.post("/logout", status_code=204, responses=_refusals(401))
def logout(current: Session = Depends(ANY_ROLE), conn: Connection = TX) -> None:
    service.revoke_token(conn, current.token_hash)


@router.get("/me", response_model=Account, responses=_refusals(401))
def me(current: Session = Depends(ANY_ROLE)) -> Account:
    return account_message(current.account)


_DEVICE_ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {"model": DeviceRegistered, "description": "Registered already with this key"},
    201: {"model": DeviceRegistered, "description": "Registered"},
    **_refusals(400, 401, 422),
    409: {"model": ErrorBody, "description": "Registered with another key (device_key_mismatch)"},
}


@router.put("/devices/{device_id}", status_code=201, response_model=DeviceRegistered,
            responses=_DEVICE_ANSWERS)
def put_device(device_id: Annotated[Uuid, Path()], body: DeviceRegistration, response: Response,
               current: Session = Depends(ANY_ROLE), conn: Connection = TX) -> DeviceRegistered:
    if body.device_id != device_id:
        raise BadInput("the device id in the path and in the body differ",
                       problems=[{"location": ["device_id"], "message": "not the id in the path"}])
    device, created = register_device(conn, current.account, NewDevice(device_id, body.label, body.public_key))
    response.status_code = 201 if created else 200
    return DeviceRegistered(device_id=device.id, key_id=device.key_id, registered_at=iso_time(device.registered_at))


@router.get("/accounts", response_model=list[AccountOut], responses=_refusals(401, 403))
def list_accounts(current: Session = Depends(OFFICE),
                  conn: Connection = TX) -> list[AccountOut]:
    return [account_out(a) for a in service.list_accounts(conn, within=current.account.scope)]
