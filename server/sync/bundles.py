"""Importing an offline bundle (docs/sync-protocol.md section 11): the same changeset as a push,
carried with its blobs in one signed file.

``app.sync.bundle.read_bundle`` does every check of the file (paths, sizes, entries, manifest,
the signature against the key registered for the bundle's device); then the blobs go to the
blob store, re-hashed as they stream, and the changeset is applied by ``server.sync.push.push``
under the account the device is registered to, so a bundle meets the same idempotency, scope
and conflict rules as a push: importing it twice, or after the same changeset came over the
network, answers the receipt already given.

A bundle sealed to the office (``app.sync.sealed``) is first decrypted with the office's key to a
temporary file beside the other bodies waiting to be checked, then read like any other; a seal
that does not open is refused with ``bundle_seal_invalid`` naming the header or the chunk.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy import Engine, select

from app.sync.bundle import BLOB_PREFIX, DEFAULT_LIMITS, BundleLimits, VerifiedBundle, read_bundle
from app.sync.errors import BundleError, BundleTooLarge
from app.sync.protocol import Receipt
from app.sync.sealed import SealInvalid, is_sealed, open_sealed
from server.accounts import Account, get_account
from server.devices import Device, find_device
from server.errors import BundleRefused, Forbidden
from server.store.blobs import BlobStore
from server.store.schema import accounts
from server.sync.push import Pusher, push

_CHUNK = 1024 * 1024

# Decides whether the account importing may import a bundle of the device's account (its
# argument); raises to refuse. The command line has no caller account and passes none.
Gatekeeper = Callable[[Account], None]


@dataclass(frozen=True)
class Imported:
    receipt: Receipt
    # False when the changeset had been applied already (this bundle before, or a push).
    new: bool
    device: Device
    # The account the device is registered to: the changeset was applied as its work.
    owner: Account
    # Bytes of blobs this import added to the store (blobs already held are not rewritten).
    blob_bytes: int


def may_import(importer: Account, owner: Account) -> bool:
    """The device's own account, or the office (office staff, admin) of an area containing the
    owner's scope: an inspector may hand the USB stick in at the office."""
    return importer.id == owner.id or (importer.is_office and owner.scope.startswith(importer.scope))


def import_bundle(engine: Engine, store: BlobStore, source: Path, *, max_blob_bytes: int,
                  gate: Gatekeeper | None = None, limits: BundleLimits = DEFAULT_LIMITS,
                  office_key: X25519PrivateKey | None = None, scratch: Path | None = None) -> Imported:
    """Check and apply the bundle at ``source``, sealed to ``office_key`` or not; its receipt.

    A sealed bundle is opened into a temporary file in ``scratch`` (the data folder's incoming
    folder; by default the bundle's own), removed whatever the outcome.

    ``max_blob_bytes`` is the server's limit on one uploaded blob: a bundle cannot bring in a
    blob a push could not. Raises BundleRefused for a file that fails a check (nothing
    applied), Forbidden when ``gate`` refuses or the device's account is disabled, and what
    ``push`` raises (reused id, stale changeset) with nothing applied.
    """
    devices: dict[str, Device] = {}

    def registered_key(device_id: str) -> str | None:
        # A short read of its own: no transaction stays open while the blobs are hashed.
        with engine.connect() as conn:
            device = find_device(conn, device_id)
        if device is None:
            return None
        devices[device_id] = device
        return device.public_key

    try:
        with _opened(source, office_key, scratch or source.parent) as plain, \
                read_bundle(plain, public_key_for=registered_key, limits=limits) as bundle:
            device = devices[bundle.manifest.device_id]
            _check_blob_sizes(bundle, max_blob_bytes)
            owner = _owner(engine, device)
            if gate is not None:
                gate(owner)
            added = _store_blobs(store, bundle)
            with engine.begin() as conn:
                receipt, new = push(conn, store, Pusher(account_id=owner.id, scope=owner.scope), bundle.changeset)
    except BundleError as exc:
        raise BundleRefused(exc) from exc
    return Imported(receipt, new, device, owner, added)


@contextlib.contextmanager
def _opened(source: Path, key: X25519PrivateKey | None, scratch: Path) -> Iterator[Path]:
    """The plain bundle: ``source`` itself, or its sealed content decrypted to a temporary file."""
    if not is_sealed(source):
        yield source
        return
    if key is None:
        raise SealInvalid("sealed to an office key, and this import was given none")
    scratch.mkdir(parents=True, exist_ok=True)
    # Named like a posted body (.bundle-*.part), so server.leftovers sweeps what a crash leaves.
    handle, name = tempfile.mkstemp(prefix=".bundle-opened-", suffix=".part", dir=scratch)
    os.close(handle)
    plain = Path(name)
    try:
        open_sealed(source, plain, key)
        yield plain
    finally:
        plain.unlink(missing_ok=True)


def _check_blob_sizes(bundle: VerifiedBundle, limit: int) -> None:
    for entry in bundle.manifest.blobs:
        if entry.size > limit:
            raise BundleTooLarge(f"{entry.size} bytes; this server takes blobs of at most {limit} bytes",
                                 entry=BLOB_PREFIX + entry.sha256)


def _owner(engine: Engine, device: Device) -> Account:
    with engine.connect() as conn:
        login = conn.execute(select(accounts.c.login).where(accounts.c.id == device.account_id)).scalar_one()
        owner = get_account(conn, login)
    if owner.disabled:
        raise Forbidden(f"the device {device.id} belongs to the disabled account {owner.login}; "
                        "enable the account (or register the device to another) to import its bundles")
    return owner


def _store_blobs(store: BlobStore, bundle: VerifiedBundle) -> int:
    """Put the blobs the store lacks; the bytes added.

    Done before the changeset's transaction, as a push's uploads are. A refusal after this
    point (a reused changeset id, a stale one) leaves these blobs behind: they are files named
    by their content, harmless, and the ones a later good import or push would need.
    """
    sizes = {entry.sha256: entry.size for entry in bundle.manifest.blobs}
    added = 0
    for sha in store.missing(bundle.changeset.blobs):
        with bundle.open_blob(sha) as stream:
            # The store re-hashes against the name; the stream re-checks against the manifest.
            added += store.put(sha, iter(partial(stream.read, _CHUNK), b""), limit=sizes[sha])
    return added
