"""The blob routes over real HTTP: a uvicorn server in its own process on loopback, on files
and on a real SeaweedFS S3 server."""

from __future__ import annotations

import hashlib
import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from app.sync.errors_body import ErrorBody
from app.sync.protocol import API_PREFIX, MAX_HASHES_PER_QUERY
from server.store.blobs import BlobStore, open_blob_store
from tests.server.blob_support import RunningServer, SeaweedS3, seaweedfs, start_blob_server  # noqa: F401

LIMIT = 4 * 1024 * 1024


def blob(size: int, seed: int) -> tuple[str, bytes]:
    data = (hashlib.sha256(str(seed).encode()).digest() * (size // 32 + 1))[:size]
    return hashlib.sha256(data).hexdigest(), data


class Site:
    def __init__(self, server: RunningServer, store: BlobStore) -> None:
        self.server = server
        self.store = store  # the same store, opened from the test, to look behind the API
        self.http = httpx.Client(base_url=server.base_url + API_PREFIX, timeout=30, headers={
            "Authorization": f"Bearer {server.token}", "Fieldmark-Protocol": "1"})

    def put(self, sha: str, body: object, **kw: object) -> httpx.Response:
        return self.http.put(f"/blobs/{sha}", content=body, **kw)  # type: ignore[arg-type]

    def missing(self, shas: list[str]) -> httpx.Response:
        return self.http.post("/blobs/missing", json={"sha256": shas})


@pytest.fixture(scope="module", params=["file", "s3"])
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp(f"server-{request.param}")
    if request.param == "file":
        url = f"file://{folder / 'media'}"
    else:
        weed: SeaweedS3 = request.getfixturevalue("seaweedfs")
        url = weed.url(weed.new_bucket(), "media")
    server = start_blob_server(folder / "data", url, max_blob_bytes=LIMIT)
    store = open_blob_store(url)
    yield Site(server, store)
    server.stop()
    store.close()


def test_upload_then_missing_then_re_upload(site: Site) -> None:
    a, data_a = blob(3 * 1024 * 1024, 1)
    b, _ = blob(1000, 2)
    answer = site.missing([a, b, a])
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"missing": [a, b]}

    stored = site.put(a, data_a, headers={"Content-Type": "application/octet-stream"})
    assert stored.status_code == 201, stored.text
    assert stored.json() == {"sha256": a, "size": len(data_a), "created": True}
    assert b"".join(site.store.iter_chunks(a)) == data_a
    assert site.missing([a, b]).json() == {"missing": [b]}

    again = site.put(a, data_a)
    assert again.status_code == 200
    assert again.json() == {"sha256": a, "size": len(data_a), "created": False}


def test_chunked_upload_without_length(site: Site) -> None:
    sha, data = blob(2 * 1024 * 1024 + 5, 3)

    def body() -> Iterator[bytes]:
        for i in range(0, len(data), 100_000):
            yield data[i:i + 100_000]

    answer = site.put(sha, body())
    assert answer.status_code == 201, answer.text
    assert site.store.has(sha)


def test_token_required(site: Site) -> None:
    sha, data = blob(100, 4)
    anonymous = httpx.Client(base_url=site.server.base_url + API_PREFIX,
                             headers={"Fieldmark-Protocol": "1"})
    assert anonymous.put(f"/blobs/{sha}", content=data).status_code == 401
    assert anonymous.post("/blobs/missing", json={"sha256": [sha]}).status_code == 401
    forged = anonymous.put(f"/blobs/{sha}", content=data, headers={"Authorization": "Bearer " + "x" * 43})
    assert forged.status_code == 401
    assert not site.store.has(sha)


def test_too_large(site: Site) -> None:
    sha, data = blob(LIMIT + 1, 5)
    declared = site.put(sha, data)
    assert declared.status_code == 413
    assert ErrorBody.model_validate(declared.json()).code == "too_large"

    def chunked() -> Iterator[bytes]:  # no Content-Length: refused while it streams
        for i in range(0, len(data), 256 * 1024):
            yield data[i:i + 256 * 1024]

    streamed = site.put(sha, chunked())
    assert streamed.status_code == 413
    assert not site.store.has(sha)
    exact, exact_data = blob(LIMIT, 6)
    assert site.put(exact, exact_data).status_code == 201


def test_hash_mismatch_stores_nothing(site: Site) -> None:
    sha, data = blob(500_000, 7)
    wrong = data[:-1] + b"\0"
    answer = site.put(sha, wrong)
    assert answer.status_code == 422
    error = ErrorBody.model_validate(answer.json())
    assert error.code == "hash_mismatch"
    assert hashlib.sha256(wrong).hexdigest() in error.message
    assert not site.store.has(sha)
    assert site.store.missing([sha, hashlib.sha256(wrong).hexdigest()]) == [
        sha, hashlib.sha256(wrong).hexdigest()]


@pytest.mark.parametrize("name", ["ABCD" * 16, "0" * 63, "g" * 64, "missing"])
def test_bad_names(site: Site, name: str) -> None:
    answer = site.put(name, b"x")
    assert answer.status_code == 400
    assert ErrorBody.model_validate(answer.json()).code == "malformed"
    assert site.missing(["0" * 64, name]).status_code == 400


def test_missing_is_bounded(site: Site) -> None:
    answer = site.missing(["0" * 64] * (MAX_HASHES_PER_QUERY + 1))
    assert answer.status_code == 400
    assert ErrorBody.model_validate(answer.json()).code == "malformed"
    assert site.http.post("/blobs/missing", json=["0" * 64]).status_code == 400


def test_cut_upload_leaves_nothing_and_retry_succeeds(site: Site) -> None:
    sha, data = blob(3 * 1024 * 1024, 8)
    url = urlsplit(site.server.base_url)
    # A laptop losing its connection half-way through a photo: the headers promise 3 MB, the
    # socket closes after 1 MB.
    with socket.create_connection((url.hostname, url.port), timeout=10) as raw:
        raw.sendall((f"PUT {API_PREFIX}/blobs/{sha} HTTP/1.1\r\nHost: {url.netloc}\r\n"
                     f"Authorization: Bearer {site.server.token}\r\nFieldmark-Protocol: 1\r\n"
                     f"Content-Type: application/octet-stream\r\nContent-Length: {len(data)}\r\n\r\n"
                     ).encode() + data[:1024 * 1024])
    # The server notices the disconnect while it waits for the rest; give it a moment (a busy
    # machine may take seconds to run the server's cleanup).
    for _ in range(300):
        if site.missing([sha]).json() == {"missing": [sha]} and not _leftovers(site):
            break
        import time

        time.sleep(0.1)
    assert site.missing([sha]).json() == {"missing": [sha]}
    assert _leftovers(site) == []
    retry = site.put(sha, data)
    assert retry.status_code == 201, retry.text
    assert b"".join(site.store.iter_chunks(sha)) == data


def _leftovers(site: Site) -> list[str]:
    """Temporary files of unfinished uploads (the S3 store holds a small blob in memory)."""
    root = getattr(site.store, "root", None)
    if root is None:
        return []
    return [str(p) for p in Path(root).rglob(".tmp-*")]
