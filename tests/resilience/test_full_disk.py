"""A full disk under the laptop's data folder: every action that writes there says so in words,
leaves nothing corrupt or half written, and works once there is room again.

The data folder sits on a small disk (tests/server/full_disk.py): a tmpfs of a few megabytes when
the tests run as root, otherwise a file-size cap (RLIMIT_FSIZE) that only a child process may
set. The command-line tests run `fieldmark` in a child and so run both ways; the tests that drive
the core or the desktop in this process need the tmpfs (the cap would be pytest's own too).

After each refusal: the database passes ``PRAGMA integrity_check`` and holds exactly what it held
before (every table's rows hash the same), no temporary or partial file is left in the data
folder (media, thumbnails, backups, the output's folder), and the same action then succeeds.
The sync's own full-disk tests are tests/server/test_sync_full_disk.py.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from app.errors import WriteFailed
from app.evidence import importer
from app.evidence.store import hash_file
from app.paths import DB_NAME, LOCK_NAME, MEDIA_DIR
from app.profile import Profile
from app.rubric_store import get_rubric
from app.visits import answer_item, get_visit, list_responses
from tests.server.finalized_support import build_demo_profile, in_progress_visit
from tests.server.full_disk import Disk, disk_modes, fill_by_limit, small_disk

ROOT = Path(__file__).resolve().parents[2]
# The demo profile is about 1.4 MB; room for it, its WAL, a photo and a report.
DISK_SIZE = 16 * 1024 * 1024
# Room to open the database (SQLite's 32 KB shared-memory file and the log's first pages) and
# not one photo, report or backup more. Under the file-size cap it is the largest file allowed.
SCRAPS = 48 * 1024
TMPFS = "tmpfs" in disk_modes()
needs_tmpfs = pytest.mark.skipif(not TMPFS, reason="filling a disk under this process needs a small tmpfs (root); "
                                                   "the command-line tests cover the file-size cap")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo_profile(tmp_path_factory.mktemp("demo") / "profile")


@pytest.fixture(scope="module")
def photo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A photo of noise: it does not compress, so it is far larger than ``SCRAPS``."""
    noise = Image.effect_noise((900, 700), 90).convert("RGB")
    out = io.BytesIO()
    noise.save(out, format="JPEG", quality=95)
    path = tmp_path_factory.mktemp("card") / "IMG_0001.JPG"
    path.write_bytes(out.getvalue())
    assert path.stat().st_size > 4 * SCRAPS
    return path


def place(template: Path, disk: Disk) -> Path:
    """A copy of the demo profile on ``disk``, opened once so its device id is its own."""
    root = disk.path / "profile"
    root.mkdir()
    for path in template.rglob("*"):
        target = root / path.relative_to(template)
        if path.is_dir():
            target.mkdir(exist_ok=True)
        elif path.name != LOCK_NAME:
            target.write_bytes(path.read_bytes())
    Profile.open(root).close()
    return root


@pytest.fixture(params=disk_modes())
def laptop(request: pytest.FixtureRequest, template: Path, tmp_path: Path) -> Iterator[tuple[Disk, Path]]:
    """(the small disk, the profile on it), in every way this machine can make a small disk."""
    with small_disk(tmp_path / "disk", DISK_SIZE, request.param) as disk:
        yield disk, place(template, disk)


@pytest.fixture
def tmpfs_laptop(template: Path, tmp_path: Path) -> Iterator[tuple[Disk, Path]]:
    if not TMPFS:
        pytest.skip("needs a small tmpfs (root)")
    with small_disk(tmp_path / "disk", DISK_SIZE, "tmpfs") as disk:
        yield disk, place(template, disk)


def fieldmark(disk: Disk, *args: str, leave: int | None = None) -> subprocess.CompletedProcess[str]:
    """`fieldmark ARGS` in a child; with ``leave``, the disk takes only that many bytes more while
    it runs (tmpfs: filled from here, and freed after; fsize: the child's own cap)."""
    capped = leave is not None and disk.mode == "fsize"
    if leave is not None and disk.mode == "tmpfs":
        disk.fill(leave)
    try:
        return subprocess.run([sys.executable, "-m", "app.cli", *args], capture_output=True, text=True, timeout=120,
                              cwd=ROOT, preexec_fn=(lambda: fill_by_limit(leave or 0)) if capped else None,
                              check=False)
    finally:
        disk.free()


# --- what is on the disk ---------------------------------------------------------------------------


