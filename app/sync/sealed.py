"""A bundle sealed to the office: the signed bundle zip encrypted to the office's X25519 key.

A bundle for the office travels on USB sticks and through other people's hands; sealed, a lost
stick leaks nothing. The signature inside still says who made it, and the office alone can open it.

Layout (seal format 1)::

    magic            8 bytes  b"FMSEALv1"
    recipient key id 32 bytes SHA-256 of the office's raw X25519 public key
    ephemeral key    32 bytes a fresh X25519 public key, one per file
    chunks           each the ChaCha20-Poly1305 encryption of up to CHUNK bytes of the zip,
                     with its 16-byte tag; the last one is marked (see ``_nonce``)

The key is HKDF-SHA256 of the X25519 shared secret, salted with both public keys. Every chunk is
authenticated with the 72-byte header as associated data, and its nonce holds its number and
whether it is the last, so chunks cannot be reordered, dropped, repeated or cut off at the end
without the tag failing. The stream is chunked because a day's bundle can be gigabytes: neither
side holds it in memory. Ephemeral-static X25519 gives no sender authentication; that is the
inner Ed25519 signature's job.
"""

from __future__ import annotations

import base64
import hashlib
import os
import tempfile
from pathlib import Path
from typing import IO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from app.sync.errors import BundleError

MAGIC = b"FMSEALv1"
HEADER_BYTES = len(MAGIC) + 32 + 32
CHUNK = 1024 * 1024
TAG_BYTES = 16
_INFO = b"fieldmark bundle seal 1"
# The entry a refusal names: the seal is not a zip entry, but the person needs to know where.
HEADER_ENTRY = "(seal header)"


class SealInvalid(BundleError):
    """A sealed bundle that cannot be opened: not for this office, changed, or cut short."""

    code = "bundle_seal_invalid"


def public_key_text(key: X25519PublicKey | X25519PrivateKey) -> str:
    """The published form (``OfficeSettings.bundle_public_key``): base64 of the 32 raw bytes."""
    return base64.b64encode(_raw_public(key)).decode("ascii")


def load_public_key(text: str) -> X25519PublicKey:
    raw = base64.b64decode(text, validate=True)
    if len(raw) != 32:
        raise ValueError(f"an X25519 public key is 32 bytes, not {len(raw)}")
    return X25519PublicKey.from_public_bytes(raw)


def key_id(key: X25519PublicKey | X25519PrivateKey) -> str:
    return hashlib.sha256(_raw_public(key)).hexdigest()


def _raw_public(key: X25519PublicKey | X25519PrivateKey) -> bytes:
    public = key.public_key() if isinstance(key, X25519PrivateKey) else key
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


def is_sealed(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(len(MAGIC)) == MAGIC


def _key(shared: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=ephemeral + recipient, info=_INFO).derive(shared)


def _nonce(number: int, last: bool) -> bytes:
    # 11 bytes of chunk number and a last-chunk flag (the STREAM construction).
    return number.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def seal(plain: Path, out: Path, recipient: X25519PublicKey) -> None:
    """Encrypt the file ``plain`` to ``recipient`` into ``out`` (whole or not at all)."""
    ephemeral = X25519PrivateKey.generate()
    recipient_raw = _raw_public(recipient)
    ephemeral_raw = _raw_public(ephemeral)
    header = MAGIC + hashlib.sha256(recipient_raw).digest() + ephemeral_raw
    cipher = ChaCha20Poly1305(_key(ephemeral.exchange(recipient), ephemeral_raw, recipient_raw))
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=out.name, suffix=".part", dir=out.parent)
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as target, plain.open("rb") as source:
            target.write(header)
            number = 0
            chunk = source.read(CHUNK)
            while True:
                following = source.read(CHUNK)
                last = not following
                target.write(cipher.encrypt(_nonce(number, last), chunk, header))
                if last:
                    break
                chunk, number = following, number + 1
            target.flush()
            os.fsync(target.fileno())
        os.replace(temp, out)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def read_header(source: IO[bytes]) -> tuple[bytes, bytes]:
    """(recipient key id, ephemeral public key) of a sealed file, refusing anything else."""
    header = source.read(HEADER_BYTES)
    if len(header) < HEADER_BYTES or not header.startswith(MAGIC):
        raise SealInvalid("not a sealed bundle of a format this program reads", entry=HEADER_ENTRY)
    return header[len(MAGIC):len(MAGIC) + 32], header[len(MAGIC) + 32:]


def open_sealed(sealed: Path, out: Path, key: X25519PrivateKey) -> None:
    """Decrypt ``sealed`` with the office's ``key`` into ``out``; nothing is left at ``out`` on a
    refusal. Raises SealInvalid naming the header (another office's key) or the chunk that
    failed (changed, reordered or cut short)."""
    recipient_raw = _raw_public(key)
    try:
        with sealed.open("rb") as source, out.open("wb") as target:
            recipient_id, ephemeral_raw = read_header(source)
            if recipient_id != hashlib.sha256(recipient_raw).digest():
                raise SealInvalid(f"sealed to another key ({recipient_id.hex()[:16]}…), not this office's "
                                  f"({key_id(key)[:16]}…)", entry=HEADER_ENTRY)
            header = MAGIC + recipient_id + ephemeral_raw
            try:
                shared = key.exchange(X25519PublicKey.from_public_bytes(ephemeral_raw))
            except ValueError as exc:
                raise SealInvalid(f"the ephemeral key is unusable: {exc}", entry=HEADER_ENTRY) from exc
            cipher = ChaCha20Poly1305(_key(shared, ephemeral_raw, recipient_raw))
            number = 0
            chunk = source.read(CHUNK + TAG_BYTES)
            while True:
                following = source.read(CHUNK + TAG_BYTES)
                last = not following
                try:
                    target.write(cipher.decrypt(_nonce(number, last), chunk, header))
                except InvalidTag:
                    where = f"(sealed chunk {number})"
                    raise SealInvalid("does not decrypt: the file was changed or cut short", entry=where) from None
                if last:
                    break
                chunk, number = following, number + 1
    except BaseException:
        out.unlink(missing_ok=True)
        raise
