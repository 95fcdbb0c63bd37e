"""Importing photos: formats, metadata, orientation, dedup, targets, progress and cancel."""

from __future__ import annotations

import errno
import hashlib
import io
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from PIL import Image, ImageOps

from app.errors import InvalidAnswer, NotFound, VisitLocked
from app.evidence import (
    CancelToken,
    get_evidence_settings,
    import_bytes,
    import_files,
    import_folder,
    list_photos,
    set_reduce_photos,
)
from app.evidence import store as store_module
from app.evidence.store import blob_path
from app.evidence.thumbnails import thumb_path
from app.finalize import finalize_visit
from app.findings import add_finding
from app.visits import NewVisit, create_visit
from tests.app.photo_factory import heic, jpeg, png, webp, write


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_jpeg_with_exif_gps_and_offset_is_stored_byte_for_byte(profile, photo_visit, card):
    data = jpeg(taken="2026:11:24 09:30:12", offset="+08:00", gps=(32.5401, 111.5123),
                make="Canon", model="Canon EOS R6")
    path = write(card, "IMG_0001.JPG", data)
    summary = import_files(profile, [path], visit_id=photo_visit, item_code="A1")
    assert [r.status for r in summary.results] == ["imported"]
    assert summary.changes.evidence and summary.changes.item_codes == {"A1"}
    [photo] = list_photos(profile, photo_visit)
    assert photo.id == summary.evidence_ids[0]
    assert (photo.sha256, photo.size, photo.original_name) == (sha(data), len(data), "IMG_0001.JPG")
    assert (photo.media_type, photo.width, photo.height) == ("image/jpeg", 80, 40)
    assert (photo.taken_at, photo.taken_offset) == ("2026-11-24T09:30:12+08:00", "+08:00")
    assert photo.gps_lat == pytest.approx(32.5401, abs=1e-4)
    assert photo.gps_lon == pytest.approx(111.5123, abs=1e-4)
    assert photo.camera == "Canon EOS R6"
    assert photo.item_code == "A1" and photo.rubric_hash is not None
    assert photo.device_id == profile.device_id and photo.imported_at
    assert not photo.reduced
    stored = blob_path(profile.media_dir, photo.sha256)
    assert stored.read_bytes() == data
    assert stored.parent.name == photo.sha256[:2]
    assert thumb_path(profile.root, photo.sha256).is_file()


def test_southern_and_western_gps_and_no_offset(profile, photo_visit):
    summary = import_bytes(profile, jpeg(gps=(-33.8688, -70.6693), taken="2025:01:02 03:04:05"),
                           "s.jpg", visit_id=photo_visit)
    photo = list_photos(profile, photo_visit)[0]
    assert summary.imported
    assert photo.gps_lat == pytest.approx(-33.8688, abs=1e-4)
    assert photo.gps_lon == pytest.approx(-70.6693, abs=1e-4)
    assert (photo.taken_at, photo.taken_offset) == ("2025-01-02T03:04:05", None)


def test_photo_without_exif_has_empty_metadata(profile, photo_visit):
    import_bytes(profile, png(), "screen.png", visit_id=photo_visit)
    photo = list_photos(profile, photo_visit)[0]
    assert (photo.taken_at, photo.gps_lat, photo.camera, photo.orientation) == (None, None, "", 1)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_orientation_gives_an_upright_thumbnail(profile, photo_visit, orientation):
    data = jpeg((80, 40), orientation=orientation)
    summary = import_bytes(profile, data, f"o{orientation}.jpg", visit_id=photo_visit)
    photo = list_photos(profile, photo_visit)[0]
    assert photo.orientation == orientation
    assert photo.display_size == (80, 40)
    thumb = Image.open(thumb_path(profile.root, photo.sha256))
    # Pillow's own exif_transpose of the stored file is the independent oracle.
    expected = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))
    assert thumb.size == expected.size == (80, 40)
    assert summary.imported
    for xy in ((5, 5), (75, 5), (5, 35), (75, 35)):
        got, want = thumb.getpixel(xy), expected.getpixel(xy)
        assert all(abs(a - b) < 40 for a, b in zip(got, want, strict=True)), (xy, got, want)


