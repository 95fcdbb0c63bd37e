"""The server's blob store: photos and signatures named by the SHA-256 of their bytes.

``open_blob_store(url)`` picks the implementation from a URL:

- ``file:///srv/fieldmark/blobs`` or a plain path: files under that folder (the default);
- ``s3://bucket[/prefix]?endpoint=http://127.0.0.1:8333&region=us-east-1`` with optional
  ``access_key`` and ``secret_key``: an S3-compatible bucket. Without keys in the URL, boto3's
  standard chain applies (``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``, profiles, roles), and
  without ``endpoint`` ``AWS_ENDPOINT_URL`` or AWS itself.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from server.store.blobs.base import (
    BadBlobName,
    BlobDamaged,
    BlobError,
    BlobHashMismatch,
    BlobNotFound,
    BlobReader,
    BlobStore,
    BlobStoreUnavailable,
    BlobTooLarge,
    BlobUploadStalled,
    check_name,
)
from server.store.blobs.files import FileBlobStore
from server.store.blobs.s3 import S3BlobStore, check_bucket_name, make_client

__all__ = [
    "BadBlobName", "BlobDamaged", "BlobError", "BlobHashMismatch", "BlobNotFound", "BlobReader", "BlobStore",
    "BlobStoreUnavailable", "BlobUploadStalled", "BlobTooLarge", "FileBlobStore", "S3BlobStore", "check_name",
    "open_blob_store",
]

_S3_OPTIONS = {"endpoint", "region", "access_key", "secret_key"}


def open_blob_store(url: str | Path) -> BlobStore:
    """The blob store a URL names (see the module's docstring). ValueError on a bad URL."""
    text = str(url)
    if not text:
        raise ValueError("empty blob store URL")
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    # A one-letter scheme is a Windows drive ("C:\\blobs"), not a URL.
    if scheme == "" or len(scheme) == 1:
        return FileBlobStore(Path(text))
    if scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise ValueError(f"file URL with a remote host: {text}")
        return FileBlobStore(Path(unquote(parts.path)))
    if scheme == "s3":
        return _open_s3(parts.netloc, parts.path, parts.query)
    raise ValueError(f"unsupported blob store URL {scheme}:…; use file:///path or s3://bucket")


def _open_s3(bucket: str, path: str, query: str) -> S3BlobStore:
    if not bucket:
        raise ValueError("s3:// URL without a bucket")
    check_bucket_name(bucket)
    options: dict[str, str] = {}
    for name, values in parse_qs(query, keep_blank_values=False, strict_parsing=False).items():
        if name not in _S3_OPTIONS:
            raise ValueError(f"unknown s3:// option {name!r}; known: {', '.join(sorted(_S3_OPTIONS))}")
        options[name] = values[-1]
    if ("access_key" in options) != ("secret_key" in options):
        raise ValueError("s3:// URL with only one of access_key and secret_key")
    client = make_client(endpoint=options.get("endpoint"), region=options.get("region"),
                         access_key=options.get("access_key"), secret_key=options.get("secret_key"))
    return S3BlobStore(bucket, client=client, prefix=unquote(path))
