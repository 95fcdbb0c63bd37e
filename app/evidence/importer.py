"""Importing photos as evidence: one file, many files, a camera card's folder, clipboard bytes.

The heavy per-file work (read once, hash, read EXIF, decode a draft-scale thumbnail, write the
file atomically) runs on a small thread pool; Pillow and hashlib release the GIL while they work,
so two cores ingest two photos at once. Rows are written one committed transaction per photo,
only after the photo's file is safely on disk: a crash, a full disk or a cancel can leave at worst
an unreferenced whole file, never a row without its file.

Every database step is short and goes through ``db``, a callable that runs it on the thread that
owns the profile's connection. The desktop runs the import itself on a file worker and passes the
task runner's ``call_db``, so an answer saved meanwhile waits for one photo's row at most, never
for the whole import. The CLI and the tests own the connection on their own thread and pass
nothing: each step then runs in place.

``progress`` is called on the importing thread after each file, and ``cancel`` is honoured
between files (photos already in flight finish and are recorded).
"""

from __future__ import annotations

import os
import sqlite3
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Protocol, TypeVar

from app.changes import OpChanges
from app.errors import InvalidAnswer, NotFound, VisitLocked, WriteFailed
from app.evidence.errors import BadPhoto, EvidenceError
from app.evidence.metadata import DEFAULT_MAX_PIXELS, EXTENSIONS, PhotoInfo, open_image, read_info
from app.evidence.models import (
    DUPLICATE,
    FAILED,
    IMPORTED,
    SKIPPED,
    CancelToken,
    EvidenceId,
    FileResult,
    ImportProgress,
    ImportSummary,
)
from app.evidence.settings import (
    EvidenceSettings,
    get_evidence_settings,
    reduce_photo,
    should_reduce,
)
from app.evidence.store import blob_path, describe_os_error, put_blob, remove_blob, sha256_hex
from app.evidence.thumbnails import render_thumbnail, save_thumbnail
from app.finalize import Change, outcome, record_amendment
from app.ids import new_id
from app.models import Visit
from app.profile import Profile, Tx
from app.rubric_store import get_rubric
from app.visits import get_visit
from db import rows
from db.queries import evidence as eq
from db.queries import findings as fq
from db.queries import visits as vq

ProgressCallback = Callable[[ImportProgress], None]
T = TypeVar("T")


class DbCall(Protocol):
    """Runs one short database step on the thread that owns the connection; returns its result."""

    def __call__(self, fn: Callable[[], T], /) -> T: ...


def in_place(fn: Callable[[], T]) -> T:
    """The ``DbCall`` of a caller whose own thread owns the connection (the CLI, tests)."""
    return fn()


@dataclass(frozen=True)
class Target:
    """Where imported photos attach: a visit, and optionally one item and/or one finding."""

    visit_id: str
    rubric_hash: str | None = None
    item_code: str | None = None
    finding_id: str | None = None
    # The reason for changing a finalized visit: the photos are then added as one amendment.
    amendment: str = ""


@dataclass(frozen=True)
class _Source:
    name: str  # what the summary shows: the path as given, or the clipboard name
    path: Path | None = None
    data: bytes | None = None

    def read(self) -> bytes:
        if self.data is not None:
            return self.data
        assert self.path is not None
        try:
            with self.path.open("rb") as fh:
                return fh.read()
        except FileNotFoundError as exc:
            raise BadPhoto("the file does not exist (it may have been moved or the card removed)") from exc
        except IsADirectoryError as exc:
            raise BadPhoto("this is a folder, not a photo") from exc
        except OSError as exc:
            raise BadPhoto(f"the file cannot be read: {exc.strerror or exc}") from exc


@dataclass(frozen=True)
class _Prepared:
    """A photo whose file (and thumbnail) are on disk, waiting for its row."""

    source_sha: str
    stored_sha: str
    stored_size: int
    info: PhotoInfo
    reduced: bool
    source_size: int
    written: bool


