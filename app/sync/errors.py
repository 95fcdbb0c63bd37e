"""Why a bundle was refused, as types: the UI names the cause, the server maps ``code`` to its
error body, and every refusal can name the offending ``entry`` of the zip."""

from __future__ import annotations

from app.errors import FieldmarkError


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
