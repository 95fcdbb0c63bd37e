"""A blob changed at rest, in the server's folder or its bucket, behind the server's back: the
store's read raises BlobDamaged before it gives the last chunk, so it is never read whole
(test_blob_download_damaged.py: what a download and a team-mate's laptop then see). An upload
whose bytes do not hash to their name is refused: test_blobs_store and test_blobs_http; a photo
changed in the laptop's media folder: tests/app/test_evidence_verify.py.
"""

from __future__ import annotations

import os

import pytest

from server.store.blobs import BlobDamaged, FileBlobStore, S3BlobStore
from tests.server.test_blobs_store import LIMIT, Backend, backend, blob  # noqa: F401 - backend is a fixture


def damage(store: object, sha: str, data: bytes, at: int) -> None:
    """Change one byte of the stored blob where the store keeps it, not through its API."""
    changed = bytearray(data)
    changed[at] ^= 0x01
    if isinstance(store, FileBlobStore):
        path = store.path(sha)
        os.chmod(path, 0o644)
        path.write_bytes(bytes(changed))
    else:
        assert isinstance(store, S3BlobStore)
        store.client.put_object(Bucket=store.bucket, Key=store.key(sha), Body=bytes(changed))


@pytest.mark.parametrize("size", [1, 1000, 3 * 1024 * 1024 + 5])
def test_a_blob_changed_at_rest_is_never_read_whole(backend: Backend, size: int) -> None:  # noqa: F811
    sha, data = blob(size, seed=size)
    backend.store.put(sha, iter([data]), limit=LIMIT)
    assert b"".join(backend.store.iter_chunks(sha)) == data
    damage(backend.store, sha, data, size // 2)
    got = []
    with pytest.raises(BlobDamaged) as caught:
        for chunk in backend.store.iter_chunks(sha, chunk_size=1024 * 1024):
            got.append(chunk)
    assert caught.value.sha == sha and sha in str(caught.value)
    # The last chunk is held back: what was given is short of the blob.
    assert sum(map(len, got)) < size