def database_state(root: Path) -> tuple[list[str], str]:
    """(integrity_check's answer, a digest of every table's rows): the same digest is the same data."""
    conn = sqlite3.connect(str(root / DB_NAME))
    try:
        check = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        digest = hashlib.sha256()
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"):
            digest.update(table.encode())
            for row in conn.execute(f'SELECT * FROM "{table}" ORDER BY rowid'):
                digest.update(repr(row).encode())
        return check, digest.hexdigest()
    finally:
        conn.close()


def leftovers(root: Path) -> list[str]:
    """Files of unfinished writes: hidden temporary names, .tmp and .part, a media file that is not
    a whole photo under its own hash."""
    found = []
    for path in root.rglob("*"):
        if not path.is_file() or path.name == LOCK_NAME:
            continue
        if path.name.startswith(".") or path.suffix in (".tmp", ".part"):
            found.append(str(path.relative_to(root)))
        elif MEDIA_DIR in path.relative_to(root).parts[:1] and hash_file(path) != path.name:
            found.append(str(path.relative_to(root)))
    return found


def media_files(root: Path) -> set[str]:
    return {p.name for p in (root / MEDIA_DIR).rglob("*") if p.is_file()}


def unchanged(root: Path, before: tuple[list[str], str]) -> None:
    state = database_state(root)
    assert state[0] == ["ok"]
    assert state[1] == before[1], "the refused action changed the database"
    assert leftovers(root) == []


def visit_ids(root: Path) -> tuple[str, str]:
    """(a visit in progress, a finalized visit) of the demo profile."""
    with Profile.open(root, read_only=True) as profile:
        finalized = profile.db.execute("SELECT id FROM visits WHERE status = 'finalized' ORDER BY id").fetchone()[0]
        return in_progress_visit(profile), finalized


# --- the command line, on both kinds of small disk ---------------------------------------------------


def test_a_photo_import_onto_a_full_disk_stores_nothing_and_says_so(laptop, photo):
    disk, root = laptop
    visit, _ = visit_ids(root)
    before, media = database_state(root), media_files(root)
    args = ("evidence", "import", str(photo), "--visit", visit, "--data-dir", str(root))
    done = fieldmark(disk, *args, leave=SCRAPS)
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    # tmpfs: the disk refuses (ENOSPC); the cap: the file may not grow (EFBIG).
    wording = "the disk is full" if disk.mode == "tmpfs" else "File too large"
    assert lines[0] == f"failed    {photo}  could not save the photo: {wording}", done.stdout
    assert lines[-1] == "0 imported, 0 already there, 1 failed"
    assert "Traceback" not in done.stderr
    unchanged(root, before)
    assert media_files(root) == media
    # Room again: the same command imports it, whole.
    again = fieldmark(disk, *args)
    assert again.returncode == 0, again.stdout + again.stderr
    assert again.stdout.splitlines()[-1] == "1 imported, 0 already there, 0 failed"
    assert media_files(root) - media == {hash_file(photo)}
    assert database_state(root)[0] == ["ok"] and leftovers(root) == []


def test_a_report_written_into_a_full_data_folder_leaves_no_part_of_it(laptop):
    disk, root = laptop
    _, finalized = visit_ids(root)
    before = database_state(root)
    out = root / "feedback.pdf"
    args = ("report", finalized, "--kind", "full", "--out", str(out), "--data-dir", str(root))
    done = fieldmark(disk, *args, leave=SCRAPS)
    assert done.returncode == 1, done.stdout + done.stderr
    wording = "the disk is full" if disk.mode == "tmpfs" else "File too large"
    assert done.stderr == f"fieldmark: cannot write {out}: {wording}\n"
    assert not out.exists()
    unchanged(root, before)
    again = fieldmark(disk, *args)
    assert again.returncode == 0, again.stderr
    assert out.read_bytes().startswith(b"%PDF-") and out.stat().st_size > SCRAPS
    assert leftovers(root) == []


def test_a_backup_onto_a_full_disk_leaves_no_partial_file_and_the_next_one_is_whole(laptop):
    disk, root = laptop
    before = database_state(root)
    done = fieldmark(disk, "backup", "--data-dir", str(root), leave=SCRAPS)
    assert done.returncode == 1, done.stdout + done.stderr
    # A full disk reads as SQLITE_FULL, the file-size cap as a write error.
    wording = "the disk is full; free some space" if disk.mode == "tmpfs" else "the disk could not be written"
    assert done.stderr.startswith(f"fieldmark: backup not made: {wording}"), done.stderr
    assert done.stderr.rstrip().endswith("No partial file was left"), done.stderr
    assert list((root / "backups").iterdir()) == []
    unchanged(root, before)
    again = fieldmark(disk, "backup", "--data-dir", str(root))
    assert again.returncode == 0, again.stderr
    (made,) = (root / "backups").iterdir()
    copy = sqlite3.connect(str(made))
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert copy.execute("SELECT count(*) FROM visits").fetchone()[0] == \
            sqlite3.connect(str(root / DB_NAME)).execute("SELECT count(*) FROM visits").fetchone()[0]
    finally:
        copy.close()


