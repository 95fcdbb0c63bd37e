"""Laptops registered by their users: an id, a label, and the Ed25519 public key that signs their
offline bundles (docs/sync-protocol.md section 4)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Connection, insert, select, update

from app.sync.keys import key_id
from server.errors import DeviceKeyMismatch, DeviceNotRegistered
from server.store.schema import devices

if TYPE_CHECKING:
    from server.accounts import Account


@dataclass(frozen=True)
class NewDevice:
    id: str
    label: str
    # Standard base64 of the 32 raw bytes, checked by the protocol's model.
    public_key: str


@dataclass(frozen=True)
class Device:
    id: str
    account_id: str
    label: str
    public_key: str
    registered_at: float

    @property
    def key_id(self) -> str:
        return key_id(self.public_key)


def _same_key(stored: str, given: str) -> bool:
    # Compared as keys, not as text: two base64 spellings of one key are the same key.
    try:
        return key_id(stored) == key_id(given)
    except ValueError:
        return False


def register_device(conn: Connection, account: Account, device: NewDevice) -> tuple[Device, bool]:
    """Register (or re-register) a laptop; the device and whether it is new.

    The same id again with the same key updates its label, owner and last-seen time: a laptop
    may change hands. A different key for a known id is refused, as bundles already signed
    with the old key must stay verifiable.
    """
    now = time.time()
    row = conn.execute(select(devices).where(devices.c.id == device.id)).first()
    if row is None:
        conn.execute(insert(devices).values(id=device.id, account_id=account.id, name=device.label,
                                            public_key=device.public_key, registered_at=now,
                                            last_seen_at=now))
        return Device(device.id, account.id, device.label, device.public_key, now), True
    if not _same_key(row.public_key, device.public_key):
        raise DeviceKeyMismatch(f"the device {device.id} is registered with another public key")
    conn.execute(update(devices).where(devices.c.id == device.id)
                 .values(account_id=account.id, name=device.label, last_seen_at=now))
    return Device(device.id, account.id, device.label, row.public_key, row.registered_at), False


def find_device(conn: Connection, device_id: str) -> Device | None:
    row = conn.execute(select(devices).where(devices.c.id == device_id)).first()
    if row is None:
        return None
    return Device(row.id, row.account_id, row.name, row.public_key, row.registered_at)


def check_device_of(conn: Connection, account: Account, device_id: str) -> None:
    """Refuse a push from a device that is not registered to ``account`` (DeviceNotRegistered).

    Registration binds a device to one account at a time (section 4), so its changesets, and the
    bundles it signs, are that account's work and are checked against that account's scope.
    """
    device = find_device(conn, device_id)
    if device is None or device.account_id != account.id:
        raise DeviceNotRegistered(device_id)
