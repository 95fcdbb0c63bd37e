"""Migration 0007 (the profile's table of originals offloaded to the server) from every level.

Every earlier level gains the empty table and keeps each of its rows; a profile at 0007 keeps
what it recorded.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from app.paths import DB_NAME
from app.profile import Profile
from db.connection import integrity_problems
from db.queries import offload as oq

FIXTURES = Path(__file__).parent / "fixtures"
LEVELS = sorted(FIXTURES.glob("level-*.sqlite3"))


def row_counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                             "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '\\_%' ESCAPE '\\'")]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        conn.close()


@pytest.mark.parametrize("fixture", LEVELS, ids=lambda p: p.name)
def test_every_level_gains_the_table_and_keeps_its_rows(tmp_path, fixture):
    before = row_counts(fixture)
    shutil.copy(fixture, tmp_path / DB_NAME)
    with Profile.open(tmp_path) as profile:
        assert oq.offloaded(profile.db) == {}
        assert integrity_problems(profile.db) == []
        evidence = profile.db.execute("SELECT count(*) FROM evidence").fetchone()[0]
    after = row_counts(tmp_path / DB_NAME)
    assert after["offloaded_blobs"] == 0
    # Later migrations reshape some tables (0005 splits the photo rows' parts), never lose a photo.
    assert evidence == before["evidence"]
    assert after["units"] > 0
    for table in ("units", "visits", "responses", "findings", "signatures", "audit_log"):
        assert after[table] == before[table], table


def test_what_a_0007_profile_recorded_is_kept_on_reopening(tmp_path):
    shutil.copy(FIXTURES / "level-0007.sqlite3", tmp_path / DB_NAME)
    sha = "ab" * 32
    with Profile.open(tmp_path) as profile, profile.db.atomic():
        oq.record(profile.db, sha, 1234, "2026-11-27T20:00:00Z")
    with Profile.open(tmp_path) as profile:
        assert oq.offloaded(profile.db) == {sha: 1234}


def test_a_bad_hash_is_refused_by_the_table(tmp_path):
    with Profile.open(tmp_path) as profile, pytest.raises(sqlite3.IntegrityError), profile.db.atomic():
        oq.record(profile.db, "short", 1, "now")
