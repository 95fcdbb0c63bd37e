from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from app.errors import ProfileError
from app.paths import DB_NAME
from app.profile import Profile
from db.connection import integrity_problems, open_database
from db.errors import CorruptDatabase, NotWritable, SchemaTooNew
from db.migrations import MIGRATIONS, known_names

FIXTURES = Path(__file__).parent / "fixtures"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_migrations_apply_from_empty(tmp_path):
    db = open_database(tmp_path / "x.sqlite3")
    assert {m.name for m in MIGRATIONS.applied(db)} == known_names()
    assert MIGRATIONS.pending(db) == []
    tables = set(db.table_names())
    for expected in ("admin_areas", "units", "inspectors", "teams", "rubric_templates", "campaigns",
                     "assignments", "visits", "visit_rubrics", "visit_sections", "responses", "findings",
                     "finding_events", "good_practices", "evidence", "signatures", "audit_log",
                     "sync_receipts", "meta", "finalized_versions", "offloaded_blobs"):
        assert expected in tables
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert integrity_problems(db) == []


def test_reopening_applies_nothing_twice(tmp_path):
    path = tmp_path / "x.sqlite3"
    open_database(path).conn.close()
    db = open_database(path)
    assert len(MIGRATIONS.applied(db)) == len(known_names())


@pytest.mark.parametrize("fixture", sorted(FIXTURES.glob("level-*.sqlite3")), ids=lambda p: p.name)
def test_released_schema_levels_upgrade_cleanly(tmp_path, fixture):
    path = tmp_path / DB_NAME
    shutil.copy(fixture, path)
    db = open_database(path)
    assert MIGRATIONS.pending(db) == []
    assert integrity_problems(db) == []
    # The data the fixture was made with is still there.
    assert db.execute("SELECT count(*) FROM units").fetchone()[0] >= 1


def test_there_is_a_fixture_for_every_released_level():
    levels = {int(p.stem.split("-")[1]) for p in FIXTURES.glob("level-*.sqlite3")}
    assert levels == set(range(1, len(known_names()) + 1))


def test_database_from_a_newer_version_is_refused_and_left_unchanged(tmp_path):
    path = tmp_path / "x.sqlite3"
    db = open_database(path)
    db.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('fieldmark', '9999_future', 'x')")
    db.conn.commit()
    db.conn.close()
    before = digest(path)
    with pytest.raises(SchemaTooNew, match="newer version of Fieldmark"):
        open_database(path)
    assert digest(path) == before


def test_corrupt_file_gives_a_clear_error_and_is_never_overwritten(tmp_path):
    path = tmp_path / "x.sqlite3"
    path.write_bytes(b"this is not a database at all" * 100)
    before = digest(path)
    with pytest.raises(CorruptDatabase, match=str(path)):
        open_database(path)
    assert digest(path) == before


def test_damaged_sqlite_file_is_reported_not_overwritten(tmp_path):
    path = tmp_path / "x.sqlite3"
    open_database(path).conn.close()
    raw = bytearray(path.read_bytes())
    raw[100:4096] = b"\xff" * (4096 - 100)  # smash the first page after the header
    path.write_bytes(bytes(raw))
    before = digest(path)
    with pytest.raises(CorruptDatabase, match="damaged"):
        open_database(path)
    assert digest(path) == before


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(NotWritable, match="does not exist"):
        open_database(tmp_path / "nowhere" / "x.sqlite3")


def test_rubric_templates_are_immutable(tmp_path):
    db = open_database(tmp_path / "x.sqlite3")
    db.execute("INSERT INTO rubric_templates VALUES ('h', 'r', '1', 'a', 'b', '{}', 'now')")
    with pytest.raises(sqlite3.IntegrityError, match="immutable"):
        db.execute("UPDATE rubric_templates SET version = '2'")


def test_profile_open_wraps_storage_errors(tmp_path):
    root = tmp_path / "p"
    root.mkdir()
    (root / DB_NAME).write_bytes(b"garbage" * 10)
    with pytest.raises(ProfileError, match="not a Fieldmark database"):
        Profile.open(root)
