"""Bad input gets a clear error per file, and nothing else is affected (issue 5, "Bad input")."""

from __future__ import annotations

import errno
import pathlib
import sqlite3

import pytest

from app.evidence import import_bytes, import_files, list_photos
from app.evidence import store as store_module
from db import rows
from tests.app.photo_factory import encode, jpeg, png_bomb, scene, write


def only_good_one_imported(profile, photo_visit, summary, bad_name: str) -> str:
    statuses = {pathlib.Path(r.source).name: r.status for r in summary.results}
    assert statuses == {"good.jpg": "imported", bad_name: "failed"}, summary.results
    assert [p.original_name for p in list_photos(profile, photo_visit)] == ["good.jpg"]
    return summary.failed[0].message


BAD_FILES = {
    "truncated": (lambda: jpeg((400, 300))[:2000], "damaged or incomplete"),
    "corrupt header": (lambda: b"\xff\xd8\xff\xe0" + b"\x13\x37" * 500, "damaged"),
    "zero bytes": (lambda: b"", "empty (0 bytes)"),
    "text named jpg": (lambda: "巡查记录: 灭火器过期\nnot a photo\n".encode(), "text file, not a photo"),
    "decompression bomb": (png_bomb, "too many pixels"),
    "gif": (lambda: encode(scene(), "GIF"), "unsupported format GIF"),
    "bmp": (lambda: encode(scene(), "BMP"), "unsupported format BMP"),
    "tiff": (lambda: encode(scene(), "TIFF"), "unsupported format TIFF"),
    "random bytes": (lambda: bytes(range(256)) * 8, "not an image Fieldmark can read"),
}


@pytest.mark.parametrize("case", BAD_FILES, ids=list(BAD_FILES))
def test_bad_file_fails_alone_with_a_clear_message(profile, photo_visit, card, case):
    make, expected = BAD_FILES[case]
    bad = write(card, "bad.jpg", make())
    good = write(card, "good.jpg", jpeg())
    summary = import_files(profile, [bad, good], visit_id=photo_visit)
    assert expected in only_good_one_imported(profile, photo_visit, summary, "bad.jpg")
    # The bad file left nothing behind in the media folder.
    assert len([p for p in profile.media_dir.rglob("*") if p.is_file()]) == 1


def test_configured_pixel_limit(profile, photo_visit):
    summary = import_bytes(profile, jpeg((200, 100)), "big.jpg", visit_id=photo_visit, max_pixels=10_000)
    [result] = summary.failed
    assert "200 × 100 pixels" in result.message and "decompression bomb" in result.message


def test_missing_file_and_folder(profile, photo_visit, card):
    good = write(card, "good.jpg", jpeg())
    folder = card / "looks-like.jpg"
    folder.mkdir()  # a folder with no photos in it adds none
    summary = import_files(profile, [card / "gone.jpg", folder, good], visit_id=photo_visit)
    assert "does not exist" in only_good_one_imported(profile, photo_visit, summary, "gone.jpg")


def test_unreadable_file(profile, photo_visit, card, monkeypatch):
    bad = write(card, "locked.jpg", jpeg(seed=5))
    good = write(card, "good.jpg", jpeg())
    real_open = pathlib.Path.open

    def guarded(self, *args, **kwargs):
        if self.name == "locked.jpg":  # tests run as root, so chmod 000 would not stop a read
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "open", guarded)
    summary = import_files(profile, [bad, good], visit_id=photo_visit)
    message = only_good_one_imported(profile, photo_visit, summary, "locked.jpg")
    assert message == "the file cannot be read: Permission denied"


def test_full_disk_leaves_no_half_file_and_no_row(profile, photo_visit, card, monkeypatch):
    def half_then_full(fh, data):
        fh.write(data[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store_module, "_write_all", half_then_full)
    paths = [write(card, f"{i}.jpg", jpeg(seed=i)) for i in range(3)]
    summary = import_files(profile, paths, visit_id=photo_visit)
    assert [r.status for r in summary.results] == ["failed"] * 3
    assert all(r.message == "could not save the photo: the disk is full" for r in summary.results)
    assert not summary.changes.evidence
    assert [p for p in profile.media_dir.rglob("*") if p.is_file()] == []  # no temp, no half file
    assert profile.db.execute("SELECT count(*) FROM evidence").fetchone()[0] == 0
    # Once there is room again, the same photos import.
    monkeypatch.undo()
    assert len(import_files(profile, paths, visit_id=photo_visit).imported) == 3


def test_database_full_removes_the_new_file(profile, photo_visit, monkeypatch):
    def full(*args, **kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(rows, "insert", full)
    summary = import_bytes(profile, jpeg(), "a.jpg", visit_id=photo_visit)
    assert summary.failed[0].message == "could not record the photo: the disk is full"
    assert [p for p in profile.media_dir.rglob("*") if p.is_file()] == []


def test_database_failure_keeps_a_file_other_rows_need(profile, photo_visit, seeded, monkeypatch):
    from app.visits import NewVisit, create_visit

    other = create_visit(profile, NewVisit(unit_id=seeded.unit_id, visit_type="routine",
                                           starts_on="2026-11-25", rubric_hashes=[seeded.rubric_hash])).id
    data = jpeg()
    first = import_bytes(profile, data, "a.jpg", visit_id=photo_visit)
    monkeypatch.setattr(rows, "insert", lambda *a, **k: (_ for _ in ()).throw(sqlite3.OperationalError("locked")))
    assert import_bytes(profile, data, "a.jpg", visit_id=other).failed
    photo = list_photos(profile, photo_visit)[0]
    assert photo.id == first.evidence_ids[0]
    assert store_module.blob_path(profile.media_dir, photo.sha256).read_bytes() == data
