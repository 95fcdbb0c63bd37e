"""The blob store's behaviour, the same on files and on a real SeaweedFS S3 server."""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest

from server.store.blobs import (
    BadBlobName,
    BlobHashMismatch,
    BlobNotFound,
    BlobStore,
    BlobStoreUnavailable,
    BlobTooLarge,
    FileBlobStore,
    S3BlobStore,
    open_blob_store,
)
from tests.server.blob_support import SeaweedS3, seaweedfs  # noqa: F401

LIMIT = 64 * 1024 * 1024


def blob(size: int, seed: int = 0) -> tuple[str, bytes]:
    data = (hashlib.sha256(str(seed).encode()).digest() * (size // 32 + 1))[:size]
    return hashlib.sha256(data).hexdigest(), data


def chunked(data: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i:i + size]


class Cut(Exception):
    """The connection dropped."""


def cut_after(data: bytes, bytes_sent: int) -> Iterator[bytes]:
    sent = 0
    for chunk in chunked(data):
        if sent >= bytes_sent:
            raise Cut()
        sent += len(chunk)
        yield chunk
    raise Cut()


class Backend:
    """A store plus a way to look behind it: what is visible at all, whatever the API says."""

    def __init__(self, kind: str, store: BlobStore, visible: object) -> None:
        self.kind = kind
        self.store = store
        self._visible = visible

    def visible(self) -> list[str]:
        return self._visible()  # type: ignore[operator]


@pytest.fixture(params=["file", "s3"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "file":
        root = tmp_path / "blobs"
        store: BlobStore = open_blob_store(f"file://{root}")

        def files() -> list[str]:
            # Every file, temporary ones included: a cut upload must leave none behind.
            return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())

        yield Backend("file", store, files)
    else:
        server: SeaweedS3 = request.getfixturevalue("seaweedfs")
        bucket = server.new_bucket()
        store = open_blob_store(server.url(bucket, "media"))
        # Unfinished multipart uploads count too: a refused or cut upload must abort its own.
        yield Backend("s3", store, lambda: server.keys(bucket)
                      + [f"upload:{key}" for key in server.uploads(bucket)])
    store.close()


def test_missing_and_has(backend: Backend) -> None:
    store = backend.store
    a, data_a = blob(1000, 1)
    b, _ = blob(1000, 2)
    assert store.missing([a, b]) == [a, b]
    assert not store.has(a)
    assert store.put(a, [data_a], limit=LIMIT) == 1000
    assert store.has(a)
    assert store.missing([b, a, b]) == [b]  # order kept, each once
    assert store.missing([]) == []


def test_names_lists_stored_blobs_only(backend: Backend) -> None:
    store = backend.store
    assert list(store.names()) == []
    stored = [blob(100, n)[0] for n in range(3)]
    for n, sha in enumerate(stored):
        store.put(sha, [blob(100, n)[1]], limit=LIMIT)
    big, data = blob(9 * 1024 * 1024, 7)
    with pytest.raises(Cut):  # a cut upload in progress or abandoned is no blob
        store.put(big, cut_after(data, 5 * 1024 * 1024), limit=LIMIT)
    assert sorted(store.names()) == sorted(stored)


def test_round_trip_streams(backend: Backend) -> None:
    store = backend.store
    # Larger than one S3 part (8 MiB), so the S3 store goes through a multipart upload.
    sha, data = blob(9 * 1024 * 1024 + 123, 3)
    assert store.put(sha, chunked(data), limit=LIMIT) == len(data)
    with store.open(sha) as reader:  # type: ignore[attr-defined]
        assert reader.read() == data
    assert b"".join(store.iter_chunks(sha, 1 << 20)) == data
    small, small_data = blob(10, 4)
    store.put(small, iter([small_data]), limit=LIMIT)
    assert b"".join(store.iter_chunks(small)) == small_data
    assert len(backend.visible()) == 2
    assert any(name.endswith(f"{sha[:2]}/{sha}") for name in backend.visible())


def test_empty_blob(backend: Backend) -> None:
    sha = hashlib.sha256(b"").hexdigest()
    assert backend.store.put(sha, [], limit=LIMIT) == 0
    assert backend.store.has(sha)
    assert b"".join(backend.store.iter_chunks(sha)) == b""


def test_open_missing_blob(backend: Backend) -> None:
    sha, _ = blob(5, 5)
    with pytest.raises(BlobNotFound):
        backend.store.open(sha)


def test_re_put_is_a_verified_no_op(backend: Backend) -> None:
    store = backend.store
    sha, data = blob(2000, 6)
    store.put(sha, [data], limit=LIMIT)
    before = backend.visible()
    assert store.put(sha, chunked(data, 100), limit=LIMIT) == 2000
    assert backend.visible() == before
    # The second sender must still send the right bytes.
    with pytest.raises(BlobHashMismatch):
        store.put(sha, [data[:-1] + b"x"], limit=LIMIT)
    with pytest.raises(BlobTooLarge):
        store.put(sha, [data], limit=1999)
    assert b"".join(store.iter_chunks(sha)) == data


def test_size_limit(backend: Backend) -> None:
    store = backend.store
    sha, data = blob(10_000, 7)
    with pytest.raises(BlobTooLarge) as info:
        store.put(sha, chunked(data, 1000), limit=9_999)
    assert info.value.limit == 9_999
    assert not store.has(sha)
    assert backend.visible() == []
    assert store.put(sha, chunked(data, 1000), limit=10_000) == 10_000


def test_size_limit_stops_reading(backend: Backend) -> None:
    """An endless body is refused once past the limit, not read to the end."""
    read = 0

    def endless() -> Iterator[bytes]:
        nonlocal read
        while True:
            read += 4096
            yield b"\0" * 4096

    with pytest.raises(BlobTooLarge):
        backend.store.put("0" * 64, endless(), limit=100_000)
    assert read <= 100_000 + 4096
    assert backend.visible() == []


@pytest.mark.parametrize("size", [100, 9 * 1024 * 1024])
def test_hash_mismatch_leaves_nothing(backend: Backend, size: int) -> None:
    sha, data = blob(size, 8)
    other, _ = blob(size, 9)
    with pytest.raises(BlobHashMismatch) as info:
        backend.store.put(other, chunked(data), limit=LIMIT)
    assert info.value.expected == other and info.value.actual == sha and info.value.size == size
    assert not backend.store.has(other)
    assert not backend.store.has(sha)
    assert backend.visible() == []


@pytest.mark.parametrize("cut_at", [0, 300 * 1024, 8 * 1024 * 1024 + 64 * 1024])
def test_cut_upload_leaves_nothing_and_retry_succeeds(backend: Backend, cut_at: int) -> None:
    sha, data = blob(9 * 1024 * 1024, 10)
    with pytest.raises(Cut):
        backend.store.put(sha, cut_after(data, cut_at), limit=LIMIT)
    assert not backend.store.has(sha)
    assert backend.store.missing([sha]) == [sha]
    assert backend.visible() == []
    assert backend.store.put(sha, chunked(data), limit=LIMIT) == len(data)
    assert b"".join(backend.store.iter_chunks(sha)) == data


BAD_NAMES = ["", "abc", "A" * 64, "g" * 64, "0" * 63, "0" * 65, "../" + "0" * 61,
             "0" * 62 + "/a", " " + "0" * 63, "０" * 64, None, 42]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_bad_names(backend: Backend, name: object) -> None:
    store = backend.store
    with pytest.raises(BadBlobName):
        store.has(name)  # type: ignore[arg-type]
    with pytest.raises(BadBlobName):
        store.missing(["0" * 64, name])  # type: ignore[list-item]
    with pytest.raises(BadBlobName):
        store.put(name, [b"x"], limit=LIMIT)  # type: ignore[arg-type]
    with pytest.raises(BadBlobName):
        store.open(name)  # type: ignore[arg-type]
    assert backend.visible() == []


def test_concurrent_puts_of_the_same_blob(backend: Backend) -> None:
    sha, data = blob(3 * 1024 * 1024, 11)
    start = threading.Barrier(6)
    results: list[object] = []

    def upload() -> None:
        start.wait()
        try:
            results.append(backend.store.put(sha, chunked(data), limit=LIMIT))
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            results.append(exc)

    threads = [threading.Thread(target=upload) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert results == [len(data)] * 6
    assert b"".join(backend.store.iter_chunks(sha)) == data
    assert len(backend.visible()) == 1


def test_async_put_streams_through_a_worker_thread(backend: Backend) -> None:
    sha, data = blob(5 * 1024 * 1024 + 7, 12)

    async def body(payload: bytes, fail_at: int | None = None):  # type: ignore[no-untyped-def]
        for i, chunk in enumerate(chunked(payload, 32 * 1024)):
            if fail_at is not None and i == fail_at:
                raise Cut()
            await anyio.sleep(0)
            yield chunk

    async def scenario() -> None:
        with pytest.raises(Cut):
            await backend.store.aput(sha, body(data, fail_at=40), limit=LIMIT)
        assert backend.visible() == []
        with pytest.raises(BlobTooLarge):
            await backend.store.aput(sha, body(data), limit=len(data) - 1)
        with pytest.raises(BlobHashMismatch):
            await backend.store.aput(sha, body(data + b"!"), limit=LIMIT)
        assert backend.visible() == []
        assert await backend.store.aput(sha, body(data), limit=LIMIT) == len(data)

    anyio.run(scenario)
    assert b"".join(backend.store.iter_chunks(sha)) == data


def test_check_ready(backend: Backend) -> None:
    backend.store.check()


# --- backend-specific ---------------------------------------------------------------------------

def test_file_layout_and_unwritable_folder(tmp_path: Path) -> None:
    store = FileBlobStore(tmp_path / "media")
    sha, data = blob(50, 13)
    store.put(sha, [data], limit=LIMIT)
    path = tmp_path / "media" / sha[:2] / sha
    assert path.read_bytes() == data
    assert path.stat().st_mode & 0o777 == 0o640
    assert store.temp_files() == []
    if os.geteuid() != 0:  # root writes anywhere; the missing folder below covers it
        (tmp_path / "media").chmod(0o500)
        try:
            with pytest.raises(BlobStoreUnavailable):
                store.check()
        finally:
            (tmp_path / "media").chmod(0o700)
    gone = FileBlobStore(tmp_path / "nowhere", create=False)
    with pytest.raises(BlobStoreUnavailable):
        gone.check()


def test_s3_missing_bucket_is_not_ready(seaweedfs: SeaweedS3) -> None:  # noqa: F811
    store = open_blob_store(seaweedfs.url("fm-no-such-bucket"))
    with pytest.raises(BlobStoreUnavailable):
        store.check()
    store.close()


def test_s3_unreachable_endpoint_is_not_ready() -> None:
    store = open_blob_store("s3://fieldmark?endpoint=http://127.0.0.1:9&access_key=a&secret_key=b")
    with pytest.raises(BlobStoreUnavailable):
        store.check()


def test_open_blob_store_urls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(open_blob_store(tmp_path / "a"), FileBlobStore)
    assert open_blob_store(str(tmp_path / "b")).root == tmp_path / "b"  # type: ignore[attr-defined]
    assert open_blob_store(f"file://{tmp_path}/c%20d").root == tmp_path / "c d"  # type: ignore[attr-defined]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "from-env")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret-from-env")
    s3 = open_blob_store("s3://fieldmark/photos/2026?endpoint=http://127.0.0.1:8333&region=cn-north-1")
    assert isinstance(s3, S3BlobStore)
    assert s3.bucket == "fieldmark" and s3.prefix == "photos/2026/"
    assert s3.key("ab" + "0" * 62) == "photos/2026/ab/ab" + "0" * 62
    assert s3.client.meta.region_name == "cn-north-1"
    assert s3.client._request_signer._credentials.access_key == "from-env"
    keyed = open_blob_store("s3://fieldmark?access_key=AK&secret_key=SK")
    assert keyed.client._request_signer._credentials.access_key == "AK"  # type: ignore[attr-defined]
    for bad in ["s3://ab", "s3://Fieldmark", "s3://", "s3://fieldmark?endpont=x",
                "s3://fieldmark?access_key=only", "ftp://host/x", "file://remote/x", ""]:
        with pytest.raises(ValueError):
            open_blob_store(bad)


def test_a_stalled_upload_frees_its_thread_and_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A client that stops sending without closing: the writing thread gives up, the file goes."""
    import asyncio

    from server.store.blobs import BlobUploadStalled, FileBlobStore
    from server.store.blobs import base as blob_base

    monkeypatch.setattr(blob_base, "STALL_TIMEOUT_S", 0.3)
    store = FileBlobStore(tmp_path / "blobs")
    sha, data = blob(3 * 1024 * 1024, 13)
    never = asyncio.Event()

    async def body():  # type: ignore[no-untyped-def]
        yield data[: 2 * 1024 * 1024]
        await never.wait()  # the connection stays open and silent
        yield data

    async def scenario() -> None:
        upload = asyncio.ensure_future(store.aput(sha, body(), limit=LIMIT))
        for _ in range(100):
            await asyncio.sleep(0.05)
            if not store.temp_files() and upload.done() is False:
                break
        assert store.temp_files() == []  # the thread removed its partial file by itself
        upload.cancel()
        with pytest.raises((asyncio.CancelledError, BlobUploadStalled)):
            await upload

    asyncio.run(scenario())
    assert not store.has(sha)
