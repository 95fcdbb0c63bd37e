"""The office's logo as the Settings page takes it: a PNG or JPEG image, small enough to sit in
every laptop's profile, stored in the blob store under its SHA-256 exactly as an upload through
the API (``PUT /blobs/{sha256}``) would be. ``office.set_settings`` then names it by that hash.

The API takes any blob as the logo (its client is trusted to send an image); a person choosing
a file in a browser may pick anything, so the page checks the bytes first and stores nothing
that is not a PNG or JPEG the printed sheets can draw.
"""

from __future__ import annotations

import hashlib
import io
import struct

from PIL import Image

from server.store.blobs import BlobStore

# A logo is printed a few centimetres wide: 2 MiB is a generous scan, and every laptop pulls it.
MAX_LOGO_BYTES = 2 * 1024 * 1024
# Pillow's name of each format the printed sheets can draw -> the media type it is served as.
KINDS = {"PNG": "image/png", "JPEG": "image/jpeg"}


class LogoRefused(Exception):
    """Not a logo the page stores; ``reason`` is "empty", "too_large" or "not_image"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def check_logo(data: bytes) -> str:
    """The media type of ``data`` when it is a PNG or JPEG of at most MAX_LOGO_BYTES; else
    LogoRefused. Only the two formats are tried, and the file's structure is verified (a
    truncated or renamed file is refused) without decoding the pixels."""
    if not data:
        raise LogoRefused("empty")
    if len(data) > MAX_LOGO_BYTES:
        raise LogoRefused("too_large")
    try:
        with Image.open(io.BytesIO(data), formats=list(KINDS)) as image:
            kind = image.format
            image.verify()
    except (OSError, SyntaxError, ValueError, struct.error, Image.DecompressionBombError):
        raise LogoRefused("not_image") from None
    if kind not in KINDS:
        raise LogoRefused("not_image")
    return KINDS[kind]


def store_logo(store: BlobStore, data: bytes) -> str:
    """Put checked logo bytes in the blob store; their SHA-256 (the store re-hashes them)."""
    sha = hashlib.sha256(data).hexdigest()
    store.put(sha, [data], limit=MAX_LOGO_BYTES)
    return sha


def media_type(data: bytes) -> str:
    """What to serve stored logo bytes as (a logo set through the API may be any blob)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return KINDS["PNG"]
    if data.startswith(b"\xff\xd8\xff"):
        return KINDS["JPEG"]
    return "application/octet-stream"