@pytest.mark.parametrize(("maker", "media_type"), [
    (png, "image/png"), (webp, "image/webp"), (heic, "image/heic"),
    (lambda: png(alpha=True), "image/png"),
])
def test_other_formats(profile, photo_visit, maker, media_type):
    data = maker()
    summary = import_bytes(profile, data, "photo", visit_id=photo_visit)
    assert [r.status for r in summary.results] == ["imported"], summary.results
    photo = list_photos(profile, photo_visit)[0]
    assert photo.media_type == media_type
    assert blob_path(profile.media_dir, photo.sha256).read_bytes() == data
    assert Image.open(thumb_path(profile.root, photo.sha256)).format == "JPEG"


def test_heic_metadata(profile, photo_visit):
    import_bytes(profile, heic(taken="2026:11:24 10:00:00", gps=(30.5, 114.25), model="iPhone 15"),
                 "IMG_1.HEIC", visit_id=photo_visit)
    photo = list_photos(profile, photo_visit)[0]
    assert photo.taken_at == "2026-11-24T10:00:00"
    assert photo.gps_lat == pytest.approx(30.5) and photo.gps_lon == pytest.approx(114.25)
    assert photo.camera == "iPhone 15"


def test_same_file_twice_is_a_duplicate(profile, photo_visit, card):
    path = write(card, "a.jpg", jpeg())
    first = import_files(profile, [path], visit_id=photo_visit)
    again = import_files(profile, [path], visit_id=photo_visit, item_code="A2")
    assert [r.status for r in again.results] == ["duplicate"]
    assert not again.changes.evidence
    assert len(list_photos(profile, photo_visit)) == 1
    assert first.evidence_ids


def test_identical_bytes_in_one_batch_import_once(profile, photo_visit, card):
    data = jpeg(seed=3)
    paths = [write(card, f"copy{i}.jpg", data) for i in range(5)]
    summary = import_files(profile, paths, visit_id=photo_visit)
    assert len(summary.imported) == 1 and len(summary.duplicates) == 4
    assert {r.evidence_id for r in summary.duplicates} == set(summary.evidence_ids)
    assert profile.db.execute("SELECT count(*) FROM evidence").fetchone()[0] == 1


def test_folder_import_takes_only_new_photos(profile, photo_visit, card):
    for i in range(3):
        write(card, f"IMG_{i:04d}.JPG", jpeg(seed=i))
    write(card, "._IMG_0000.JPG", b"\x00\x05\x16\x07 AppleDouble")  # macOS companion file
    write(card, "notes.txt", b"not a photo")
    first = import_folder(profile, card.parent.parent, visit_id=photo_visit)
    assert len(first.imported) == 3 and not first.failed
    write(card, "IMG_0003.JPG", jpeg(seed=3))
    second = import_folder(profile, card.parent.parent, visit_id=photo_visit)
    assert [r.status for r in second.results] == ["duplicate"] * 3 + ["imported"]
    assert len(list_photos(profile, photo_visit)) == 4


def test_photo_deleted_then_reimported_comes_back_as_new(profile, photo_visit):
    from app.evidence import delete_photo

    first = import_bytes(profile, jpeg(), "a.jpg", visit_id=photo_visit)
    delete_photo(profile, first.evidence_ids[0])
    again = import_bytes(profile, jpeg(), "a.jpg", visit_id=photo_visit)
    assert again.imported


def test_same_photo_may_be_evidence_in_two_visits(seeded, profile, photo_visit):
    other = create_visit(profile, NewVisit(unit_id=seeded.unit_id, visit_type="routine",
                                           starts_on="2026-11-25", rubric_hashes=[seeded.rubric_hash])).id
    data = jpeg()
    assert import_bytes(profile, data, "a.jpg", visit_id=photo_visit).imported
    assert import_bytes(profile, data, "a.jpg", visit_id=other).imported
    files = [p for p in profile.media_dir.rglob("*") if p.is_file()]
    assert len(files) == 1  # one file, two rows


