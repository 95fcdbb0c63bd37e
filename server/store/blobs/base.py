"""What every blob store promises: content addressed by SHA-256, verified while it streams.

A blob's name is the lowercase hex SHA-256 of its bytes, so the store never trusts the client's
claim: ``put`` re-hashes every byte it receives and refuses the blob when the hash differs, and
nothing becomes visible under a name until its bytes are complete and verified.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import queue
import re
import threading
from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator, AsyncIterable, Iterable, Iterator
from typing import Protocol

_NAME = re.compile(r"[0-9a-f]{64}")

# The async bridge hands the worker thread blocks of about this size: big enough that one
# thread hop per block costs nothing next to hashing and writing it, small enough to bound the
# memory an upload holds.
BRIDGE_BLOCK = 1024 * 1024
READ_CHUNK = 1024 * 1024
# Blocks waiting between the event loop and the writing thread: bounds an upload's memory.
BRIDGE_QUEUE = 4
# A stream that sends nothing for this long is given up, and its partial file removed. A client
# that vanishes without the connection closing (a laptop's Wi-Fi dropping) is only noticed so.
STALL_TIMEOUT_S = float(os.environ.get("FIELDMARK_BLOB_STALL_S", "120"))
# How often a full queue is tried again: a block takes the writing thread a few milliseconds.
FULL_QUEUE_POLL_S = 0.002
# Marks the end of a stream in the bridge's queue.
_END = object()


class BlobError(Exception):
    """Base of the blob store's errors."""


class BadBlobName(BlobError, ValueError):
    """Anything but 64 lowercase hex digits: never used as a path or a key."""

    def __init__(self, name: object) -> None:
        shown = repr(name) if not isinstance(name, str) else repr(name[:80])
        super().__init__(f"not a SHA-256 blob name (64 lowercase hex digits): {shown}")
        self.name = name


class BlobTooLarge(BlobError):
    def __init__(self, sha: str, limit: int) -> None:
        super().__init__(f"blob {sha} is larger than the limit of {limit} bytes")
        self.sha = sha
        self.limit = limit


class BlobHashMismatch(BlobError):
    def __init__(self, expected: str, actual: str, size: int) -> None:
        super().__init__(f"blob named {expected} hashes to {actual} ({size} bytes received)")
        self.expected = expected
        self.actual = actual
        self.size = size


class BlobDamaged(BlobError):
    """A stored blob whose bytes no longer hash to its name: changed at rest (a disk error, a
    hand on the file, a bucket written behind the server's back)."""

    def __init__(self, sha: str, actual: str, size: int) -> None:
        super().__init__(f"the stored blob {sha} is damaged: its {size} bytes hash to {actual}")
        self.sha = sha
        self.actual = actual


class BlobNotFound(BlobError, KeyError):
    def __init__(self, sha: str) -> None:
        super().__init__(f"no blob {sha}")
        self.sha = sha

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class BlobUploadStalled(BlobError):
    """A streamed upload sent nothing for too long; its partial file was removed."""


class BlobStoreUnavailable(BlobError):
    """The store cannot be reached or written: readiness fails with this reason."""


def check_name(sha: object) -> str:
    if not isinstance(sha, str) or not _NAME.fullmatch(sha):
        raise BadBlobName(sha)
    return sha


def unique_names(shas: Iterable[str]) -> list[str]:
    """Validated names, first occurrence kept, so a repeated name is looked up once."""
    seen: dict[str, None] = {}
    for sha in shas:
        seen.setdefault(check_name(sha), None)
    return list(seen)


class Meter:
    """Hashes and counts bytes as they pass, failing as soon as the limit is crossed."""

    def __init__(self, sha: str, limit: int) -> None:
        if limit < 0:
            raise ValueError("limit must be >= 0")
        self.sha = sha
        self.limit = limit
        self.size = 0
        self._hash = hashlib.sha256()

    def update(self, chunk: bytes) -> None:
        self.size += len(chunk)
        # Checked before hashing so an oversized body costs no more work than the limit.
        if self.size > self.limit:
            raise BlobTooLarge(self.sha, self.limit)
        self._hash.update(chunk)

    def verify(self) -> int:
        actual = self._hash.hexdigest()
        if actual != self.sha:
            raise BlobHashMismatch(self.sha, actual, self.size)
        return self.size


class BlobReader(Protocol):
    """A readable binary stream over one blob; close it (or use ``with``) when done."""

    def read(self, size: int = -1, /) -> bytes: ...

    def close(self) -> None: ...


