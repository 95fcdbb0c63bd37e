"""Logging in and registering this laptop's device (docs/sync-protocol.md sections 3 and 4).

The device's Ed25519 private key lives in the keychain beside the token (``app.credentials``), so
the offline bundles it signs verify against the key the server registered. Without a keychain a
key is made for the run and only its public half is registered: the laptop then cannot sign
bundles (it has no key it could keep without writing a secret to disk), and a later run's new key
meets the registered one as ``device_key_mismatch``, which is expected then and not an error,
since a push needs the device registered to the account, not the key.
"""

from __future__ import annotations

import contextlib
import socket
from dataclasses import dataclass

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app import credentials
from app.profile import Profile
from app.settings import set_settings
from app.sync.client import Client, Refused, Retry, Unauthenticated
from app.sync.keys import generate_device_key, load_private_key, private_key_bytes, public_key_text
from app.sync.protocol import DeviceRegistration
from db.queries import meta

# Which server, login and device id the device was last registered for.
REGISTERED_KEY = "sync.device_registered"


@dataclass(frozen=True)
class Session:
    """One login on one server. The token is held in memory; only the keychain stores it."""

    server_url: str
    login: str
    token: str = ""

    def __repr__(self) -> str:  # never print the token
        return f"Session({self.server_url!r}, {self.login!r})"


def _marker(session: Session, device_id: str) -> str:
    return f"{session.server_url}|{session.login}|{device_id}"


def device_key(device_id: str) -> tuple[Ed25519PrivateKey, bool]:
    """The device's key and whether the keychain keeps it."""
    try:
        raw = credentials.load_device_key(device_id)
        if raw is not None:
            return load_private_key(raw), True
        key = generate_device_key()
        credentials.save_device_key(device_id, private_key_bytes(key))
    except credentials.NoKeychain:
        # A missing or locked keychain: register a key for this run (see the module's note).
        return generate_device_key(), False
    return key, True


def register(client: Client, profile: Profile, session: Session) -> None:
    """``PUT /devices/{id}`` with the device's public key; remembered so a sync need not repeat it."""
    key, kept = device_key(profile.device_id)
    registration = DeviceRegistration(device_id=profile.device_id, public_key=public_key_text(key),
                                      label=socket.gethostname()[:200])
    try:
        client.register_device(registration)
    except Refused as exc:
        if exc.code != "device_key_mismatch" or kept:
            raise
    with profile.db.atomic():
        meta.put(profile.db, REGISTERED_KEY, _marker(session, profile.device_id))


def is_registered(profile: Profile, session: Session) -> bool:
    return meta.get(profile.db, REGISTERED_KEY) == _marker(session, profile.device_id)


def login(profile: Profile, server_url: str, login_name: str, password: str, *, keep: bool = True,
          transport: httpx.BaseTransport | None = None, retry: Retry | None = None) -> Session:
    """Log in, keep the token in the keychain (when ``keep`` and there is one), register the device
    and remember the server and login name in the profile's settings."""
    server_url = server_url.rstrip("/")
    with Client(server_url, retry=retry, transport=transport) as anonymous:
        try:
            answer = anonymous.login(login_name, password, profile.device_id)
        except Unauthenticated as exc:
            # At login a 401 is the password or the name, not an expired token.
            raise Unauthenticated(f"{server_url} did not accept the login name {login_name!r} with that "
                                  "password") from exc
    session = Session(server_url, login_name, answer.token)
    if keep:
        with contextlib.suppress(credentials.NoKeychain):  # the caller says so; the run goes on
            credentials.save_token(server_url, login_name, answer.token)
    with Client(server_url, answer.token, retry=retry, transport=transport) as client:
        register(client, profile, session)
    set_settings(profile, {"server_url": server_url, "server_login": login_name})
    return session
