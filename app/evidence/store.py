"""Content-addressed media files: ``media/<aa>/<sha256>``, written atomically, never rewritten.

A file is written to a temporary name in the same folder, flushed and fsynced, then renamed over
its final name and the folder is fsynced, so a crash or a full disk leaves either the whole
file or nothing. Stored files are made read-only: the original bytes are never changed.
"""

from __future__ import annotations

import errno
import hashlib
import os
import tempfile
from pathlib import Path
from typing import BinaryIO

from app.evidence.errors import MediaWriteError

TEMP_SUFFIX = ".tmp"
_HEX = frozenset("0123456789abcdef")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def is_sha256(name: str) -> bool:
    return len(name) == 64 and set(name) <= _HEX


def blob_path(media_dir: Path, sha: str) -> Path:
    if not is_sha256(sha):
        raise ValueError(f"not a SHA-256 hex digest: {sha!r}")
    return media_dir / sha[:2] / sha


def _write_all(fh: BinaryIO, data: bytes) -> None:
    # A seam for tests that simulate a full disk part-way through a write.
    fh.write(data)


# fdatasync flushes the data and the size, which is all a new file needs; the rename is made
# durable by syncing the folder afterwards.
_sync = getattr(os, "fdatasync", os.fsync)


def _fsync_dir(folder: Path) -> None:
    if os.name == "nt":  # pragma: no cover - directories cannot be fsynced on Windows
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def describe_os_error(exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):  # a quota used up is a full disk to this user
        return "the disk is full"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "the media folder cannot be written (permission denied or read-only disk)"
    return exc.strerror or str(exc)


def atomic_write(path: Path, data: bytes, *, read_only: bool = False) -> None:
    """Write ``data`` to ``path`` via temp file + fsync + rename; raises OSError untouched."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:16]}-", suffix=TEMP_SUFFIX)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            _write_all(fh, data)
            fh.flush()
            _sync(fh.fileno())
        if read_only:
            os.chmod(tmp, 0o444)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def put_blob(media_dir: Path, data: bytes, sha: str | None = None) -> tuple[str, bool]:
    """Store ``data`` under its SHA-256; returns (sha, written). Existing whole files are kept.

    Raises MediaWriteError with a clear message when the disk refuses the write.
    """
    sha = sha or sha256_hex(data)
    path = blob_path(media_dir, sha)
    try:
        if path.is_file():
            if path.stat().st_size == len(data) and hash_file(path) == sha:
                return sha, False
            # A file that no longer matches its name is damage; the right bytes repair it.
            # This is the only case where a stored name is rewritten.
            os.chmod(path, 0o644)
        atomic_write(path, data, read_only=True)
    except OSError as exc:
        raise MediaWriteError(f"could not save the photo: {describe_os_error(exc)}") from exc
    return sha, True


def remove_blob(media_dir: Path, sha: str) -> None:
    """Delete a blob this import just wrote but could not record (so no file is left orphaned)."""
    path = blob_path(media_dir, sha)
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass  # an orphan file is harmless; verify lists it


def hash_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def iter_blobs(media_dir: Path) -> list[Path]:
    """Every file under the media folder, including leftovers that are not valid blob names."""
    if not media_dir.is_dir():
        return []
    return sorted(p for p in media_dir.rglob("*") if p.is_file())
