"""A full disk while a laptop syncs: laptop B's data folder sits on a small disk (tests/server/
full_disk.py), and B's sync, in a child process, fills it just before the write under test: the
commit of a pulled page, a photo's download, the push's receipt. Each ends in the "disk_full"
reason naming the full disk; the database checks whole, no pulled page is half applied and the
cursor is not past it, no part of a photo is left in the media folder, and once there is room
again the next sync completes with the visit hashing as on the server."""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.canonical import content_hash
from app.cli_sync import EXIT_CODES
from app.evidence.store import blob_path, hash_file
from app.profile import Profile
from app.sync import engine
from app.sync.engine import CURSOR_KEY, PENDING_KEY, sync
from app.sync.errors import DiskFull, write_failure
from app.visits import visit_record
from db.queries import meta
from db.queries import sync as sq
from db.rows import fetch_all
from server.store.schema import sync_changesets
from server.sync.held_visit import build_record, load_visit, record_matching
from tests.server.finalized_support import in_progress_visit
from tests.server.full_disk import Disk, disk_modes, run_child_sync, small_disk
from tests.server.sync_support import QUICK, Machine, MemoryKeyring, add_photos, laptop, use_keyring
from tests.server.test_sync_engine import change_one, first_item, response_row

# The demo profile is about 1.5 MB; room for it, its WAL and the team-mate's photos.
DISK_SIZE = 24 * 1024 * 1024
# Less than one photo: what a download meets once the disk is filled.
SCRAPS = 16 * 1024


@pytest.fixture
def keychain() -> Iterator[MemoryKeyring]:
    yield from use_keyring(MemoryKeyring())  # type: ignore[misc]


class Pair:
    """Laptop A on the ordinary disk, B on the small one; both synced once, then A took photos
    on the visit they share and synced them."""

    def __init__(self, a: Machine, b: Machine, disk: Disk, visit_id: str, photos: list[str]) -> None:
        self.a, self.b, self.disk, self.visit_id, self.photos = a, b, disk, visit_id, photos

    def reopen_b(self) -> Profile:
        self.b.profile = Profile.open(self.b.root)
        return self.b.profile

    def child_sync(self, fill_at: str, *, leave: int = 0, cli: bool = False) -> Any:
        self.b.profile.close()
        try:
            return run_child_sync(self.disk, self.b.root, self.b.session.server_url, self.b.session.login,
                                  self.b.session.token, fill_at=fill_at, leave=leave, cli=cli)
        finally:
            self.disk.free()
            self.reopen_b()


def make_pair(server: Any, template: Path, tmp_path: Path, mode: str) -> Iterator[Pair]:
    a = laptop(server, template, tmp_path / "a", mirror=True)
    with small_disk(tmp_path / "disk", DISK_SIZE, mode) as disk:
        b = laptop(server, template, disk.path / "b")
        try:
            for machine in (a, b):
                assert sync(machine.profile, machine.session, retry=QUICK).complete
            visit_id = in_progress_visit(a.profile)
            photos = add_photos(a, 2)
            assert sync(a.profile, a.session, retry=QUICK).complete
            yield Pair(a, b, disk, visit_id, photos)
        finally:
            b.profile.close()
            a.profile.close()


@pytest.fixture(params=disk_modes())
def pair(request: pytest.FixtureRequest, server: Any, demo_template: Path, tmp_path: Path,
         keychain: MemoryKeyring) -> Iterator[Pair]:
    """Every way of making a small disk this machine allows (tmpfs as root, RLIMIT_FSIZE always)."""
    yield from make_pair(server, demo_template, tmp_path, request.param)


@pytest.fixture
def preferred(server: Any, demo_template: Path, tmp_path: Path, keychain: MemoryKeyring) -> Iterator[Pair]:
    yield from make_pair(server, demo_template, tmp_path, disk_modes()[0])


# --- what is on B's disk ---------------------------------------------------------------------------


def integrity(profile: Profile) -> list[str]:
    return [r[0] for r in profile.db.execute("PRAGMA integrity_check").fetchall()]


def media_leftovers(profile: Profile) -> list[Path]:
    """Files in the media folder that are not a whole photo under its own name."""
    found = []
    for path in profile.media_dir.rglob("*"):
        if path.is_file() and (path.name.startswith(".") or hash_file(path) != path.name):
            found.append(path)
    return found


def evidence_of(profile: Profile, photos: list[str]) -> list[str]:
    marks = ",".join("?" * len(photos))
    return sorted(r["sha256"] for r in fetch_all(profile.db, f"SELECT sha256 FROM evidence WHERE sha256 IN ({marks})",
                                                 tuple(photos)))


def stored(profile: Profile, photos: list[str]) -> list[str]:
    return sorted(sha for sha in photos if blob_path(profile.media_dir, sha).is_file())


def consistent(pair: Pair) -> None:
    profile = pair.b.profile
    assert integrity(profile) == ["ok"]
    assert media_leftovers(profile) == []
    # A photo in the media folder is whole; a row without its photo shows it missing, never a part.
    for sha in stored(profile, pair.photos):
        assert hash_file(blob_path(profile.media_dir, sha)) == sha


def completes_and_matches(server: Any, pair: Pair) -> None:
    """Room again: the next sync completes, every photo is whole, and the visit hashes on B as on
    A and on the server."""
    profile = pair.b.profile
    again = sync(profile, pair.b.session, retry=QUICK)
    assert again.complete, (again.reason, again.message)
    assert evidence_of(profile, pair.photos) == sorted(pair.photos)
    assert stored(profile, pair.photos) == sorted(pair.photos)
    consistent(pair)
    # A hears what B sent, if anything.
    assert sync(pair.a.profile, pair.a.session, retry=QUICK).complete
    mine = content_hash(visit_record(profile, pair.visit_id))
    assert mine == content_hash(visit_record(pair.a.profile, pair.visit_id))
    with server.engine.connect() as conn:
        held = load_visit(conn, pair.visit_id)
        assert held is not None
        assert record_matching(build_record(held), mine) is not None


