"""Why a bundle was refused, as types: the UI names the cause, the server maps ``code`` to its
error body, and every refusal can name the offending ``entry`` of the zip. Also why a sync could
not write what it received (``DiskFull``)."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

from app.errors import FieldmarkError
from app.sync import client

# A write refused for want of room: the disk (ENOSPC), a quota (EDQUOT) or a file-size limit (EFBIG).
_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
# SQLite's result codes for a write refused: SQLITE_FULL (ENOSPC), and the I/O errors of writing,
# which is what SQLite reports when a write fails otherwise (EFBIG and EDQUOT among them). A read
# error is not among them: that is a damaged disk or file, not a full one.
_SQLITE_WRITE_CODES = {sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR_WRITE, sqlite3.SQLITE_IOERR_FSYNC,
                       sqlite3.SQLITE_IOERR_DIR_FSYNC, sqlite3.SQLITE_IOERR_TRUNCATE, sqlite3.SQLITE_IOERR_SHMSIZE}


class SyncError(FieldmarkError):
    """Base of the sync errors."""


class BundleError(SyncError):
    """A bundle was refused; nothing of it may be applied."""

    code = "bundle_invalid_manifest"

    def __init__(self, message: str, *, entry: str | None = None) -> None:
        super().__init__(message if entry is None else f"{entry}: {message}")
        self.entry = entry


class NotABundle(BundleError):
    """The file is not a zip archive."""

    code = "bundle_not_a_zip"


class UnsafeEntry(BundleError):
    """An entry that could write outside a folder or is not a plain file: a path going up
    (``..``), an absolute path, a symlink, a duplicate or encrypted entry."""

    code = "bundle_unsafe_entry"


class BundleTooLarge(BundleError):
    """Over a size limit: too many entries, an entry or the whole too big, or compressed
    suspiciously well (a zip bomb)."""

    code = "bundle_too_large"


class EntriesMismatch(BundleError):
    """The zip's entries are not exactly those the manifest lists (missing or extra)."""

    code = "bundle_entries_mismatch"


class BlobMismatch(BundleError):
    """A blob's bytes do not have the SHA-256 or the size the manifest says."""

    code = "bundle_blob_mismatch"


class SignatureInvalid(BundleError):
    """The signature is missing, malformed, by an unknown device or key, or does not verify."""

    code = "bundle_signature_invalid"


class UnknownFormat(BundleError):
    """A bundle format version this program does not read."""

    code = "bundle_unknown_format"


class InvalidManifest(BundleError):
    """The manifest is not canonical JSON or does not validate (its changeset included)."""

    code = "bundle_invalid_manifest"


class DiskFull(client.SyncError):
    """The laptop could not store what a sync received (the disk of the data folder is full, or a
    write to it failed). What was written before is whole: a pulled page and its cursor commit
    together, a photo is renamed into place only once all of it is written. The next sync, once
    there is room, carries on from there."""

    reason = "disk_full"


def write_failure(exc: BaseException, what: str, folder: Path) -> DiskFull | None:
    """``exc`` as the user should hear it if it is a write the disk refused, else None (a
    programming error or a damaged database is not to be dressed up as a full disk)."""
    if isinstance(exc, OSError) and exc.errno in _FULL_ERRNOS:
        detail = exc.strerror or str(exc)
    elif isinstance(exc, sqlite3.OperationalError) and getattr(exc, "sqlite_errorcode", None) in _SQLITE_WRITE_CODES:
        detail = str(exc)
    else:
        return None
    return DiskFull(f"the disk of {folder} is full or cannot be written ({detail}): could not store {what}. "
                    "What the sync stored before it is whole and nothing is lost; free some space and sync again")
