"""Laptops registered by their users: an id, a name, and the public key for signed bundles."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Connection, insert, select, update

from server.errors import BadInput, Conflict
from server.store.schema import devices

if TYPE_CHECKING:
    from server.accounts import Account

MAX_KEY = 8192


@dataclass(frozen=True)
class NewDevice:
    id: str
    name: str
    public_key: str


@dataclass(frozen=True)
class Device:
    id: str
    account_id: str
    name: str
    public_key: str
    registered_at: float


def register_device(conn: Connection, account: Account, device: NewDevice) -> Device:
    """Register (or re-register) a laptop.

    The same id again with the same key updates its name, owner and last-seen time: a laptop
    may change hands. A different key for a known id is refused, as bundles already signed
    with the old key must stay verifiable.
    """
    if not device.public_key.strip() or len(device.public_key) > MAX_KEY:
        raise BadInput(f"a device's public key is 1 to {MAX_KEY} characters of text")
    now = time.time()
    row = conn.execute(select(devices).where(devices.c.id == device.id)).first()
    if row is None:
        conn.execute(insert(devices).values(id=device.id, account_id=account.id, name=device.name,
                                            public_key=device.public_key, registered_at=now,
                                            last_seen_at=now))
        return Device(device.id, account.id, device.name, device.public_key, now)
    if row.public_key != device.public_key:
        raise Conflict(f"device {device.id} is registered with another public key")
    conn.execute(update(devices).where(devices.c.id == device.id)
                 .values(account_id=account.id, name=device.name, last_seen_at=now))
    return Device(device.id, account.id, device.name, device.public_key, row.registered_at)
