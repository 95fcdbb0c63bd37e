"""`fieldmark evidence verify` and the import CLI."""

from __future__ import annotations

import os
import stat

from app.cli import main
from app.evidence import delete_photo, import_bytes, list_photos, verify_media
from app.evidence.store import blob_path
from app.ids import new_id
from tests.app.photo_factory import jpeg, write


def flip_a_byte(path) -> None:
    os.chmod(path, stat.S_IWUSR | stat.S_IRUSR)  # stored files are read-only on purpose
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    path.write_bytes(bytes(raw))


def test_clean_profile_verifies(profile, photo_visit):
    import_bytes(profile, jpeg(), "a.jpg", visit_id=photo_visit)
    report = verify_media(profile)
    assert report.ok and report.files_checked == 1 and report.rows_checked == 1
    assert report.problems == () and report.unreferenced == ()


def test_stored_files_are_read_only(profile, photo_visit):
    [pid] = import_bytes(profile, jpeg(), "a.jpg", visit_id=photo_visit).evidence_ids
    mode = blob_path(profile.media_dir, list_photos(profile, photo_visit)[0].sha256).stat().st_mode
    assert not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    assert pid


def test_verify_finds_a_flipped_byte_a_missing_file_and_a_row_without_file(profile, photo_visit):
    for i in range(3):
        import_bytes(profile, jpeg(seed=i), f"{i}.jpg", visit_id=photo_visit)
    a, b, c = list_photos(profile, photo_visit)
    delete_photo(profile, c.id)  # deleted photos are still checked: their undo needs the file
    flip_a_byte(blob_path(profile.media_dir, a.sha256))
    blob_path(profile.media_dir, c.sha256).unlink()
    stray = profile.media_dir / "ab" / ".leftover.tmp"
    stray.parent.mkdir(exist_ok=True)
    stray.write_bytes(b"half")
    report = verify_media(profile)
    assert not report.ok
    assert [(p.kind, p.row_id) for p in report.corrupt] == [("corrupt", a.id)]
    assert [(p.kind, p.row_id) for p in report.missing] == [("missing", c.id)]
    assert "content changed" in report.corrupt[0].detail
    assert report.unreferenced == (stray,)
    assert report.files_checked == 3


def test_signature_rows_are_checked_too(profile, photo_visit):
    with profile.transaction() as tx:
        tx.db.execute(
            "INSERT INTO signatures (id, visit_id, role, signer_name, sha256, signed_at, rev, device_id) "
            "VALUES (?, ?, 'team_leader', '张建华', ?, ?, ?, ?)",
            (new_id(), photo_visit, "0" * 64, tx.now, tx.meta.rev, tx.meta.device_id))
    report = verify_media(profile)
    assert [(p.kind, p.table, p.name) for p in report.problems] == [("missing", "signatures", "张建华")]


def test_cli_import_and_verify(profile, photo_visit, card, capsys):
    root = str(profile.root)
    good = write(card, "IMG_0001.JPG", jpeg())
    write(card, "IMG_0002.JPG", jpeg(seed=2))
    profile.close()  # the CLI takes the profile lock itself
    assert main(["evidence", "import", str(card), "--visit", photo_visit, "--item", "A1", "--data-dir", root]) == 0
    out = capsys.readouterr().out
    assert "2 imported, 0 already there, 0 failed" in out
    assert main(["evidence", "import", str(good), "--visit", photo_visit, "--data-dir", root]) == 0
    assert "0 imported, 1 already there" in capsys.readouterr().out
    empty = write(card, "empty.jpg", b"")
    assert main(["evidence", "import", str(empty), "--visit", photo_visit, "--data-dir", root]) == 1
    assert "empty (0 bytes)" in capsys.readouterr().out
    assert main(["evidence", "list", "--visit", photo_visit, "--data-dir", root]) == 0
    assert "IMG_0001.JPG" in capsys.readouterr().out
    assert main(["evidence", "verify", "--data-dir", root]) == 0
    assert "checked 2 files for 2 rows: ok" in capsys.readouterr().out
    victim = next(p for p in (profile.root / "media").rglob("*") if p.is_file())
    flip_a_byte(victim)
    assert main(["evidence", "verify", "--data-dir", root]) == 1
    assert "1 missing" not in (out := capsys.readouterr().out) and "1 corrupt" in out
    victim.unlink()
    assert main(["evidence", "verify", "--data-dir", root]) == 1
    assert "1 missing, 0 corrupt" in capsys.readouterr().out


def test_cli_unknown_visit_is_a_clear_error(profile, card, capsys):
    root = str(profile.root)
    path = write(card, "a.jpg", jpeg())
    profile.close()
    assert main(["evidence", "import", str(path), "--visit", "nope", "--data-dir", root]) == 1
    assert "no visit with id nope" in capsys.readouterr().err


def test_cli_reduce_setting(profile, capsys):
    from app.evidence import get_evidence_settings
    from app.profile import Profile

    root = profile.root
    profile.close()
    assert main(["evidence", "reduce", "on", "--data-dir", str(root)]) == 0
    with Profile.open(root) as p:
        assert get_evidence_settings(p).reduce_photos


def test_importing_the_original_again_repairs_a_damaged_file(profile, photo_visit, seeded):
    from app.visits import NewVisit, create_visit

    data = jpeg()
    import_bytes(profile, data, "a.jpg", visit_id=photo_visit)
    stored = blob_path(profile.media_dir, list_photos(profile, photo_visit)[0].sha256)
    flip_a_byte(stored)
    assert not verify_media(profile).ok
    other = create_visit(profile, NewVisit(unit_id=seeded.unit_id, visit_type="routine",
                                           starts_on="2026-11-25", rubric_hashes=[seeded.rubric_hash])).id
    assert import_bytes(profile, data, "a.jpg", visit_id=other).imported
    assert stored.read_bytes() == data
    assert verify_media(profile).ok