def test_attach_to_a_finding(profile, photo_visit):
    finding = add_finding(profile, photo_visit, description="灭火器过期", item_code="A1").id
    summary = import_bytes(profile, jpeg(), "f.jpg", visit_id=photo_visit, finding_id=finding)
    assert summary.imported
    assert [p.id for p in list_photos(profile, photo_visit, finding_id=finding)] == list(summary.evidence_ids)
    assert list_photos(profile, photo_visit, item_code="A1") == []


def test_bad_targets_are_refused_before_any_work(profile, photo_visit):
    with pytest.raises(InvalidAnswer, match="not in this visit's rubrics"):
        import_bytes(profile, jpeg(), "a.jpg", visit_id=photo_visit, item_code="Z9")
    with pytest.raises(NotFound):
        import_bytes(profile, jpeg(), "a.jpg", visit_id="no-such-visit")
    with pytest.raises(NotFound):
        import_bytes(profile, jpeg(), "a.jpg", visit_id=photo_visit, finding_id="nope")
    assert not any(p.is_file() for p in profile.media_dir.rglob("*"))


def test_finalized_visit_takes_no_photos(profile, photo_visit):
    finalize_visit(profile, photo_visit, accept_gaps=True)
    with pytest.raises(VisitLocked):
        import_bytes(profile, jpeg(), "a.jpg", visit_id=photo_visit)


def test_progress_is_reported_for_every_file(profile, photo_visit, card):
    paths = [write(card, f"{i}.jpg", jpeg(seed=i)) for i in range(6)]
    seen = []
    import_files(profile, paths, visit_id=photo_visit, progress=seen.append, workers=2)
    assert [(p.done, p.total) for p in seen] == [(i, 6) for i in range(1, 7)]
    assert [p.name for p in seen] == [str(p) for p in paths]


def test_cancelled_import_leaves_a_consistent_state(profile, photo_visit, card):
    paths = [write(card, f"{i:02d}.jpg", jpeg(seed=i)) for i in range(20)]
    token = CancelToken()

    def progress(p):
        if p.done == 3:
            token.cancel()

    summary = import_files(profile, paths, visit_id=photo_visit, progress=progress, cancel=token, workers=2)
    assert summary.cancelled
    assert len(summary.results) == 20
    imported = {r.evidence_id for r in summary.imported}
    assert 3 <= len(imported) < 20
    assert all(r.status in ("imported", "skipped") for r in summary.results)
    # Every row has its whole file, and every file has its row: nothing half done.
    photos = list_photos(profile, photo_visit)
    assert {p.id for p in photos} == imported
    for p in photos:
        assert sha(blob_path(profile.media_dir, p.sha256).read_bytes()) == p.sha256
    files = {p.name for p in profile.media_dir.rglob("*") if p.is_file()}
    assert files == {p.sha256 for p in photos}
    # The rest import on the next try.
    rest = import_files(profile, paths, visit_id=photo_visit)
    assert len(rest.imported) == 20 - len(imported) and len(rest.duplicates) == len(imported)


def test_positions_follow_import_order(profile, photo_visit, card):
    paths = [write(card, f"{i}.jpg", jpeg(seed=i)) for i in range(4)]
    summary = import_files(profile, paths, visit_id=photo_visit, workers=3)
    assert [p.id for p in list_photos(profile, photo_visit)] == list(summary.evidence_ids)
    assert [p.position for p in list_photos(profile, photo_visit)] == [0, 1, 2, 3]


def test_reduced_size_option(profile, photo_visit):
    assert get_evidence_settings(profile).reduce_photos is False
    set_reduce_photos(profile, True)
    assert get_evidence_settings(profile).reduce_photos is True
    big = jpeg((3000, 1500), orientation=6, taken="2026:11:24 09:30:12", gps=(30.0, 114.0),
               model="Pixel 8")
    summary = import_bytes(profile, big, "big.jpg", visit_id=photo_visit)
    photo = list_photos(profile, photo_visit)[0]
    assert photo.reduced and photo.original_sha256 == sha(big) and photo.original_size == len(big)
    assert photo.sha256 != sha(big)
    assert (photo.width, photo.height, photo.orientation) == (2048, 1024, 1)  # turned upright
    assert (photo.taken_at, photo.camera) == ("2026-11-24T09:30:12", "Pixel 8")
    assert photo.gps_lat == pytest.approx(30.0)
    stored = Image.open(blob_path(profile.media_dir, photo.sha256))
    assert stored.format == "JPEG" and stored.size == (2048, 1024)
    assert stored.getpixel((10, 10))[0] > 150  # the red corner is top-left: upright
    assert summary.imported
    # Re-importing the same original is still recognised.
    assert import_bytes(profile, big, "big.jpg", visit_id=photo_visit).duplicates
    # Small photos are kept as they are even with the option on.
    small = jpeg((800, 600), seed=9)
    import_bytes(profile, small, "small.jpg", visit_id=photo_visit)
    assert not list_photos(profile, photo_visit)[1].reduced
    set_reduce_photos(profile, False)
    assert not get_evidence_settings(profile).reduce_photos