def resolve_target(profile: Profile, target: Target) -> Target:
    """Check the visit can take photos and find the rubric of a bare item code."""
    visit = get_visit(profile, target.visit_id)
    if target.amendment:
        if not visit.locked:
            raise InvalidAnswer(f"visit {target.visit_id} is not finalized; add its photos directly")
    elif visit.locked or visit.status == "cancelled":
        raise VisitLocked(f"visit {target.visit_id} is {visit.status}; photos cannot be added to it "
                          "except by an amendment with a reason")
    if target.finding_id is not None:
        finding = fq.get_finding(profile.db, target.finding_id)
        if finding is None or finding["visit_id"] != target.visit_id:
            raise NotFound(f"no finding {target.finding_id} in visit {target.visit_id}")
    if target.item_code is None:
        if target.rubric_hash is not None:
            raise InvalidAnswer("a rubric was given without an item code")
        return target
    hashes = [target.rubric_hash] if target.rubric_hash else list(visit.rubric_hashes)
    if target.rubric_hash and target.rubric_hash not in visit.rubric_hashes:
        raise InvalidAnswer(f"rubric {target.rubric_hash[:12]} is not pinned by this visit")
    found = [h for h in hashes if target.item_code in get_rubric(profile, h).items]
    if not found:
        raise InvalidAnswer(f"item {target.item_code!r} is not in this visit's rubrics")
    if len(found) > 1:
        raise InvalidAnswer(f"item {target.item_code!r} is in more than one rubric of this visit; say which")
    return Target(target.visit_id, found[0], target.item_code, target.finding_id, target.amendment)


def _prepare(src: _Source, known: frozenset[str], settings: EvidenceSettings, max_pixels: int,
             root: Path, media_dir: Path) -> _Prepared | FileResult:
    """Worker: everything that touches bytes and pixels. Never writes the database."""
    try:
        data = src.read()
        source_sha = sha256_hex(data)
        if source_sha in known:
            return FileResult(src.name, DUPLICATE, message="already in this visit")
        img = open_image(data, max_pixels=max_pixels)
        info = read_info(img)
        reduced = should_reduce(settings, info)
        if reduced:
            stored, small = reduce_photo(img, info, settings)
            w, h = small.size
            info = PhotoInfo("image/jpeg", w, h, 1, info.taken_at, info.taken_offset,
                             info.gps_lat, info.gps_lon, info.camera)
            thumb = render_thumbnail(small, 1)
        else:
            stored = data
            thumb = render_thumbnail(img, info.orientation)
        stored_sha = sha256_hex(stored) if reduced else source_sha
        _, written = put_blob(media_dir, stored, stored_sha)
        save_thumbnail(root, stored_sha, thumb)
    except EvidenceError as exc:
        return FileResult(src.name, FAILED, message=str(exc))
    except MemoryError:
        return FileResult(src.name, FAILED, message="the image is too large to decode with the memory available")
    return _Prepared(source_sha, stored_sha, len(stored), info, reduced, len(data), written)


def _begin(profile: Profile, target: Target) -> tuple[Target, EvidenceSettings, frozenset[str]]:
    """Database step: the checked target, the evidence settings and the visit's known photos."""
    target = resolve_target(profile, target)
    known = frozenset(eq.visit_hashes(profile.db, target.visit_id))
    return target, get_evidence_settings(profile), known


def _check_open(profile: Profile, visit_id: str, *, amending: bool = False) -> Visit:
    # The import runs beside other work: the visit may have been finalized or cancelled since
    # it started, and a finalized visit takes no new evidence but by amendment.
    row = vq.get_visit(profile.db, visit_id)
    visit = Visit.from_row(row) if row is not None else None
    if visit is not None and amending and visit.locked:
        return visit
    if visit is None or visit.locked or visit.status == "cancelled" or amending:
        state = visit.status if visit is not None else "deleted"
        raise VisitLocked(f"visit {visit_id} was {state} during the import; the rest was not imported")
    return visit


def _discard(profile: Profile, prep: _Prepared) -> None:
    """Database step: remove a file this import wrote and will not record, unless a row uses it."""
    if prep.written and not eq.hash_in_use(profile.db, prep.stored_sha):
        remove_blob(profile.media_dir, prep.stored_sha)


