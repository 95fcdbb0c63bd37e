"""Services the UI calls for photos already imported: list, caption, order, delete and undo,
attach, thumbnails, full-size display, annotations and rendering for reports.

Every change is one transaction and returns OpChanges with ``evidence=True``. Photos of a
finalized or cancelled visit are read-only, as the rest of the visit is.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from PIL import Image

from app.changes import OpChanges
from app.errors import InvalidAnswer, NotFound, VisitLocked
from app.evidence.annotations import AnnotationLayer, render_annotations
from app.evidence.errors import BadPhoto
from app.evidence.importer import Target, resolve_target
from app.evidence.metadata import open_image, upright
from app.evidence.models import EvidenceId, Photo
from app.evidence.store import atomic_write, blob_path
from app.evidence.thumbnails import THUMB_DIR, THUMB_SIZE, decode, ensure_thumbnail, flatten
from app.profile import Profile, Tx
from app.visits import get_visit
from db import rows
from db.queries import evidence as eq

MAX_CAPTION = 2000
# What Qt shows natively; anything else (HEIC) gets a cached JPEG for the viewer.
_QT_READABLE = frozenset({"image/jpeg", "image/png", "image/webp"})


def get_photo(profile: Profile, evidence_id: str) -> Photo:
    row = eq.get_evidence(profile.db, evidence_id)
    if row is None:
        raise NotFound(f"no photo with id {evidence_id}")
    return Photo.from_row(row)


def list_photos(profile: Profile, visit_id: str, *, item_code: str | None = None,
                rubric_hash: str | None = None, finding_id: str | None = None) -> list[Photo]:
    """The visit's photos in display order; narrowed to an item and/or a finding when given."""
    return [Photo.from_row(r) for r in eq.list_evidence(
        profile.db, visit_id, item_code=item_code, rubric_hash=rubric_hash, finding_id=finding_id)]


def list_deleted_photos(profile: Profile, visit_id: str) -> list[Photo]:
    """Soft-deleted photos of a visit, which ``restore_photo`` brings back."""
    return [Photo.from_row(r) for r in eq.list_evidence(profile.db, visit_id, deleted=True)]


def _editable(profile: Profile, evidence_id: str) -> Photo:
    photo = get_photo(profile, evidence_id)
    visit = get_visit(profile, photo.visit_id)
    if visit.locked or visit.status == "cancelled":
        raise VisitLocked(f"visit {photo.visit_id} is {visit.status}; its photos cannot be changed")
    return photo


def _changes(photo: Photo, *extra_items: str | None) -> OpChanges:
    items = frozenset(c for c in (photo.item_code, *extra_items) if c)
    return OpChanges(evidence=True, visit_ids=frozenset({photo.visit_id}), item_codes=items)


def _update(tx: Tx, photo: Photo, changes: dict) -> None:
    """Change what the photo row itself holds: its delete and its place on the sheet."""
    rows.update(tx.db, "evidence", photo.id, changes, tx.meta)


def _write_part(tx: Tx, photo: Photo, table: str, values: dict) -> None:
    # The caption, annotations, links and order each have a row (and a revision) of their own.
    eq.write_part(tx.db, table, photo.id, photo.visit_id, values, tx.meta)


def set_caption(profile: Profile, evidence_id: str, caption: str) -> OpChanges:
    photo = _editable(profile, evidence_id)
    caption = caption.strip()
    if len(caption) > MAX_CAPTION:
        raise InvalidAnswer(f"a caption is at most {MAX_CAPTION} characters")
    with profile.transaction() as tx:
        _write_part(tx, photo, "evidence_captions", {"caption": caption})
    return _changes(photo)


