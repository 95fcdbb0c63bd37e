"""Backups of the profile database: consistent, kept to N, safe on a full disk; restore refuses
what is not a healthy Fieldmark database and keeps the current one first."""

from __future__ import annotations

import hashlib
import json
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.backups import (
    BackupFailed,
    daily_backup,
    list_backups,
    make_backup,
    restore,
)
from app.paths import DB_NAME
from app.profile import DEVICE_KEY, PREVIOUS_DEVICES_KEY, Profile
from app.settings import set_setting
from db.queries import meta
from tests.conftest import insert_row

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "db" / "fixtures"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cli(*args: str, limit: int | None = None) -> subprocess.CompletedProcess:
    def cap() -> None:  # in the child only: a file-size cap stands for a full disk
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run([sys.executable, "-m", "app.cli", *args], capture_output=True, text=True,
                          timeout=120, cwd=ROOT, preexec_fn=cap if limit else None)


def count(path: Path, table: str) -> int:
    conn = sqlite3.connect(str(path))
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


def test_backup_is_named_by_time_checked_and_self_contained(seeded, data_dir):
    path = make_backup(data_dir, seeded.profile.db.conn, now=datetime(2026, 11, 24, 8, 5, 9, tzinfo=UTC))
    assert path == data_dir / "backups" / "fieldmark-20261124-080509.sqlite3"
    assert count(path, "units") == 1
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no -wal, no partial
    again = make_backup(data_dir, seeded.profile.db.conn, now=datetime(2026, 11, 24, 8, 5, 9, tzinfo=UTC))
    assert again.name == "fieldmark-20261124-080509-2.sqlite3"
    assert list_backups(data_dir) == [path, again]  # in the order they were made


def test_backup_during_writes_is_one_committed_state(profile, data_dir):
    profile.db.conn.execute("CREATE TABLE pairs (n INTEGER, side TEXT)")
    writer = sqlite3.connect(str(data_dir / DB_NAME), check_same_thread=False)
    writer.execute("PRAGMA busy_timeout=5000")
    stop = threading.Event()

    def write() -> None:
        n = 0
        while not stop.is_set():
            with writer:  # each pair commits together
                writer.execute("INSERT INTO pairs VALUES (?, 'a')", (n,))
                writer.execute("INSERT INTO pairs VALUES (?, 'b')", (n,))
            n += 1

    thread = threading.Thread(target=write)
    thread.start()
    try:
        copies = [make_backup(data_dir, profile.db.conn,
                              now=datetime(2026, 11, 24, tzinfo=UTC) + timedelta(seconds=i)) for i in range(5)]
    finally:
        stop.set()
        thread.join()
        writer.close()
    rows = []
    for copy in copies:
        conn = sqlite3.connect(str(copy))
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        a, b = (conn.execute("SELECT count(*) FROM pairs WHERE side = ?", (s,)).fetchone()[0] for s in "ab")
        conn.close()
        assert a == b  # never half a transaction
        rows.append(a)
    assert rows == sorted(rows)


def test_only_the_last_n_are_kept(profile, data_dir):
    set_setting(profile, "backups_kept", 3)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    made = [make_backup(data_dir, profile.db.conn, now=start + timedelta(days=i)) for i in range(5)]
    assert list_backups(data_dir) == made[2:]


def test_daily_backup_only_when_the_newest_is_a_day_old(seeded, data_dir):
    conn = seeded.profile.db.conn
    first = daily_backup(data_dir, conn)
    assert first is not None
    assert daily_backup(data_dir, conn) is None
    later = datetime.now(UTC) + timedelta(days=1, minutes=1)
    assert daily_backup(data_dir, conn, now=later) is not None
    assert len(list_backups(data_dir)) == 2


def test_fresh_profile_has_nothing_to_back_up_daily(tmp_path):
    conn = sqlite3.connect(str(tmp_path / "empty.sqlite3"))
    assert daily_backup(tmp_path, conn) is None
    assert not (tmp_path / "backups").exists()


