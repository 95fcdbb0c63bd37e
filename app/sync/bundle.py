"""The offline bundle: one changeset and its blobs in a signed zip, for when there is no network.

Layout (format 1)::

    manifest.json      canonical JSON: format, protocol, device id, the changeset, every blob's
                       SHA-256 and size
    signature.json     Ed25519 signature of manifest.json's bytes by the device's key
    blobs/<sha256>     each blob the changeset refers to, stored as it is

The signature covers the manifest's exact bytes, which must be canonical JSON (app/canonical.py):
one content then has one byte form, and nothing outside the signed bytes decides what is read.
The blobs are covered through their hashes in the manifest. A reader (the server's bundle import,
or a team-mate's laptop) runs ``read_bundle``, which refuses with a typed ``BundleError`` naming
the entry, and then applies the changeset with the same checks as a push.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import IO, Annotated, Any

from pydantic import Field, ValidationError, model_validator

from app.canonical import canonical_json, loads_exact
from app.sync import keys
from app.sync.errors import (
    BlobMismatch,
    BundleError,
    EntriesMismatch,
    InvalidManifest,
    NotABundle,
    SignatureInvalid,
    UnknownFormat,
)
from app.sync.fields import IsoTimestamp, Sha256, SignatureText, Uuid
from app.sync.protocol import PROTOCOL_VERSION, Changeset, Message
from app.sync.zipcheck import BundleLimits, check_directory, read_capped

BUNDLE_FORMAT = 1
MANIFEST = "manifest.json"
SIGNATURE = "signature.json"
BLOB_PREFIX = "blobs/"
SUFFIX = ".fmbundle"
_CHUNK = 1024 * 1024
_MAX_SIGNATURE_BYTES = 4096


class BlobEntry(Message):
    sha256: Sha256
    size: Annotated[int, Field(ge=0)]


class BundleManifest(Message):
    format: int
    protocol: int
    device_id: Uuid
    created_at: IsoTimestamp
    changeset: Changeset
    blobs: list[BlobEntry]

    @model_validator(mode="after")
    def _consistent(self) -> BundleManifest:
        if self.changeset.device_id != self.device_id:
            raise ValueError("the changeset was made by another device than the bundle's")
        listed = [b.sha256 for b in self.blobs]
        if len(set(listed)) != len(listed):
            raise ValueError("a blob is listed twice")
        if set(listed) != set(self.changeset.blobs):
            raise ValueError("the blobs listed are not the ones the changeset refers to")
        return self


class BundleSignature(Message):
    algorithm: str = "ed25519"
    # keys.key_id of the signing key, so a reader can say "signed with another key".
    key_id: Sha256
    signature: SignatureText


DEFAULT_LIMITS = BundleLimits()

PublicKeyLookup = Callable[[str], keys.PublicKeyLike | None]


def write_bundle(
    out: Path,
    *,
    changeset: Changeset,
    blob_paths: Mapping[str, Path],
    private_key: keys.PrivateKeyLike,
    created_at: str | None = None,
) -> BundleManifest:
    """Write ``changeset`` and its blobs to ``out``, signed with the device's ``private_key``.

    ``blob_paths`` maps each SHA-256 the changeset lists to its file in the media store. Each
    blob is re-hashed as it is copied, so a damaged media file stops the export rather than
    travel. The file appears whole or not at all (temp file, fsync, rename).
    """
    missing = [sha for sha in changeset.blobs if sha not in blob_paths]
    if missing:
        raise BlobMismatch(f"no file for the blobs {', '.join(missing)}")
    manifest = BundleManifest(
        format=BUNDLE_FORMAT,
        protocol=PROTOCOL_VERSION,
        device_id=changeset.device_id,
        created_at=created_at or datetime.now(UTC).isoformat(timespec="milliseconds"),
        changeset=changeset,
        blobs=[BlobEntry(sha256=sha, size=blob_paths[sha].stat().st_size) for sha in sorted(changeset.blobs)],
    )
    body = canonical_json(manifest.model_dump(mode="json")).encode("utf-8")
    key = keys.load_private_key(private_key)
    signature = BundleSignature(
        key_id=keys.key_id(key), signature=base64.b64encode(keys.sign(key, body)).decode("ascii")
    ).model_dump_json().encode("utf-8")

    out.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=out.name, suffix=".part", dir=out.parent)
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "w+b") as raw:
            with zipfile.ZipFile(raw, "w") as zf:
                zf.writestr(_plain(MANIFEST, zipfile.ZIP_DEFLATED), body)
                zf.writestr(_plain(SIGNATURE, zipfile.ZIP_DEFLATED), signature)
                for blob in manifest.blobs:
                    _copy_blob(zf, blob, blob_paths[blob.sha256])
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(temp, out)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return manifest


def _plain(name: str, compression: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.compress_type = compression
    info.external_attr = 0o100644 << 16  # a regular file, so readers need not guess
    return info


def _copy_blob(zf: zipfile.ZipFile, blob: BlobEntry, path: Path) -> None:
    # Stored, not deflated: photos are compressed already, and stored entries read fastest.
    info = _plain(BLOB_PREFIX + blob.sha256, zipfile.ZIP_STORED)
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as source, zf.open(info, "w", force_zip64=blob.size > 2**31) as target:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
            target.write(chunk)
    if digest.hexdigest() != blob.sha256 or size != blob.size:
        raise BlobMismatch(f"{path} is not the blob it is filed as", entry=info.filename)


class CheckedBlob:
    """A blob's bytes as read from the bundle, re-hashed as they are read.

    ``read_bundle`` hashed every blob already; reading again checks that the file did not change
    in between (a bundle on a USB stick can). The mismatch is raised at the end of the stream,
    before the caller commits what it read.
    """

    def __init__(self, stream: IO[bytes], entry: BlobEntry) -> None:
        self._stream = stream
        self._entry = entry
        self._digest = hashlib.sha256()
        self._size = 0

    def read(self, size: int = -1) -> bytes:
        try:
            data = self._stream.read(size)
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            # Changed since the check so that the zip's own CRC or compression breaks first.
            raise BlobMismatch(f"damaged since the bundle was checked: {exc}",
                               entry=BLOB_PREFIX + self._entry.sha256) from exc
        self._digest.update(data)
        self._size += len(data)
        if self._size > self._entry.size:
            raise BlobMismatch("longer than the manifest says", entry=BLOB_PREFIX + self._entry.sha256)
        if not data or size < 0:
            self._check()
        return data

    def _check(self) -> None:
        if self._size != self._entry.size or self._digest.hexdigest() != self._entry.sha256:
            raise BlobMismatch("changed since the bundle was checked", entry=BLOB_PREFIX + self._entry.sha256)

    def close(self) -> None:
        self._stream.close()

    def __enter__(self) -> CheckedBlob:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class VerifiedBundle:
    """A bundle that passed every check; use as a context manager, it holds the zip open."""

    def __init__(self, zf: zipfile.ZipFile, manifest: BundleManifest) -> None:
        self._zf = zf
        self.manifest = manifest
        self._blobs = {b.sha256: b for b in manifest.blobs}

    @property
    def changeset(self) -> Changeset:
        return self.manifest.changeset

    def open_blob(self, sha256: str) -> CheckedBlob:
        entry = self._blobs[sha256]
        return CheckedBlob(self._zf.open(BLOB_PREFIX + sha256), entry)

    def close(self) -> None:
        self._zf.close()

    def __enter__(self) -> VerifiedBundle:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def read_bundle(
    source: Path | IO[bytes],
    *,
    public_key_for: PublicKeyLookup,
    limits: BundleLimits = DEFAULT_LIMITS,
) -> VerifiedBundle:
    """Open and check a bundle: its zip directory, signature, manifest, entries and every blob.

    ``public_key_for`` gives the key registered for a device id (None for an unknown device):
    the key a bundle names for itself proves nothing. Raises a ``BundleError`` subclass naming
    the offending entry; the changeset's rows still need the receiver's push checks (scope,
    base revisions) when it applies them.
    """
    try:
        zf = zipfile.ZipFile(source)
    # ValueError: an end record whose sizes point before the file's start (zipfile seeks there);
    # NotImplementedError: a directory naming a zip version or feature zipfile has not.
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, NotImplementedError, OSError,
            EOFError) as exc:
        raise NotABundle(f"not a bundle (a zip file): {exc}") from exc
    try:
        manifest = _verify(zf, public_key_for, limits)
    except BaseException:
        zf.close()
        raise
    return VerifiedBundle(zf, manifest)


def _verify(zf: zipfile.ZipFile, public_key_for: PublicKeyLookup, limits: BundleLimits) -> BundleManifest:
    infos = zf.infolist()
    check_directory(infos, limits)
    names = {info.filename for info in infos}
    if MANIFEST not in names:
        raise EntriesMismatch("the manifest is missing", entry=MANIFEST)
    if SIGNATURE not in names:
        raise SignatureInvalid("the bundle is not signed", entry=SIGNATURE)
    body = _read_small(zf, MANIFEST, limits.max_manifest_bytes)
    document = _parse_manifest(body)
    _check_signature(zf, body, document, public_key_for)
    try:
        manifest = BundleManifest.model_validate_json(body)
    except ValidationError as exc:
        raise InvalidManifest(_summary(exc), entry=MANIFEST) from exc
    _check_entries(names, manifest)
    for blob in manifest.blobs:
        _check_blob(zf, blob)
    return manifest


def _read_small(zf: zipfile.ZipFile, name: str, cap: int) -> bytes:
    try:
        with zf.open(name) as stream:
            return read_capped(stream, cap, entry=name)
    # zlib.error: a deflated entry whose bytes were changed; ValueError: a directory whose
    # offsets put the entry before the file's start (both found by flipping single bytes).
    except (zipfile.BadZipFile, zlib.error, ValueError, NotImplementedError, OSError, EOFError) as exc:
        raise InvalidManifest(f"cannot be read: {exc}", entry=name) from exc


def _parse_manifest(body: bytes) -> dict[str, Any]:
    try:
        text = body.decode("utf-8")
        document = loads_exact(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidManifest(f"not JSON: {exc}", entry=MANIFEST) from exc
    if not isinstance(document, dict):
        raise InvalidManifest("not a JSON object", entry=MANIFEST)
    # The format first: a newer program's bundle should say "update", not list field errors.
    if document.get("format") != BUNDLE_FORMAT:
        raise UnknownFormat(
            f"format {document.get('format')!r}; this program reads format {BUNDLE_FORMAT}", entry=MANIFEST
        )
    try:
        canonical = canonical_json(document)
    except (TypeError, ValueError) as exc:
        raise InvalidManifest(str(exc), entry=MANIFEST) from exc
    if canonical != text:
        raise InvalidManifest("not in canonical form, so not as it was signed", entry=MANIFEST)
    if not isinstance(document.get("device_id"), str):
        raise InvalidManifest("no device id", entry=MANIFEST)
    return document


def _check_signature(
    zf: zipfile.ZipFile, body: bytes, document: dict[str, Any], public_key_for: PublicKeyLookup
) -> None:
    raw = _read_small(zf, SIGNATURE, _MAX_SIGNATURE_BYTES)
    try:
        signed = BundleSignature.model_validate_json(raw)
    except ValidationError as exc:
        raise SignatureInvalid(f"malformed: {_summary(exc)}", entry=SIGNATURE) from exc
    if signed.algorithm != "ed25519":
        raise SignatureInvalid(f"algorithm {signed.algorithm!r} is not accepted", entry=SIGNATURE)
    device = document["device_id"]
    registered = public_key_for(device)
    if registered is None:
        raise SignatureInvalid(f"device {device} has no registered key here", entry=SIGNATURE)
    if keys.key_id(registered) != signed.key_id:
        raise SignatureInvalid(f"signed with a key that is not device {device}'s", entry=SIGNATURE)
    if not keys.verify(registered, base64.b64decode(signed.signature), body):
        raise SignatureInvalid("does not match the manifest: the bundle was changed", entry=SIGNATURE)


def _check_entries(names: set[str], manifest: BundleManifest) -> None:
    expected = {MANIFEST, SIGNATURE} | {BLOB_PREFIX + b.sha256 for b in manifest.blobs}
    missing = sorted(expected - names)
    if missing:
        raise EntriesMismatch(f"listed in the manifest but missing ({len(missing)} in all)", entry=missing[0])
    extra = sorted(names - expected)
    if extra:
        raise EntriesMismatch(f"not listed in the manifest ({len(extra)} in all)", entry=extra[0])


def _check_blob(zf: zipfile.ZipFile, blob: BlobEntry) -> None:
    name = BLOB_PREFIX + blob.sha256
    if zf.getinfo(name).file_size != blob.size:
        raise BlobMismatch(f"{zf.getinfo(name).file_size} bytes; the manifest says {blob.size}", entry=name)
    digest = hashlib.sha256()
    try:
        with zf.open(name) as stream:
            while chunk := stream.read(_CHUNK):
                digest.update(chunk)
    except (zipfile.BadZipFile, zlib.error, ValueError, NotImplementedError, OSError, EOFError) as exc:
        raise BlobMismatch(f"damaged: {exc}", entry=name) from exc
    if digest.hexdigest() != blob.sha256:
        raise BlobMismatch("its bytes do not have the SHA-256 of its name", entry=name)


def _summary(exc: ValidationError) -> str:
    shown = [
        f"{'.'.join(str(p) for p in error['loc']) or '(top)'}: {error['msg']}" for error in exc.errors()[:3]
    ]
    more = exc.error_count() - len(shown)
    return "; ".join(shown) + (f"; and {more} more" if more > 0 else "")


__all__ = [
    "BLOB_PREFIX",
    "BUNDLE_FORMAT",
    "MANIFEST",
    "SIGNATURE",
    "BlobEntry",
    "BundleError",
    "BundleLimits",
    "BundleManifest",
    "BundleSignature",
    "CheckedBlob",
    "VerifiedBundle",
    "read_bundle",
    "write_bundle",
]