def test_a_restore_onto_a_full_disk_changes_nothing_and_the_next_one_keeps_the_database_in_use(laptop):
    """The database in use is kept as a backup before a restore replaces it: on a full disk that
    fails, and the restore stops there, saying so; once there is room the restore goes through."""
    disk, root = laptop
    assert fieldmark(disk, "backup", "--data-dir", str(root)).returncode == 0
    (made,) = (root / "backups").iterdir()
    visit, _ = visit_ids(root)
    with Profile.open(root) as profile:
        rubric_hash, code = first_item(profile, visit)
        answer_item(profile, visit, rubric_hash=rubric_hash, item_code=code, note="after the backup")
    before = database_state(root)
    done = fieldmark(disk, "restore", str(made), "--data-dir", str(root), leave=SCRAPS)
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stderr.startswith("fieldmark: restore not made: the database in use is kept as a backup first, "
                                  "and that failed (backup not made: the disk "), done.stderr
    assert done.stderr.rstrip().endswith("No partial file was left). Nothing was changed"), done.stderr
    assert list((root / "backups").iterdir()) == [made]
    unchanged(root, before)
    again = fieldmark(disk, "restore", str(made), "--data-dir", str(root))
    assert again.returncode == 0, again.stderr
    assert len(list((root / "backups").iterdir())) == 2  # the database it replaced, kept
    assert database_state(root)[0] == ["ok"] and database_state(root)[1] != before[1]
    with Profile.open(root, read_only=True) as profile:
        assert note_of(profile, visit, code) != "after the backup"


def test_an_answer_while_the_disk_fills_is_not_saved_and_is_saved_on_the_same_profile_once_there_is_room(laptop):
    """The profile is open (as in the desktop) when its disk fills: the answer is refused in words,
    the answer before it stays, and the same open profile saves it once there is room."""
    disk, root = laptop
    visit, _ = visit_ids(root)
    with Profile.open(root) as profile:
        rubric_hash, code = first_item(profile, visit)
        answer_item(profile, visit, rubric_hash=rubric_hash, item_code=code, note="written before")
    done = subprocess.run([sys.executable, "-m", "tests.resilience.full_disk_child", "--data-dir", str(root),
                           "--disk", str(disk.path), "--mode", disk.mode, "--visit", visit, "--rubric", rubric_hash,
                           "--item", code, "--note", "written as the disk filled"],
                          capture_output=True, text=True, timeout=120, cwd=ROOT, check=False)
    disk.free()
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.splitlines()[-1])
    # tmpfs: SQLite's "database or disk is full"; the cap: the log may not grow, a write error.
    message = ("not saved: the disk is full; free some space and it is saved again" if disk.mode == "tmpfs"
               else "not saved: the disk could not be written (disk I/O error)")
    cause = "full" if disk.mode == "tmpfs" else "io"
    assert seen["refused"] == {"saved": False, "message": message, "cause": cause, "transient": True}
    assert seen["held_after_refusal"] == "written before"
    assert seen["saved_with_room"] is True
    assert database_state(root)[0] == ["ok"] and leftovers(root) == []
    with Profile.open(root, read_only=True) as profile:
        assert note_of(profile, visit, code) == "written as the disk filled"


@needs_tmpfs
def test_a_profile_on_a_disk_with_no_room_at_all_says_the_disk_is_full(tmpfs_laptop):
    """SQLite cannot even open the database (its shared-memory file needs room): the message
    names the full disk, not damage, and the file is untouched."""
    disk, root = tmpfs_laptop
    before = database_state(root)
    done = fieldmark(disk, "status", "--data-dir", str(root), leave=0)
    assert done.returncode == 1
    assert done.stderr.startswith(f"fieldmark: {root / DB_NAME} cannot be opened: the disk is full ("), done.stderr
    assert "Free some space and open it again; it was left untouched" in done.stderr
    assert "damaged" not in done.stderr
    unchanged(root, before)
    assert fieldmark(disk, "status", "--data-dir", str(root)).returncode == 0


# --- the core, in this process, on a tmpfs ------------------------------------------------------------


@pytest.fixture
def opened(tmpfs_laptop) -> Iterator[tuple[Disk, Profile]]:
    """The profile open, as in the desktop, when its disk fills."""
    disk, root = tmpfs_laptop
    profile = Profile.open(root)
    try:
        yield disk, profile
    finally:
        disk.free()
        profile.close()


