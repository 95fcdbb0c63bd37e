"""Device keys: an Ed25519 key pair per laptop, whose public half the server registers.

Where the private key lives is the sync engine's concern (the OS keychain, like the token): this
module only makes, encodes and uses keys, and takes the private key as an object or its 32 raw
bytes so it never decides on storage.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

PrivateKeyLike = Ed25519PrivateKey | bytes
PublicKeyLike = Ed25519PublicKey | bytes | str


def generate_device_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def private_key_bytes(key: Ed25519PrivateKey) -> bytes:
    """The 32 raw bytes of the private key, for the keychain."""
    return key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def load_private_key(key: PrivateKeyLike) -> Ed25519PrivateKey:
    if isinstance(key, Ed25519PrivateKey):
        return key
    if len(key) != 32:
        raise ValueError(f"an Ed25519 private key is 32 bytes, not {len(key)}")
    return Ed25519PrivateKey.from_private_bytes(key)


def public_key_bytes(key: Ed25519PublicKey | Ed25519PrivateKey) -> bytes:
    if isinstance(key, Ed25519PrivateKey):
        key = key.public_key()
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def public_key_text(key: Ed25519PublicKey | Ed25519PrivateKey) -> str:
    """The wire form (``DeviceRegistration.public_key``): standard base64 of the 32 raw bytes."""
    return base64.b64encode(public_key_bytes(key)).decode("ascii")


def load_public_key(key: PublicKeyLike) -> Ed25519PublicKey:
    if isinstance(key, Ed25519PublicKey):
        return key
    raw = base64.b64decode(key, validate=True) if isinstance(key, str) else key
    if len(raw) != 32:
        raise ValueError(f"an Ed25519 public key is 32 bytes, not {len(raw)}")
    return Ed25519PublicKey.from_public_bytes(raw)


def key_id(key: PublicKeyLike | Ed25519PrivateKey) -> str:
    """SHA-256 (hex) of the raw public key: names a key in a bundle and in the server's list."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else load_public_key(key)
    return hashlib.sha256(public_key_bytes(public)).hexdigest()


def sign(key: PrivateKeyLike, data: bytes) -> bytes:
    return load_private_key(key).sign(data)


def verify(key: PublicKeyLike, signature: bytes, data: bytes) -> bool:
    try:
        load_public_key(key).verify(signature, data)
    except InvalidSignature:
        return False
    return True
