"""Removing what uploads cut by a crash left behind: bundle bodies waiting in ``incoming/`` and
the blob store's temporary files. Neither is ever visible as data; they only take disk space.

Only files older than ``MAX_AGE_S`` go: several server processes may share a data folder, and
another one's upload in progress must not lose its file. No upload waits that long (an idle one
is dropped after FIELDMARK_BLOB_STALL_S).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from pathlib import Path

from server.store.blobs import BlobStore
from server.store.blobs.files import FileBlobStore

MAX_AGE_S = 6 * 3600
INCOMING_FOLDER = "incoming"
log = logging.getLogger("fieldmark.server")


def _old(paths: Iterable[Path], now: float) -> list[Path]:
    found = []
    for path in paths:
        try:
            if now - path.stat().st_mtime > MAX_AGE_S:
                found.append(path)
        except FileNotFoundError:
            continue  # finished or removed meanwhile
    return found


def sweep(data_dir: Path, blobs: BlobStore, now: float | None = None) -> int:
    """Remove old leftovers; the number removed."""
    now = time.time() if now is None else now
    candidates = list((data_dir / INCOMING_FOLDER).glob(".bundle-*.part"))
    if isinstance(blobs, FileBlobStore):
        candidates += blobs.temp_files()
    removed = 0
    for path in _old(candidates, now):
        try:
            path.unlink()
            removed += 1
        except FileNotFoundError:
            continue
        except OSError as exc:
            log.warning("could not remove a leftover upload file", extra={"fields": {"path": str(path),
                                                                                     "error": str(exc)}})
    if removed:
        log.info("removed leftover upload files", extra={"fields": {"count": removed}})
    return removed
