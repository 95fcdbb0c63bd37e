"""Blobs as files under one folder, sharded by the first two hex digits: ``root/ab/abcdef…``.

A blob is written to a temporary file in its own shard folder, fsynced, then renamed over its
final name, so a reader (or a crash) sees either no file or the whole verified one. The rename is
in the same folder, hence on the same file system, hence atomic.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from server.store.blobs.base import (
    BlobNotFound,
    BlobReader,
    BlobStore,
    BlobStoreUnavailable,
    Meter,
    check_name,
)

TEMP_PREFIX = ".tmp-"
_NAME = re.compile(r"[0-9a-f]{64}")
# Inspection photos show people and premises: readable by the server's account and its group only.
FILE_MODE = 0o640


class FileBlobStore(BlobStore):
    def __init__(self, root: str | os.PathLike[str], *, create: bool = True) -> None:
        self.root = Path(root)
        if create:
            self.root.mkdir(parents=True, exist_ok=True)

    def __repr__(self) -> str:
        return f"FileBlobStore({str(self.root)!r})"

    def path(self, sha: str) -> Path:
        check_name(sha)
        return self.root / sha[:2] / sha

    def has(self, sha: str) -> bool:
        return self.path(sha).is_file()

    def put(self, sha: str, chunks: Iterable[bytes], *, limit: int) -> int:
        final = self.path(sha)
        meter = Meter(sha, limit)
        if final.is_file():
            # Already stored: the client still has to send the right bytes, but nothing is written.
            for chunk in chunks:
                meter.update(chunk)
            return meter.verify()
        final.parent.mkdir(exist_ok=True)
        fd, temp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=final.parent)
        temp = Path(temp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                os.fchmod(out.fileno(), FILE_MODE)
                for chunk in chunks:
                    meter.update(chunk)
                    out.write(chunk)
                size = meter.verify()
                out.flush()
                os.fsync(out.fileno())
            # A concurrent put of the same blob may have won; replacing it with identical bytes
            # is harmless and keeps this path free of a check-then-act race.
            os.replace(temp, final)
        except BaseException:
            with contextlib.suppress(OSError):
                temp.unlink()
            raise
        _fsync_dir(final.parent)
        return size

    def names(self) -> Iterator[str]:
        for path in self.root.glob("??/*"):
            # Temp files of uploads in progress (or cut by a crash) are never blobs.
            if _NAME.fullmatch(path.name) and path.parent.name == path.name[:2]:
                yield path.name

    def open(self, sha: str) -> BlobReader:
        try:
            return open(self.path(sha), "rb")  # noqa: SIM115 - the caller closes it
        except FileNotFoundError:
            raise BlobNotFound(sha) from None

    def size(self, sha: str) -> int:
        try:
            return self.path(sha).stat().st_size
        except FileNotFoundError:
            raise BlobNotFound(sha) from None

    def check(self) -> None:
        try:
            fd, probe = tempfile.mkstemp(prefix=TEMP_PREFIX + "probe-", dir=self.root)
            os.close(fd)
            os.unlink(probe)
        except OSError as exc:
            raise BlobStoreUnavailable(f"blob folder {self.root} is not writable: {exc}") from exc

    def temp_files(self) -> list[Path]:
        """Leftovers of uploads cut by a crash (never visible as blobs); safe to delete when old."""
        return sorted(self.root.glob(f"*/{TEMP_PREFIX}*")) + sorted(self.root.glob(f"{TEMP_PREFIX}*"))


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable, not only the file's bytes."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems refuse fsync on a directory; the data is already synced
    finally:
        os.close(fd)