def test_full_disk_leaves_no_partial_file_and_says_so(tmp_path):
    root = tmp_path / "p"
    assert cli("demo", "--data-dir", str(root), "--today", "2026-11-24").returncode == 0
    size = (root / DB_NAME).stat().st_size
    before = digest(root / DB_NAME)
    done = cli("backup", "--data-dir", str(root), limit=size // 2)
    assert done.returncode == 1, done.stdout + done.stderr
    # A full disk reads as SQLITE_FULL, a file-size cap (this test) as an I/O error.
    assert done.stderr.startswith(("fieldmark: backup not made: the disk is full",
                                   "fieldmark: backup not made: the disk could not be written")), done.stderr
    assert "No partial file was left" in done.stderr
    assert list((root / "backups").iterdir()) == []
    assert digest(root / DB_NAME) == before


@pytest.mark.parametrize("level", [3, 7])
def test_backup_before_migration_only_when_one_is_pending(tmp_path, level):
    root = tmp_path / "p"
    root.mkdir()
    shutil.copy(FIXTURES / f"level-{level:04d}.sqlite3", root / DB_NAME)
    Profile.open(root).close()
    backups = list_backups(root)
    assert len(backups) == 1
    conn = sqlite3.connect(str(backups[0]))
    names = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
    conn.close()
    assert len(names) == level
    Profile.open(root).close()  # up to date now: no second backup
    assert len(list_backups(root)) == 1


def test_no_migration_backup_for_a_new_or_current_profile(tmp_path):
    root = tmp_path / "p"
    Profile.open(root).close()
    Profile.open(root).close()
    assert list_backups(root) == []


def test_failed_migration_backup_stops_the_upgrade(tmp_path):
    root = tmp_path / "p"
    root.mkdir()
    shutil.copy(FIXTURES / "level-0005.sqlite3", root / DB_NAME)
    (root / "backups").write_text("a file where the folder goes")
    before = digest(root / DB_NAME)
    with pytest.raises(BackupFailed, match="backup not made"):
        Profile.open(root)
    assert digest(root / DB_NAME) == before
    (root / "backups").unlink()
    Profile.open(root).close()  # the lock was released


@pytest.mark.parametrize("content", [b"not a database at all" * 10, "sqlite-other", "damaged"])
def test_restore_refuses_what_is_not_a_healthy_fieldmark_database(seeded, data_dir, tmp_path, content):
    seeded.profile.close()
    bad = tmp_path / "bad.sqlite3"
    if content == "sqlite-other":
        conn = sqlite3.connect(str(bad))
        conn.execute("CREATE TABLE t (x)")
        conn.commit()
        conn.close()
    elif content == "damaged":
        shutil.copy(FIXTURES / "level-0008.sqlite3", bad)
        data = bytearray(bad.read_bytes())
        data[4096 * 2 + 100: 4096 * 2 + 4000] = b"\xff" * 3900  # overwrite a table page
        bad.write_bytes(bytes(data))
    else:
        bad.write_bytes(content)
    before = digest(data_dir / DB_NAME)
    with pytest.raises(BackupFailed, match="nothing was changed"):
        restore(data_dir, bad)
    assert digest(data_dir / DB_NAME) == before
    assert list_backups(data_dir) == []


def test_restore_keeps_the_current_database_and_gives_a_copy_a_new_device(seeded, data_dir, tmp_path):
    other = tmp_path / "other"  # another installation: another folder
    with Profile.open(other) as theirs:
        insert_row(theirs, "teams", name="第二督导组")
        their_device = theirs.device_id
    our_device = seeded.profile.device_id
    seeded.profile.close()
    kept = restore(data_dir, other / DB_NAME)
    assert kept is not None and count(kept, "units") == 1  # our data, kept as a backup
    with Profile.open(data_dir) as restored:
        assert restored.db.execute("SELECT count(*) FROM units").fetchone()[0] == 0
        assert restored.device_id not in (their_device, our_device)
        assert json.loads(meta.get(restored.db, PREVIOUS_DEVICES_KEY)) == [their_device]
        assert meta.get(restored.db, DEVICE_KEY) == restored.device_id
    # Back again from the kept backup: this installation's own data, all there.
    restore(data_dir, kept)
    with Profile.open(data_dir) as back:
        assert back.db.execute("SELECT count(*) FROM units").fetchone()[0] == 1


def test_restore_refused_while_the_profile_is_open(seeded, data_dir, tmp_path):
    copy = make_backup(data_dir, seeded.profile.db.conn)
    before = digest(data_dir / DB_NAME)
    with pytest.raises(Exception, match="already open"):
        restore(data_dir, copy)
    assert digest(data_dir / DB_NAME) == before
    assert list_backups(data_dir) == [copy]


def test_cli_backup_and_restore(tmp_path):
    root = tmp_path / "p"
    assert cli("demo", "--data-dir", str(root), "--today", "2026-11-24").returncode == 0
    done = cli("backup", "--data-dir", str(root))
    assert done.returncode == 0, done.stderr
    made = list_backups(root)[0]
    assert str(made) in done.stdout
    done = cli("restore", str(made), "--data-dir", str(root))
    assert done.returncode == 0, done.stderr
    assert "previous database is kept as" in done.stdout
    assert len(list_backups(root)) == 2
    done = cli("restore", str(tmp_path / "missing.sqlite3"), "--data-dir", str(root))
    assert done.returncode == 1 and done.stderr.startswith("fieldmark: "), done.stderr


@pytest.mark.skipif("tmpfs" not in __import__("tests.server.full_disk", fromlist=["disk_modes"]).disk_modes(),
                    reason="mounting a small tmpfs needs root (the file-size cap test above covers the rest)")
def test_really_full_disk_says_the_disk_is_full(seeded, data_dir):
    from tests.server.full_disk import small_disk

    with small_disk(data_dir / "backups", 64 * 1024, mode="tmpfs") as disk:
        seeded.profile.db.conn.execute("CREATE TABLE ballast (b BLOB)")
        seeded.profile.db.conn.execute("INSERT INTO ballast VALUES (zeroblob(400000))")
        seeded.profile.db.conn.commit()
        with pytest.raises(BackupFailed, match="the disk is full; free some space") as caught:
            make_backup(data_dir, seeded.profile.db.conn)
        assert "No partial file was left" in str(caught.value)
        assert list(disk.path.iterdir()) == []