def test_reduced_option_converts_heic_to_jpeg(profile, photo_visit):
    set_reduce_photos(profile, True)
    data = heic()
    import_bytes(profile, data, "IMG.HEIC", visit_id=photo_visit)
    photo = list_photos(profile, photo_visit)[0]
    assert photo.reduced and photo.media_type == "image/jpeg" and photo.original_sha256 == sha(data)


# --- database steps, and failures in the middle of an import ------------------------------------

def stored_files(profile) -> set[str]:
    return {p.name for p in profile.media_dir.rglob("*") if p.is_file()}


def test_every_database_step_runs_through_db_on_its_own_thread(profile, photo_visit, card):
    """The desktop imports on a file worker: only ``db`` may touch the connection."""
    paths = [write(card, f"{i}.jpg", jpeg(seed=i)) for i in range(5)]
    used: set[str] = set()
    profile.db.conn.set_trace_callback(lambda _sql: used.add(threading.current_thread().name))
    steps = []
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="database") as database:
        def db(fn):
            steps.append(fn)
            return database.submit(fn).result()
        summary = import_files(profile, paths, visit_id=photo_visit, workers=2, db=db)
    profile.db.conn.set_trace_callback(None)
    assert len(summary.imported) == 5
    assert len(steps) == 1 + 5  # the start, then one short transaction per photo
    assert {name.split("_")[0] for name in used} == {"database"}


def test_a_photo_failing_midway_leaves_the_others_whole(profile, photo_visit, card, monkeypatch):
    paths = [write(card, f"{i}.jpg", jpeg(seed=i)) for i in range(6)]
    bad = sha(paths[2].read_bytes())
    real_write = store_module._write_all

    def full_for_one(fh, data):
        if sha(data) == bad:
            fh.write(data[: len(data) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")
        real_write(fh, data)

    monkeypatch.setattr(store_module, "_write_all", full_for_one)
    summary = import_files(profile, paths, visit_id=photo_visit, workers=2)
    assert [r.status for r in summary.results] == ["imported"] * 2 + ["failed"] + ["imported"] * 3
    assert summary.failed[0].message == "could not save the photo: the disk is full"
    photos = list_photos(profile, photo_visit)
    assert [p.original_name for p in photos] == ["0.jpg", "1.jpg", "3.jpg", "4.jpg", "5.jpg"]
    assert stored_files(profile) == {p.sha256 for p in photos}  # no half file, no temp file


def test_a_visit_finalized_during_the_import_takes_no_more_photos(profile, photo_visit, card):
    paths = [write(card, f"{i}.jpg", jpeg(seed=i)) for i in range(6)]
    steps = []

    def db(fn):
        steps.append(fn)
        if len(steps) == 4:  # the start and two photos are done: the visit is finalized now
            finalize_visit(profile, photo_visit, accept_gaps=True)
        return fn()

    summary = import_files(profile, paths, visit_id=photo_visit, workers=2, db=db)
    assert [r.status for r in summary.results] == ["imported"] * 2 + ["failed"] + ["skipped"] * 3
    assert "finalized during the import" in summary.failed[0].message
    assert all("finalized during the import" in r.message for r in summary.skipped)
    photos = list_photos(profile, photo_visit)
    assert [p.original_name for p in photos] == ["0.jpg", "1.jpg"]
    assert stored_files(profile) == {p.sha256 for p in photos}  # the rest's new files are gone
