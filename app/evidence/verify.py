"""Integrity of the media folder: re-hash every file that a row needs.

A problem is a row whose file is missing, or whose file no longer hashes to its name (a flipped
bit on a failing disk, an edit by another program). Files that no row needs (left by a crash
between writing a file and recording it, or temporary files) are listed too, but are not
problems: nothing is lost, and verify never deletes anything. An original removed to free space
because the server holds it (``offloaded_blobs``, app/sync/offload.py) is listed as on the server,
not missing; once it is back in the folder it is checked like any other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.evidence.models import CancelToken
from app.evidence.store import blob_path, hash_file, is_sha256, iter_blobs
from app.profile import Profile
from db.queries import evidence as eq
from db.queries import offload as oq

MISSING, CORRUPT, ON_SERVER = "missing", "corrupt", "on_server"


@dataclass(frozen=True)
class MediaProblem:
    kind: str  # MISSING or CORRUPT; ON_SERVER in VerifyReport.on_server
    table: str  # "evidence" or "signatures"
    row_id: str
    visit_id: str
    sha256: str
    name: str
    path: Path
    detail: str


@dataclass(frozen=True)
class VerifyReport:
    files_checked: int
    rows_checked: int
    problems: tuple[MediaProblem, ...]
    unreferenced: tuple[Path, ...]
    cancelled: bool = False
    # Rows whose original this laptop removed because the server holds it: not problems.
    on_server: tuple[MediaProblem, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems and not self.cancelled

    @property
    def missing(self) -> tuple[MediaProblem, ...]:
        return tuple(p for p in self.problems if p.kind == MISSING)

    @property
    def corrupt(self) -> tuple[MediaProblem, ...]:
        return tuple(p for p in self.problems if p.kind == CORRUPT)


def _check_file(path: Path, sha: str) -> tuple[str, str] | None:
    """(kind, detail) when the file is not what its name promises, else None."""
    try:
        actual = hash_file(path)
    except FileNotFoundError:
        return MISSING, "the file is not in the media folder"
    except IsADirectoryError:
        return MISSING, "a folder stands where the file should be"
    except OSError as exc:
        return CORRUPT, f"the file cannot be read: {exc.strerror or exc}"
    if actual != sha:
        return CORRUPT, f"the file's content changed (its SHA-256 is now {actual[:12]}…)"
    return None


def verify_media(profile: Profile, *, progress: Callable[[int, int], None] | None = None,
                 cancel: CancelToken | None = None) -> VerifyReport:
    """Re-hash every media file that a photo or signature row refers to (deleted photos too:
    their undo needs the file). ``progress(done, total)`` counts files."""
    refs = eq.media_references(profile.db)
    by_sha: dict[str, list[dict]] = {}
    for ref in refs:
        by_sha.setdefault(ref["sha256"], []).append(ref)
    problems: list[MediaProblem] = []
    on_server: list[MediaProblem] = []
    offloaded = oq.offloaded(profile.db)
    checked = 0
    cancelled = False
    for sha, owners in sorted(by_sha.items()):
        if cancel is not None and cancel.cancelled:
            cancelled = True
            break
        if is_sha256(sha):
            path = blob_path(profile.media_dir, sha)
            found = _check_file(path, sha)
        else:
            path = profile.media_dir / "?"
            found = (CORRUPT, f"the row names no valid SHA-256 ({sha!r})")
        checked += 1
        if found is not None and found[0] == MISSING and sha in offloaded:
            on_server.extend(MediaProblem(ON_SERVER, o["table_name"], o["id"], o["visit_id"], sha, o["name"] or "",
                                          path, "removed from this laptop to free space; the server holds it")
                             for o in owners)
        elif found is not None:
            kind, detail = found
            problems.extend(MediaProblem(kind, o["table_name"], o["id"], o["visit_id"], sha,
                                         o["name"] or "", path, detail) for o in owners)
        if progress is not None:
            progress(checked, len(by_sha))
    unreferenced = tuple(p for p in iter_blobs(profile.media_dir) if p.name not in by_sha)
    return VerifyReport(checked, len(refs), tuple(problems), unreferenced, cancelled, tuple(on_server))