def changesets_of(server: Any, device_id: str) -> int:
    with server.engine.connect() as conn:
        return len(conn.execute(sync_changesets.select().where(sync_changesets.c.device_id == device_id)).all())


# --- the tests -------------------------------------------------------------------------------------


def test_a_full_disk_at_a_pulled_pages_commit_keeps_the_database_as_it_was(server, pair):
    """The disk is full before B's sync writes anything: the first pulled page cannot commit.
    `fieldmark sync` exits with the full disk's code and says so; nothing of the page is stored
    and the cursor stays before it."""
    before = meta.get(pair.b.profile.db, CURSOR_KEY)
    run = pair.child_sync("start", cli=True)
    assert run.code == EXIT_CODES["disk_full"], (run.code, run.stdout, run.stderr)
    assert "sync disk full" in run.stderr and "is full or cannot be written" in run.stderr, run.stderr
    assert "could not store a pulled page" in run.stderr and "free some space and sync again" in run.stderr
    assert str(pair.disk.path / "b") in run.stderr
    assert "Traceback" not in run.stderr
    profile = pair.b.profile
    consistent(pair)
    assert meta.get(profile.db, CURSOR_KEY) == before
    assert evidence_of(profile, pair.photos) == [] and stored(profile, pair.photos) == []
    completes_and_matches(server, pair)


def test_a_disk_filling_during_a_photo_download_keeps_the_photos_before_it_and_no_part(server, pair):
    """The pulled rows are stored; the disk fills after the first photo: it stays whole, the
    second leaves no part behind, and its row shows it missing until the next sync fetches it."""
    run = pair.child_sync("fetch:1", leave=SCRAPS)
    assert run.code == 0, run.stderr
    result = run.result
    assert result["reason"] == "disk_full", result
    assert "is full or cannot be written" in str(result["message"])
    assert "could not store the photo " in str(result["message"])
    assert result["blobs_fetched"] == 1
    profile = pair.b.profile
    consistent(pair)
    # The pages were applied with their cursor: the rows are here, and are not pulled again.
    assert evidence_of(profile, pair.photos) == sorted(pair.photos)
    assert len(stored(profile, pair.photos)) == 1
    assert meta.get(profile.db, CURSOR_KEY)
    completes_and_matches(server, pair)


def test_a_full_disk_when_the_push_receipt_is_stored_sends_the_changeset_again_and_applies_it_once(server,
                                                                                                   preferred):
    """B's edit reaches the server, and the disk is full when its receipt is to be stored: the
    edit stays dirty and its changeset kept; the next sync sends it again, hears the stored
    receipt, and the server holds the changeset once."""
    pair = preferred
    before = changesets_of(server, pair.b.profile.device_id)
    code = first_item(pair.b, pair.visit_id)
    change_one(pair.b, pair.visit_id, code, "written as the disk filled")
    run = pair.child_sync("push:0")
    assert run.code == 0, run.stderr
    assert run.result["reason"] == "disk_full", run.result
    assert "could not store the sync's bookkeeping" in str(run.result["message"])
    assert run.result["receipts"] == 0
    profile = pair.b.profile
    consistent(pair)
    row = response_row(pair.b, pair.visit_id, code)
    assert row["dirty"] == 1
    kept = meta.get(profile.db, PENDING_KEY)
    assert kept
    # The server applied it: one changeset more, which the next sync must not make two.
    assert changesets_of(server, profile.device_id) == before + 1
    completes_and_matches(server, pair)
    row = response_row(pair.b, pair.visit_id, code)
    assert (row["dirty"], row["note"]) == (0, "written as the disk filled")
    assert not meta.get(profile.db, PENDING_KEY)
    assert changesets_of(server, profile.device_id) == before + 1
    assert not {t for t in sq.pending_counts(profile.db) if t not in engine.OFFICE_TABLES}


def sqlite_error(text: str, code: int) -> sqlite3.OperationalError:
    exc = sqlite3.OperationalError(text)
    exc.sqlite_errorcode = code  # type: ignore[attr-defined]
    return exc


@pytest.mark.parametrize(("exc", "full"), [
    (OSError(errno.ENOSPC, "No space left on device"), True),
    (OSError(errno.EDQUOT, "Disk quota exceeded"), True),
    (OSError(errno.EFBIG, "File too large"), True),
    (sqlite_error("database or disk is full", sqlite3.SQLITE_FULL), True),
    (sqlite_error("disk I/O error", sqlite3.SQLITE_IOERR_WRITE), True),
    (sqlite_error("disk I/O error", sqlite3.SQLITE_IOERR_FSYNC), True),
    # Not a full disk: a permission, a read error of a damaged disk, a busy database, a bug.
    (PermissionError(errno.EACCES, "Permission denied"), False),
    (sqlite_error("disk I/O error", sqlite3.SQLITE_IOERR_READ), False),
    (sqlite_error("database is locked", sqlite3.SQLITE_BUSY), False),
    (sqlite_error("no such table: evidence", sqlite3.SQLITE_ERROR), False),
    (ValueError("not a write"), False),
])
def test_only_a_write_the_disk_refused_is_called_a_full_disk(exc, full, tmp_path):
    failure = write_failure(exc, "the photo 00ff", tmp_path)
    assert (failure is not None) == full
    if failure is not None:
        assert isinstance(failure, DiskFull) and failure.reason == "disk_full"
        assert str(tmp_path) in str(failure) and "could not store the photo 00ff" in str(failure)
        assert EXIT_CODES[failure.reason] == 9