class BlobStore(ABC):
    """Blobs named by the SHA-256 of their bytes, on files or in S3-compatible storage."""

    @abstractmethod
    def has(self, sha: str) -> bool:
        """Whether the blob is stored (complete and verified)."""

    def missing(self, shas: Iterable[str]) -> list[str]:
        """The names the store lacks, in the order given, each once. BadBlobName on any bad name."""
        return [sha for sha in unique_names(shas) if not self.has(sha)]

    @abstractmethod
    def put(self, sha: str, chunks: Iterable[bytes], *, limit: int) -> int:
        """Stream ``chunks`` into the blob ``sha`` and return its size in bytes.

        Raises BadBlobName, BlobTooLarge (more than ``limit`` bytes) or BlobHashMismatch, and
        whatever the iterator raises; in every such case nothing is left under the name.
        Putting a blob that is already stored still reads and verifies the bytes, then keeps
        the stored copy.
        """

    async def aput(self, sha: str, chunks: AsyncIterable[bytes], *, limit: int) -> int:
        """``put`` for an async stream (an HTTP request body), run in a worker thread.

        The event loop reads the stream and hands blocks to the thread through a small queue, so
        the body is never held whole and the blocking work (hashing, writing, S3 calls) stays off
        the loop. Whatever ends the stream early (the client went away, the request was
        cancelled) is passed on to the thread, which then removes what it started: the thread
        never waits on the event loop, so it cannot be left hanging on a request that is gone.
        """
        check_name(sha)
        feed: queue.Queue[object] = queue.Queue(maxsize=BRIDGE_QUEUE)
        finished = threading.Event()

        def pull() -> Iterator[bytes]:
            while True:
                try:
                    item = feed.get(timeout=STALL_TIMEOUT_S)
                except queue.Empty:
                    raise BlobUploadStalled(f"no bytes for {STALL_TIMEOUT_S} s; the upload was dropped") from None
                if item is _END:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item  # type: ignore[misc]

        def work() -> int:
            try:
                return self.put(sha, pull(), limit=limit)
            finally:
                finished.set()

        async def offer(item: object) -> bool:
            # Straight into the queue from the event loop: a thread hop per block cost more than
            # the block's hashing. While the queue is full (the disk or S3 is slower than the
            # network) poll briefly, which is back-pressure; give up once the thread is done.
            while not finished.is_set():
                try:
                    feed.put_nowait(item)
                    return True
                except queue.Full:
                    await asyncio.sleep(FULL_QUEUE_POLL_S)
            return False

        worker = asyncio.get_running_loop().run_in_executor(None, work)
        try:
            async for block in _coalesce(chunks, BRIDGE_BLOCK):
                if not await offer(block):
                    break  # the thread stopped early (too large, say): its error is the answer
            else:
                await offer(_END)
        except BaseException as exc:
            # Shielded: a cancelled request still tells the thread, which removes its partial file.
            await asyncio.shield(offer(exc))
            with contextlib.suppress(BaseException):
                await asyncio.wait([worker])
            raise
        return await worker

    @abstractmethod
    def size(self, sha: str) -> int:
        """The stored blob's size in bytes. BlobNotFound if it is not stored."""

    @abstractmethod
    def names(self) -> Iterator[str]:
        """Every stored blob's name, in no set order (for audits: do the rows and the blobs agree)."""

    @abstractmethod
    def open(self, sha: str) -> BlobReader:
        """A stream over the blob's bytes. BlobNotFound if it is not stored."""

    def iter_chunks(self, sha: str, chunk_size: int = READ_CHUNK) -> Iterator[bytes]:
        """The blob's bytes in chunks, closing the stream at the end (for streaming responses).

        Re-hashed as they are read: a blob changed at rest raises BlobDamaged instead of giving
        its last chunk, so a download of it never arrives whole (its Content-Length is not met)
        and nothing that joins the chunks gets the changed bytes.
        """
        reader = self.open(sha)
        digest = hashlib.sha256()
        size = 0
        try:
            held = reader.read(chunk_size)
            while held:
                digest.update(held)
                size += len(held)
                following = reader.read(chunk_size)
                if not following and digest.hexdigest() != sha:
                    raise BlobDamaged(sha, digest.hexdigest(), size)
                yield held
                held = following
            if size == 0 and digest.hexdigest() != sha:
                raise BlobDamaged(sha, digest.hexdigest(), 0)
        finally:
            reader.close()

    @abstractmethod
    def check(self) -> None:
        """Readiness: returns when the store can be read and written, else BlobStoreUnavailable."""

    def close(self) -> None:  # noqa: B027 - optional hook, not every store holds connections
        """Release connections; the default holds none."""


async def _coalesce(chunks: AsyncIterable[bytes], size: int) -> AsyncGenerator[bytes, None]:
    """Join small chunks (an ASGI server yields them as they arrive) into blocks of ``size``."""
    pending: list[bytes] = []
    held = 0
    async for chunk in chunks:
        if not chunk:
            continue
        pending.append(chunk)
        held += len(chunk)
        if held >= size:
            yield pending[0] if len(pending) == 1 else b"".join(pending)
            pending, held = [], 0
    if pending:
        yield b"".join(pending)
