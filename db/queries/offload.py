"""Photo originals removed from the laptop because the server holds them (migration 0007).

``offloaded_blobs`` is local bookkeeping, never synced. The rules of what may go are in
``removable_photos``; app/sync/offload.py adds the server's word and touches the files.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from db.rows import fetch_all

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sqlite_utils import Database


# Why a blob may go: every row naming it is a photo (a signature keeps its file, and a reduced
# photo's original hash is no file here) of a finalized or amended visit (drafts and cancelled
# visits keep theirs), and neither such a photo row nor its visit waits to be acknowledged.
_REMOVABLE = """
    SELECT e.sha256 AS sha256, min(e.visit_id) AS visit_id FROM evidence e
    WHERE e.sha256 IS NOT NULL AND e.sha256 NOT IN (SELECT sha256 FROM offloaded_blobs) {where}
    GROUP BY e.sha256
    HAVING sum(e.dirty) = 0
       AND sum(CASE WHEN e.visit_id IN (SELECT id FROM visits WHERE status IN ('finalized', 'amended')
                                        AND dirty = 0 AND deleted = 0) THEN 0 ELSE 1 END) = 0
       AND e.sha256 NOT IN (SELECT sha256 FROM signatures WHERE sha256 IS NOT NULL)
       AND e.sha256 NOT IN (SELECT original_sha256 FROM evidence WHERE original_sha256 IS NOT NULL)
    ORDER BY e.sha256
"""


def removable_photos(db: Database) -> list[dict]:
    """The blobs (sha256, and visit_id: one of the visits naming it) that the rules let go and
    that are not offloaded already."""
    return fetch_all(db, _REMOVABLE.format(where=""))


def still_removable(db: Database, sha: str) -> bool:
    """``removable_photos`` for one blob, asked again inside the transaction that records it."""
    return bool(fetch_all(db, _REMOVABLE.format(where="AND e.sha256 = :sha"), {"sha": sha}))


def orientation_of(db: Database, sha: str) -> int:
    """The EXIF orientation its photos record (the thumbnail is drawn upright with it)."""
    row = db.execute("SELECT orientation FROM evidence WHERE sha256 = ? ORDER BY deleted, id LIMIT 1", (sha,)).fetchone()
    return int(row[0]) if row and row[0] is not None else 1


def record(db: Database, sha: str, size: int, removed_at: str) -> None:
    db.execute("INSERT INTO offloaded_blobs (sha256, size, removed_at) VALUES (?, ?, ?) "
               "ON CONFLICT(sha256) DO UPDATE SET size = excluded.size, removed_at = excluded.removed_at",
               (sha, size, removed_at))


def forget(db: Database, sha: str) -> None:
    """The original is back in the media folder: it is no longer the server's alone."""
    db.execute("DELETE FROM offloaded_blobs WHERE sha256 = ?", (sha,))


def offloaded(db: Database) -> dict[str, int]:
    """Every offloaded blob and its size in bytes."""
    return {str(r[0]): int(r[1]) for r in db.execute("SELECT sha256, size FROM offloaded_blobs")}


def is_offloaded(db: Database, sha: str) -> bool:
    return db.execute("SELECT 1 FROM offloaded_blobs WHERE sha256 = ?", (sha,)).fetchone() is not None


def without_offloaded(db: Database, hashes: Iterable[str]) -> list[str]:
    held = offloaded(db)
    return [sha for sha in hashes if sha not in held]