def _write_parts(tx: Tx, evidence_id: str, target: Target, position: int) -> None:
    """A new photo's caption, annotations, links and place, each a row of its own from the start,
    so a team-mate's caption and this laptop's annotation never meet in one row."""
    visit_id = target.visit_id
    eq.write_part(tx.db, "evidence_captions", evidence_id, visit_id, {"caption": ""}, tx.meta)
    eq.write_part(tx.db, "evidence_annotations", evidence_id, visit_id, {"annotations": None}, tx.meta)
    eq.write_part(tx.db, "evidence_links", evidence_id, visit_id, {
        "rubric_hash": target.rubric_hash, "item_code": target.item_code, "finding_id": target.finding_id,
    }, tx.meta)
    eq.write_part(tx.db, "evidence_positions", evidence_id, visit_id, {"position": position}, tx.meta)


def _record(profile: Profile, target: Target, src: _Source, prep: _Prepared, joining: bool = False) -> FileResult:
    """Database step: the row of a photo whose file is on disk; one transaction per photo.

    Raises VisitLocked (after removing the photo's new file) when the visit was closed meanwhile.
    """
    try:
        visit = _check_open(profile, target.visit_id, amending=bool(target.amendment))
        if not blob_path(profile.media_dir, prep.stored_sha).is_file():
            # Only possible if another failure removed a shared file meanwhile; never record
            # a row whose file is not there.
            return FileResult(src.name, FAILED, message="the photo file vanished before it was recorded")
        with profile.transaction() as tx:
            before = outcome(profile, visit) if target.amendment else None
            dup = eq.find_duplicate(tx.db, target.visit_id, prep.source_sha)
            if dup is not None:
                if prep.written and not eq.hash_in_use(tx.db, prep.stored_sha):
                    remove_blob(profile.media_dir, prep.stored_sha)  # a reduced copy nobody needs
                return FileResult(src.name, DUPLICATE, EvidenceId(dup["id"]), "already in this visit")
            evidence_id = new_id()
            info = prep.info
            rows.insert(tx.db, "evidence", {
                "id": evidence_id, "sha256": prep.stored_sha, "visit_id": target.visit_id,
                "size": prep.stored_size,
                "original_name": Path(src.name).name, "media_type": info.media_type,
                "width": info.width, "height": info.height, "taken_at": info.taken_at,
                "taken_offset": info.taken_offset, "orientation": info.orientation,
                "gps_lat": info.gps_lat, "gps_lon": info.gps_lon, "camera": info.camera,
                "imported_at": tx.now, "reduced": int(prep.reduced),
                "original_sha256": prep.source_sha if prep.reduced else None,
                "original_size": prep.source_size if prep.reduced else None,
                "deleted_at": None,
            }, tx.meta)
            _write_parts(tx, evidence_id, target, eq.next_position(tx.db, target.visit_id))
            if before is not None:
                # One import is one amendment: the first photo numbers it, the rest join it.
                record_amendment(profile, tx, visit, reason=target.amendment, by=None, before=before,
                                 number=visit.amendment_no if joining else None,
                                 changes=[Change("evidence", evidence_id, "photo added", None, {
                                     "item_code": target.item_code, "finding_id": target.finding_id,
                                     "name": Path(src.name).name, "sha256": prep.stored_sha})])
    except VisitLocked:
        _discard(profile, prep)
        raise
    except (sqlite3.Error, WriteFailed) as exc:
        _discard(profile, prep)
        detail = "the disk is full" if "full" in str(exc) else str(exc)
        return FileResult(src.name, FAILED, message=f"could not record the photo: {detail}")
    return FileResult(src.name, IMPORTED, EvidenceId(evidence_id))