def set_on_sheet(profile: Profile, evidence_id: str, on_sheet: bool | None) -> OpChanges:
    """Choose whether the photo goes on the feedback sheet: True puts it there, False keeps it
    off, None hands it back to the default rule (findings' photos first, then captioned ones).

    The sheet still carries at most the layout's ``feedback_photos``; chosen photos take the
    places first. Refused for a finalized or cancelled visit, like every other photo edit.
    """
    if on_sheet is not None and not isinstance(on_sheet, bool):
        raise InvalidAnswer("on_sheet is True, False or None (the default rule)")
    photo = _editable(profile, evidence_id)
    if photo.deleted:
        raise InvalidAnswer(f"photo {photo.original_name or photo.id} is deleted; restore it first")
    if photo.on_sheet is on_sheet:
        return OpChanges()
    with profile.transaction() as tx:
        _update(tx, photo, {"on_sheet": None if on_sheet is None else int(on_sheet)})
    return _changes(photo)


def reorder_photos(profile: Profile, visit_id: str, ordered_ids: Sequence[str]) -> OpChanges:
    """Put the given photos in this order, in the slots they occupy now.

    Reordering the photos of one item leaves the rest of the visit where it was.
    """
    photos = [_editable(profile, i) for i in ordered_ids]
    if len(set(ordered_ids)) != len(ordered_ids):
        raise InvalidAnswer("a photo is listed twice in the new order")
    if any(p.visit_id != visit_id for p in photos):
        raise InvalidAnswer(f"every photo to reorder must belong to visit {visit_id}")
    slots = sorted(p.position for p in photos)
    if len(set(slots)) != len(slots):  # positions collided (e.g. photos synced from a team-mate)
        base = min(slots, default=0)
        slots = list(range(base, base + len(slots)))
    with profile.transaction() as tx:
        for photo, slot in zip(photos, slots, strict=True):
            if photo.position != slot:
                _write_part(tx, photo, "evidence_positions", {"position": slot})
    return OpChanges(evidence=True, visit_ids=frozenset({visit_id}),
                     item_codes=frozenset(p.item_code for p in photos if p.item_code))


def delete_photo(profile: Profile, evidence_id: str) -> OpChanges:
    """Soft delete: the photo leaves the lists, its file stays, ``restore_photo`` undoes it."""
    photo = _editable(profile, evidence_id)
    if photo.deleted:
        return OpChanges()
    with profile.transaction() as tx:
        _update(tx, photo, {"deleted": 1, "deleted_at": tx.now})
    return _changes(photo)


def restore_photo(profile: Profile, evidence_id: str) -> OpChanges:
    """Undo ``delete_photo``."""
    photo = _editable(profile, evidence_id)
    if not photo.deleted:
        return OpChanges()
    with profile.transaction() as tx:
        _update(tx, photo, {"deleted": 0, "deleted_at": None})
    return _changes(photo)


def attach_photo(profile: Profile, evidence_id: str, *, item_code: str | None = None,
                 rubric_hash: str | None = None, finding_id: str | None = None) -> OpChanges:
    """Link a photo to an item and/or a finding of its visit; None detaches it from that."""
    photo = _editable(profile, evidence_id)
    target = resolve_target(profile, Target(photo.visit_id, rubric_hash, item_code, finding_id))
    with profile.transaction() as tx:
        _write_part(tx, photo, "evidence_links", {"rubric_hash": target.rubric_hash,
                                                  "item_code": target.item_code, "finding_id": target.finding_id})
    return _changes(photo, target.item_code)


def link_photos_to_finding(profile: Profile, evidence_ids: Sequence[str], finding_id: str) -> OpChanges:
    """Link several photos to a finding as one action; each keeps the item it shows.

    All are checked before anything is written, so the links are made together or not at all.
    """
    photos = [_editable(profile, pid) for pid in dict.fromkeys(evidence_ids)]
    if not photos:
        return OpChanges()
    visit_ids = {p.visit_id for p in photos}
    if len(visit_ids) > 1:
        raise InvalidAnswer("photos of different visits cannot be linked to one finding")
    resolve_target(profile, Target(photos[0].visit_id, finding_id=finding_id))
    with profile.transaction() as tx:
        for photo in photos:
            _write_part(tx, photo, "evidence_links", {"rubric_hash": photo.rubric_hash,
                                                      "item_code": photo.item_code, "finding_id": finding_id})
    return OpChanges(evidence=True, findings=True, visit_ids=frozenset(visit_ids),
                     item_codes=frozenset(p.item_code for p in photos if p.item_code))