def fill(disk: Disk, profile: Profile, leave: int = 0) -> None:
    # The write-ahead log emptied first: a log reused from its start would need no new room.
    profile.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    disk.fill(leave)


def first_item(profile: Profile, visit_id: str) -> tuple[str, str]:
    rubric_hash = get_visit(profile, visit_id).rubric_hashes[0]
    return rubric_hash, next(iter(get_rubric(profile, rubric_hash).items))


def note_of(profile: Profile, visit_id: str, code: str) -> str | None:
    return next((r.note for r in list_responses(profile, visit_id) if r.item_code == code), None)


def test_an_answer_on_a_full_disk_is_not_saved_and_says_so_and_is_saved_once_there_is_room(opened):
    disk, profile = opened
    visit = in_progress_visit(profile)
    rubric_hash, code = first_item(profile, visit)
    answer_item(profile, visit, rubric_hash=rubric_hash, item_code=code, note="written before")
    before = database_state(profile.root)
    fill(disk, profile)
    with pytest.raises(WriteFailed) as refused:
        answer_item(profile, visit, rubric_hash=rubric_hash, item_code=code, note="written on a full disk")
    assert str(refused.value) == "not saved: the disk is full; free some space and it is saved again"
    assert (refused.value.cause, refused.value.transient) == ("full", True)
    # Not reported as saved, and the answer before it is whole.
    assert note_of(profile, visit, code) == "written before"
    unchanged(profile.root, before)
    disk.free()
    answer_item(profile, visit, rubric_hash=rubric_hash, item_code=code, note="written on a full disk")
    assert note_of(profile, visit, code) == "written on a full disk"
    assert database_state(profile.root)[0] == ["ok"]


def test_a_photo_whose_row_cannot_be_written_takes_its_file_away(opened, photo, monkeypatch):
    """The photo's file fits; the disk fills before its row commits: the import says the photo
    was not recorded, and removes the file it wrote, so no file is left that no row names."""
    disk, profile = opened
    visit = in_progress_visit(profile)
    real = importer.put_blob

    def put_then_fill(media_dir: Path, data: bytes, sha: str | None = None) -> tuple[str, bool]:
        stored = real(media_dir, data, sha)
        fill(disk, profile)
        return stored

    monkeypatch.setattr(importer, "put_blob", put_then_fill)
    before, media = database_state(profile.root), media_files(profile.root)
    summary = importer.import_files(profile, [photo], visit_id=visit)
    (result,) = summary.results
    assert (result.status, result.message) == ("failed", "could not record the photo: the disk is full")
    assert not summary.changes.evidence
    unchanged(profile.root, before)
    assert media_files(profile.root) == media
    monkeypatch.setattr(importer, "put_blob", real)
    disk.free()
    again = importer.import_files(profile, [photo], visit_id=visit)
    assert [r.status for r in again.results] == ["imported"]
    assert media_files(profile.root) - media == {hash_file(photo)}


def test_a_bundle_export_onto_a_full_disk_says_so_and_leaves_no_part(opened, photo):
    from app.sync import engine
    from app.sync.bundle_export import BundleNotWritten, export_bundle
    from app.sync.keys import generate_device_key
    from db.queries import meta

    disk, profile = opened
    visit = in_progress_visit(profile)
    # A photo that does not compress: the bundle is then far larger than the room left.
    assert [r.status for r in importer.import_files(profile, [photo], visit_id=visit).results] == ["imported"]
    key = generate_device_key()
    out = profile.root / "exports" / "visit.fmbundle"
    out.parent.mkdir()
    fill(disk, profile, leave=SCRAPS)
    with pytest.raises(BundleNotWritten) as refused:
        export_bundle(profile, [visit], out, recipient="team", private_key=key)
    assert str(refused.value) == (f"the bundle was not written to {out}: the disk is full. Nothing was left there; "
                                  "free some space or choose another folder, and export again")
    assert list(out.parent.iterdir()) == []
    assert database_state(profile.root)[0] == ["ok"] and leftovers(profile.root) == []
    taken = int(meta.get(profile.db, engine.SEQ_KEY) or 0)
    disk.free()
    done = export_bundle(profile, [visit], out, recipient="team", private_key=key)
    assert done.path == out and out.stat().st_size > 0
    assert list(out.parent.iterdir()) == [out]
    # The failed export's number is a gap, never shared with this one or with a push.
    assert int(meta.get(profile.db, engine.SEQ_KEY) or 0) == taken + 1


