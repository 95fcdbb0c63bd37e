"""Blobs in an S3-compatible bucket (AWS, SeaweedFS, MinIO…) through boto3.

Keys are ``{prefix}ab/abcdef…``. An upload never exposes unverified bytes under its key: a blob
that fits in one part is hashed while it is buffered and sent with one PUT only after the hash
matched; a larger one goes up as a multipart upload, which S3 keeps invisible until it is
completed, and it is completed only after the hash matched (aborted otherwise). A cut upload
therefore leaves at most an aborted or orphaned multipart upload, never an object.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from server.store.blobs.base import (
    BlobNotFound,
    BlobReader,
    BlobStore,
    BlobStoreUnavailable,
    Meter,
    check_name,
    unique_names,
)

# S3 wants parts of at least 5 MiB (but the last); 8 MiB keeps a 3 MB photo in one PUT.
PART_SIZE = 8 * 1024 * 1024
# HEAD requests in flight for one ``missing`` call: a sync asks about hundreds of photos at once.
LOOKUP_THREADS = 16
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_NOT_FOUND = {"404", "NoSuchKey", "NotFound"}
_SHA = re.compile(r"[0-9a-f]{64}")


def check_bucket_name(bucket: str) -> str:
    if not _BUCKET.fullmatch(bucket):
        raise ValueError(
            f"bad S3 bucket name {bucket!r}: 3 to 63 characters of lowercase letters, digits, "
            "dots and hyphens, starting and ending with a letter or digit")
    return bucket


def make_client(*, endpoint: str | None = None, region: str | None = None,
                access_key: str | None = None, secret_key: str | None = None) -> Any:
    """A boto3 S3 client; credentials not given here come from the standard AWS chain."""
    config = Config(
        # Path-style addressing: a self-hosted endpoint has no per-bucket DNS names.
        s3={"addressing_style": "path" if endpoint else "auto"},
        retries={"max_attempts": 3, "mode": "standard"},
        connect_timeout=5,
        read_timeout=60,
        max_pool_connections=LOOKUP_THREADS * 2,
        # We verify SHA-256 ourselves; the newer default CRC trailers are not understood by every
        # S3-compatible store, so send them only where an operation requires them.
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=region or "us-east-1",
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        config=config,
    )


class S3BlobStore(BlobStore):
    def __init__(self, bucket: str, *, client: Any, prefix: str = "",
                 part_size: int = PART_SIZE) -> None:
        if part_size < 5 * 1024 * 1024:
            raise ValueError("S3 parts must be at least 5 MiB")
        self.bucket = check_bucket_name(bucket)
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.client = client
        self.part_size = part_size

    def __repr__(self) -> str:
        return f"S3BlobStore(bucket={self.bucket!r}, prefix={self.prefix!r})"

    def key(self, sha: str) -> str:
        check_name(sha)
        return f"{self.prefix}{sha[:2]}/{sha}"

    def has(self, sha: str) -> bool:
        key = self.key(sha)
        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if _error_code(exc) in _NOT_FOUND:
                return False
            raise
        return True

    def names(self) -> Iterator[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix)
        for page in pages:
            for obj in page.get("Contents", []):
                name = obj["Key"][len(self.prefix):].rpartition("/")[2]
                if _SHA.fullmatch(name):
                    yield name

    def missing(self, shas: Iterable[str]) -> list[str]:
        names = unique_names(shas)
        if len(names) <= 1:
            return [sha for sha in names if not self.has(sha)]
        # boto3 clients are thread-safe; one HEAD per name, many in flight.
        with ThreadPoolExecutor(max_workers=min(LOOKUP_THREADS, len(names))) as pool:
            present = list(pool.map(self.has, names))
        return [sha for sha, here in zip(names, present, strict=True) if not here]

    def put(self, sha: str, chunks: Iterable[bytes], *, limit: int) -> int:
        key = self.key(sha)
        try:
            return self._put(sha, key, chunks, limit)
        except (ClientError, BotoCoreError) as exc:
            raise BlobStoreUnavailable(f"S3 bucket {self.bucket}: {exc}") from exc

    def _put(self, sha: str, key: str, chunks: Iterable[bytes], limit: int) -> int:
        meter = Meter(sha, limit)
        if self.has(sha):
            for chunk in chunks:
                meter.update(chunk)
            return meter.verify()
        buffer = bytearray()
        upload: _Multipart | None = None
        try:
            for chunk in chunks:
                meter.update(chunk)
                buffer += chunk
                while len(buffer) >= self.part_size:
                    if upload is None:
                        upload = _Multipart(self.client, self.bucket, key)
                    upload.add(bytes(buffer[:self.part_size]))
                    del buffer[:self.part_size]
            size = meter.verify()
            if upload is None:
                self.client.put_object(Bucket=self.bucket, Key=key, Body=bytes(buffer),
                                       ContentType="application/octet-stream")
            else:
                if buffer or not upload.parts:
                    upload.add(bytes(buffer))
                upload.complete()
        except BaseException:
            if upload is not None:
                upload.abort()
            raise
        return size

    def open(self, sha: str) -> BlobReader:
        key = self.key(sha)
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if _error_code(exc) in _NOT_FOUND:
                raise BlobNotFound(sha) from None
            raise
        body: BlobReader = answer["Body"]
        return body

    def size(self, sha: str) -> int:
        key = self.key(sha)
        try:
            return int(self.client.head_object(Bucket=self.bucket, Key=key)["ContentLength"])
        except ClientError as exc:
            if _error_code(exc) in _NOT_FOUND:
                raise BlobNotFound(sha) from None
            raise

    def check(self) -> None:
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except (ClientError, BotoCoreError) as exc:
            raise BlobStoreUnavailable(f"S3 bucket {self.bucket}: {exc}") from exc

    def create_bucket(self) -> None:
        """Create the bucket if it does not exist (``init`` and tests; production makes its own)."""
        try:
            self.client.create_bucket(Bucket=self.bucket)
        except ClientError as exc:
            if _error_code(exc) not in {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}:
                raise

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.client.close()


class _Multipart:
    """One multipart upload: invisible under its key until ``complete``."""

    def __init__(self, client: Any, bucket: str, key: str) -> None:
        self.client = client
        self.bucket = bucket
        self.key = key
        self.upload_id: str = client.create_multipart_upload(
            Bucket=bucket, Key=key, ContentType="application/octet-stream")["UploadId"]
        self.parts: list[dict[str, Any]] = []

    def add(self, data: bytes) -> None:
        number = len(self.parts) + 1
        answer = self.client.upload_part(Bucket=self.bucket, Key=self.key, UploadId=self.upload_id,
                                         PartNumber=number, Body=data)
        self.parts.append({"PartNumber": number, "ETag": answer["ETag"]})

    def complete(self) -> None:
        self.client.complete_multipart_upload(
            Bucket=self.bucket, Key=self.key, UploadId=self.upload_id,
            MultipartUpload={"Parts": self.parts})

    def abort(self) -> None:
        # Best effort: the upload is invisible either way, and a bucket lifecycle rule can sweep
        # the ones a crash left behind.
        with contextlib.suppress(ClientError, BotoCoreError):
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=self.key,
                                               UploadId=self.upload_id)


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))