def _run(profile: Profile, target: Target, sources: Sequence[_Source], *,
         progress: ProgressCallback | None, cancel: CancelToken | None,
         max_pixels: int, workers: int | None, db: DbCall) -> ImportSummary:
    target, settings, known = db(lambda: _begin(profile, target))
    workers = workers or min(4, os.cpu_count() or 2)
    results: list[FileResult] = []
    queue = iter(sources)
    pending: deque[tuple[_Source, Future[_Prepared | FileResult]]] = deque()
    cancelled = False
    closed: str | None = None  # why the visit stopped taking photos mid-import

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="photo-import") as pool:
        def submit() -> None:
            src = next(queue, None)
            if src is not None:
                pending.append((src, pool.submit(_prepare, src, known, settings, max_pixels,
                                                 profile.root, profile.media_dir)))

        # A short window keeps memory bounded (a few photos' bytes at a time), not the whole card.
        for _ in range(workers * 2):
            submit()
        while pending:
            src, future = pending.popleft()
            outcome = future.result()
            if isinstance(outcome, FileResult):
                results.append(outcome)
            elif closed is not None:
                db(partial(_discard, profile, outcome))
                results.append(FileResult(src.name, SKIPPED, message=f"not imported: {closed}"))
            else:
                try:
                    joining = any(r.status == IMPORTED for r in results)
                    results.append(db(partial(_record, profile, target, src, outcome, joining)))
                except VisitLocked as exc:
                    closed = str(exc)
                    results.append(FileResult(src.name, FAILED, message=closed))
            if cancel is not None and cancel.cancelled:
                cancelled = True
            elif closed is None:
                submit()
            if progress is not None:
                progress(ImportProgress(len(results), len(sources), src.name))
    left_out = f"not imported: {closed}" if closed else "not imported: the import was cancelled"
    results.extend(FileResult(src.name, SKIPPED, message=left_out) for src in queue)
    imported = any(r.status == IMPORTED for r in results)
    changes = OpChanges(
        evidence=imported, visit_ids=frozenset({target.visit_id}) if imported else frozenset(),
        item_codes=frozenset({target.item_code}) if imported and target.item_code else frozenset(),
    )
    return ImportSummary(tuple(results), cancelled, changes)


def photo_files(folder: Path, *, recursive: bool = True) -> list[Path]:
    """The photos in a folder (a camera card's DCIM), by extension, in name order.

    Hidden files are left out: cards written by a Mac carry ``._IMG_0001.JPG`` companions that
    are metadata, not photos.
    """
    try:
        entries = folder.rglob("*") if recursive else folder.iterdir()
        found = [p for p in entries if p.suffix.lower() in EXTENSIONS
                 and not any(part.startswith(".") for part in p.relative_to(folder).parts)
                 and p.is_file()]
    except OSError as exc:
        raise EvidenceError(f"cannot read the folder {folder}: {describe_os_error(exc)}") from exc
    return sorted(found)


def import_files(
    profile: Profile, paths: Iterable[str | os.PathLike[str]], *, visit_id: str,
    item_code: str | None = None, rubric_hash: str | None = None, finding_id: str | None = None,
    progress: ProgressCallback | None = None, cancel: CancelToken | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS, workers: int | None = None, db: DbCall = in_place,
    amendment: str = "",
) -> ImportSummary:
    """Import files (from a file dialog or a drop); a folder among them adds its photos.

    Files named explicitly are judged by their content, whatever their extension. ``db`` runs
    each database step (see the module's docstring). ``amendment``, the reason for the change,
    adds the photos to a finalized visit as one amendment.
    """
    sources: list[_Source] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            sources.extend(_Source(str(p), p) for p in photo_files(path))
        else:
            sources.append(_Source(str(path), path))
    return _run(profile, Target(visit_id, rubric_hash, item_code, finding_id, amendment.strip()), sources,
                progress=progress, cancel=cancel, max_pixels=max_pixels, workers=workers, db=db)


def import_folder(
    profile: Profile, folder: str | os.PathLike[str], *, visit_id: str, recursive: bool = True,
    item_code: str | None = None, rubric_hash: str | None = None, finding_id: str | None = None,
    progress: ProgressCallback | None = None, cancel: CancelToken | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS, workers: int | None = None, db: DbCall = in_place,
) -> ImportSummary:
    """Import the photos of a folder; those already in the visit (same SHA-256) are skipped."""
    files = photo_files(Path(folder), recursive=recursive)
    return _run(profile, Target(visit_id, rubric_hash, item_code, finding_id),
                [_Source(str(p), p) for p in files],
                progress=progress, cancel=cancel, max_pixels=max_pixels, workers=workers, db=db)


def import_bytes(
    profile: Profile, data: bytes, name: str, *, visit_id: str, item_code: str | None = None,
    rubric_hash: str | None = None, finding_id: str | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS, db: DbCall = in_place, amendment: str = "",
) -> ImportSummary:
    """Import one image from memory (the clipboard); ``name`` is shown and kept as its name."""
    return _run(profile, Target(visit_id, rubric_hash, item_code, finding_id, amendment.strip()),
                [_Source(name, data=bytes(data))],
                progress=None, cancel=None, max_pixels=max_pixels, workers=1, db=db)
