"""Secrets in the OS keychain (keyring), and nowhere else.

The login token and the device's Ed25519 private key are kept under the service ``fieldmark``:
the token as ``<server url>|<login>``, the key as ``device|<device id>`` (base64 of its 32 raw
bytes; one key pair per installation, whatever address the server is reached by). The profile keeps only the server's address and the login name. Where no
keychain backend is available (keyring's ``fail`` backend, a locked or broken one), the app says
so, asks for the password at each sync, and keeps the token in memory for that run only: a secret
is never written to a file.
"""

from __future__ import annotations

import base64

import keyring
import keyring.errors
from keyring.backends import fail

from app.errors import FieldmarkError

SERVICE = "fieldmark"
NO_KEYCHAIN = ("no keychain is available on this computer (keyring has no usable backend): Fieldmark "
               "does not keep your login, and asks for the password at each sync")


class NoKeychain(FieldmarkError):
    """No keychain to keep a secret in; the message says what happens instead."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(NO_KEYCHAIN + (f" ({detail})" if detail else ""))


def _account(server_url: str, login: str) -> str:
    return f"{server_url.rstrip('/')}|{login}"


def _device_account(device_id: str) -> str:
    return f"device|{device_id}"


def keychain_available() -> bool:
    return not isinstance(keyring.get_keyring(), fail.Keyring)


def _get(name: str) -> str | None:
    if not keychain_available():
        raise NoKeychain()
    try:
        return keyring.get_password(SERVICE, name)
    except keyring.errors.KeyringError as exc:
        raise NoKeychain(str(exc)) from exc


def _set(name: str, secret: str) -> None:
    if not keychain_available():
        raise NoKeychain()
    try:
        keyring.set_password(SERVICE, name, secret)
    except keyring.errors.KeyringError as exc:
        raise NoKeychain(str(exc)) from exc


def _delete(name: str) -> bool:
    if not keychain_available():
        return False
    try:
        keyring.delete_password(SERVICE, name)
    except keyring.errors.PasswordDeleteError:
        return False
    except keyring.errors.KeyringError as exc:
        raise NoKeychain(str(exc)) from exc
    return True


def load_token(server_url: str, login: str) -> str | None:
    return _get(_account(server_url, login))


def save_token(server_url: str, login: str, token: str) -> None:
    _set(_account(server_url, login), token)


def forget_token(server_url: str, login: str) -> bool:
    """Delete the token; False when there was none to delete."""
    return _delete(_account(server_url, login))


def load_device_key(device_id: str) -> bytes | None:
    text = _get(_device_account(device_id))
    return None if text is None else base64.b64decode(text)


def save_device_key(device_id: str, raw: bytes) -> None:
    _set(_device_account(device_id), base64.b64encode(raw).decode("ascii"))