def test_the_number_of_a_bundle_is_taken_before_its_file_is_written(opened):
    """A full disk already at the bookkeeping: nothing is written, and the message says so."""
    from app.sync.bundle_export import BundleNotWritten, export_bundle
    from app.sync.keys import generate_device_key

    disk, profile = opened
    visit = in_progress_visit(profile)
    out = profile.root / "visit.fmbundle"
    before = database_state(profile.root)
    fill(disk, profile)
    with pytest.raises(BundleNotWritten, match="the data folder could not be written .*free some space and export"):
        export_bundle(profile, [visit], out, recipient="team", private_key=generate_device_key())
    assert not out.exists()
    unchanged(profile.root, before)


# --- the desktop's checklist, on a tmpfs ----------------------------------------------------------------


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    """The ``seeded`` profile (tests/conftest.py) of the checklist test, on a small tmpfs."""
    if not TMPFS:
        pytest.skip("needs a small tmpfs (root)")
    with small_disk(tmp_path / "disk", DISK_SIZE, "tmpfs") as disk:
        yield disk.path / "profile"


def test_the_checklist_says_an_answer_is_not_saved_on_a_full_disk_and_saves_it_when_there_is_room(
        qtbot, seeded, data_dir, tmp_path, monkeypatch):
    from PySide6.QtCore import QSettings

    from tests.ui.checklist_support import make_checklist, open_page
    from ui.checklist import answers

    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qt-settings"))
    monkeypatch.setattr(answers, "RETRY_DELAYS_MS", (200,))
    disk = Disk(data_dir.parent, "tmpfs")
    c = make_checklist(seeded)
    page = open_page(qtbot, c, c.school_visit)
    page.go_to(c.school, "A1.1")
    fill(disk, c.profile)
    try:
        page.pane.editor.entry.setValue(20)
        text = page.saved.text()
        # (The English plural "1 answer" comes from the catalogue the desktop installs; bare Qt says "answer(s)".)
        assert text.startswith("Not saved: 1 answer"), text
        assert "The disk is full: free some space. Trying again in 1 second" in text, text
        assert page.saved.property("error") is True and page.retry_button.isVisible()
        assert page.model.is_unsaved(c.school, "A1.1")
        assert "A1.1" not in {r.item_code for r in list_responses(c.profile, c.school_visit)}
        assert database_state(data_dir)[0] == ["ok"]
    finally:
        disk.free()
    # Room again: the retry saves it by itself, and the page stops saying it is unsaved.
    qtbot.waitUntil(lambda: page.saved.text() == "All changes saved", timeout=5000)
    assert {r.item_code: r.value for r in list_responses(c.profile, c.school_visit)}["A1.1"] == 20
    assert not page.model.is_unsaved(c.school, "A1.1") and not page.retry_button.isVisible()
    assert os.path.exists(data_dir / DB_NAME) and database_state(data_dir)[0] == ["ok"]



def test_the_photo_import_dialog_lists_a_photo_the_full_disk_refused_and_imports_it_when_there_is_room(
        qtbot, seeded, data_dir, tmp_path, photo):
    from PySide6.QtCore import QSettings

    from tests.ui.checklist_support import make_checklist, open_page

    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qt-settings"))
    disk = Disk(data_dir.parent, "tmpfs")
    c = make_checklist(seeded)
    page = open_page(qtbot, c, c.school_visit)
    page.go_to(c.school, "A2.4")  # pass/fail with a required photo
    flows = page.photo_flows
    before, media = database_state(data_dir), media_files(data_dir)
    fill(disk, c.profile, leave=SCRAPS)
    try:
        flows.import_folder(str(photo.parent))
        qtbot.waitUntil(lambda: flows.last_job is not None and flows.last_job.finished, timeout=10000)
        dialog = flows.last_job.dialog
        assert dialog.isVisible() and dialog.heading.text() == "Import finished"
        assert dialog.counts.text().splitlines()[0].startswith("0 photo")
        assert "could not be imported:" in dialog.counts.text()
        assert [dialog.failures.item(k).text() for k in range(dialog.failures.count())] == \
            [f"{photo}: could not save the photo: the disk is full"]
        assert page.pane.photos.list.count() == 0
        unchanged(data_dir, before)
        assert media_files(data_dir) == media
        dialog.buttons.rejected.emit()  # Close
    finally:
        disk.free()
    flows.import_folder(str(photo.parent))
    qtbot.waitUntil(lambda: page.pane.photos.list.count() == 1, timeout=10000)
    assert media_files(data_dir) - media == {hash_file(photo)}
    assert database_state(data_dir)[0] == ["ok"] and leftovers(data_dir) == []