def photo_file(profile: Profile, evidence_id: str) -> Path:
    """The stored file, byte for byte as imported. Open it read-only; never write to it."""
    return blob_path(profile.media_dir, get_photo(profile, evidence_id).sha256)


def thumbnail_path(profile: Profile, evidence_id: str, size: int = THUMB_SIZE) -> Path:
    """An upright JPEG thumbnail, made and cached on first use. Call off the UI thread."""
    photo = get_photo(profile, evidence_id)
    return ensure_thumbnail(profile.root, profile.media_dir, photo.sha256, photo.orientation, size)


def display_path(profile: Profile, evidence_id: str) -> Path:
    """A file the full-size viewer can load: the original for JPEG, PNG and WebP (the viewer
    must apply the EXIF orientation, e.g. QImageReader.setAutoTransform(True)), or a cached
    upright full-size JPEG for HEIC, which Qt cannot read. Call off the UI thread."""
    photo = get_photo(profile, evidence_id)
    if photo.media_type in _QT_READABLE:
        return _original(profile, photo)
    preview = profile.root / THUMB_DIR / photo.sha256[:2] / f"{photo.sha256}-full.jpg"
    if not preview.is_file():
        img = upright(flatten(_load(profile, photo)), photo.orientation)
        out = io.BytesIO()
        img.save(out, format="JPEG", quality=92)
        atomic_write(preview, out.getvalue())
    return preview


def _original(profile: Profile, photo: Photo) -> Path:
    """The original's file, fetched back from the server when it was removed to free space
    (PhotoOnServer, a BadPhoto, says so when it cannot be now)."""
    from app.sync.offload import recall  # sync builds on evidence: imported when needed

    return recall(profile, photo.sha256)


def _load(profile: Profile, photo: Photo, long_edge: int | None = None) -> Image.Image:
    try:
        data = _original(profile, photo).read_bytes()
    except OSError as exc:
        raise BadPhoto(f"the file of photo {photo.original_name or photo.id} is missing "
                       "from the media folder; run `fieldmark evidence verify`") from exc
    return decode(open_image(data), long_edge)


def get_annotations(profile: Profile, evidence_id: str) -> AnnotationLayer:
    row = eq.get_evidence(profile.db, evidence_id)
    if row is None:
        raise NotFound(f"no photo with id {evidence_id}")
    return AnnotationLayer.from_json(row["annotations"])


def save_annotations(profile: Profile, evidence_id: str, layer: AnnotationLayer) -> OpChanges:
    """Replace the photo's annotation layer; an empty layer removes it. The file is untouched."""
    photo = _editable(profile, evidence_id)
    layer.validated()
    with profile.transaction() as tx:
        _write_part(tx, photo, "evidence_annotations",
                    {"annotations": None if layer.is_empty else layer.to_json()})
    return _changes(photo)


def render_photo(profile: Profile, evidence_id: str | EvidenceId, *, max_edge: int = 1600,
                 annotated: bool = True, font_path: str | None = None) -> Image.Image:
    """The photo upright, scaled to ``max_edge`` at most, with its annotations drawn: for PDFs."""
    photo = get_photo(profile, evidence_id)
    img = flatten(_load(profile, photo, max_edge))
    img.thumbnail((max_edge, max_edge), Image.Resampling.LANCZOS)
    img = upright(img, photo.orientation)
    if annotated:
        img = render_annotations(img, get_annotations(profile, evidence_id), font_path=font_path)
    return img
