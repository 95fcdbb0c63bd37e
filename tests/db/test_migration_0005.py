"""Migration 0005 (the sync model) carries every value of every released level across.

Each fixture is read as it was (plain sqlite3, the old shape), upgraded by opening it as a
profile, and every row is looked for in the new shape with the same values.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from app.canonical import content_hash
from app.paths import DB_NAME
from app.profile import Profile
from app.sync.ids import derived_key, response_key
from app.visits import visit_record
from db.codes import SYNCED_TABLES
from db.connection import integrity_problems, open_database
from db.queries import evidence as eq
from db.queries import findings as fq

FIXTURES = Path(__file__).parent / "fixtures"
BEFORE_0005 = [p for p in sorted(FIXTURES.glob("level-*.sqlite3")) if p.stem < "level-0005"]
LINKS = {
    "team_members": (("team_id", "inspector_id"), "teams", "team_id"),
    "visit_rubrics": (("visit_id", "rubric_hash"), "visits", "visit_id"),
    "visit_members": (("visit_id", "inspector_id"), "visits", "visit_id"),
    "visit_sections": (("visit_id", "rubric_hash", "section_code"), "visits", "visit_id"),
}


def read_all(path: Path, table: str) -> list[dict]:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(f"SELECT * FROM {table}")]
    finally:
        conn.close()


def old_level(path: Path) -> dict[str, list[dict]]:
    tables = ["responses", "findings", "finding_events", "evidence", "visits", "teams", *LINKS]
    return {t: read_all(path, t) for t in tables}


@pytest.fixture(params=BEFORE_0005, ids=lambda p: p.name)
def upgraded(request, tmp_path):
    """(the rows as the fixture held them, the upgraded profile)."""
    root = tmp_path / "profile"
    root.mkdir()
    shutil.copy(request.param, root / DB_NAME)
    before = old_level(root / DB_NAME)
    profile = Profile.open(root)
    yield before, profile
    profile.close()


def test_every_answer_keeps_its_values_under_the_key_every_laptop_gives_it(upgraded):
    before, profile = upgraded
    assert before["responses"]
    after = {r["id"]: r for r in read_all(profile.root / DB_NAME, "responses")}
    assert len(after) == len(before["responses"])
    for old in before["responses"]:
        key = response_key(old["visit_id"], old["rubric_hash"], old["item_code"])
        new = after[key]
        assert {k: v for k, v in new.items() if k not in ("id", "base_rev")} == \
            {k: v for k, v in old.items() if k != "id"}
        assert new["base_rev"] == (old["rev"] if old["dirty"] == 0 else None)


@pytest.mark.parametrize("table", sorted(LINKS))
def test_link_rows_become_synced_rows_with_derived_keys(upgraded, table):
    before, profile = upgraded
    columns, parent_table, parent_column = LINKS[table]
    parents = {p["id"]: p for p in before[parent_table]}
    after = {r["id"]: r for r in read_all(profile.root / DB_NAME, table)}
    assert len(after) == len(before[table])
    for old in before[table]:
        new = after[derived_key(table, *(old[c] for c in columns))]
        assert {k: new[k] for k in old} == old
        parent = parents[old[parent_column]]
        # Written in one action with their team or visit, they carry its revision, and are
        # dirty: no server has seen them as rows yet.
        assert (new["rev"], new["device_id"], new["dirty"], new["deleted"], new["base_rev"]) == \
            (parent["rev"], parent["device_id"], 1, 0, None)


def test_a_findings_status_is_its_events_and_says_what_was_stored(upgraded):
    before, profile = upgraded
    assert before["findings"]
    columns = {r[1] for r in profile.db.execute("PRAGMA table_info(findings)")}
    assert "status" not in columns
    for old in before["findings"]:
        new = fq.get_finding(profile.db, old["id"]) if not old["deleted"] else None
        if new is None:
            continue
        assert new["status"] == old["status"]
        assert {k: new[k] for k in old if k != "status"} == {k: v for k, v in old.items() if k != "status"}
    # The fixtures' statuses all matched their events: no event was invented.
    assert len(read_all(profile.root / DB_NAME, "finding_events")) == len(before["finding_events"])


def test_every_part_of_every_photo_moves_to_its_own_row(upgraded):
    before, profile = upgraded
    parts = ("caption", "annotations", "rubric_hash", "item_code", "finding_id", "position")
    assert len(read_all(profile.root / DB_NAME, "evidence")) == len(before["evidence"])
    for old in before["evidence"]:
        new = eq.get_evidence(profile.db, old["id"])
        assert new is not None
        assert {k: new[k] for k in old} == {**old, "annotations": old.get("annotations")}
        for table in ("evidence_captions", "evidence_annotations", "evidence_links", "evidence_positions"):
            row = profile.db.execute(f"SELECT id, rev, dirty FROM {table} WHERE evidence_id = ?",
                                     (old["id"],)).fetchone()
            assert row == (derived_key(table, old["id"]), old["rev"], 1)
        assert set(parts) <= set(new)
    if before["evidence"]:
        captions = [e["caption"] for e in before["evidence"] if e["caption"]]
        assert captions, "the fixture has captioned photos to carry"


def test_finalized_visits_hash_as_they_were_finalized(upgraded):
    before, profile = upgraded
    locked = [v for v in before["visits"] if v["status"] in ("finalized", "amended")]
    assert locked
    for visit in locked:
        assert content_hash(visit_record(profile, visit["id"])) == visit["content_hash"]


def test_every_synced_table_has_a_base_revision_and_a_dirty_index(upgraded):
    _, profile = upgraded
    assert integrity_problems(profile.db) == []
    indexes = {r[0] for r in profile.db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    for table in SYNCED_TABLES:
        columns = {r[1] for r in profile.db.execute(f"PRAGMA table_info({table})")}
        assert {"id", "rev", "device_id", "dirty", "deleted", "base_rev"} <= columns, table
        assert f"{table}_dirty" in indexes
    assert "sync_conflicts" in profile.db.table_names()


def test_a_stored_status_the_events_do_not_say_becomes_an_event(tmp_path):
    # A finding whose stored status disagrees with its history (written by an older build or by
    # hand) and one with no history at all: the stored status is what the inspector saw, so it
    # survives as the latest event.
    path = tmp_path / DB_NAME
    shutil.copy(FIXTURES / "level-0004.sqlite3", path)
    conn = sqlite3.connect(path)
    drifted, bare = [r[0] for r in conn.execute("SELECT id FROM findings WHERE deleted = 0 ORDER BY id LIMIT 2")]
    conn.execute("UPDATE findings SET status = 'verified' WHERE id = ?", (drifted,))
    conn.execute("UPDATE findings SET status = 'reported_fixed' WHERE id = ?", (bare,))
    conn.execute("DELETE FROM finding_events WHERE finding_id = ?", (bare,))
    conn.commit()
    conn.close()
    db = open_database(path)
    assert fq.get_finding(db, drifted)["status"] == "verified"
    assert fq.get_finding(db, bare)["status"] == "reported_fixed"
    added = db.execute("SELECT dirty, base_rev FROM finding_events WHERE finding_id = ? ORDER BY at DESC, rev DESC",
                       (drifted,)).fetchone()
    assert added == (1, None)
    assert integrity_problems(db) == []
