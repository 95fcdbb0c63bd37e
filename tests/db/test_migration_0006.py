"""Migration 0006 (the profile's table of finalized versions) from every released level.

The present version of each finalized or amended visit becomes a row, as the visit holds it;
versions a server held by the first sync engine's word (kept in meta) become recorded rows, and
an amendment then names the version before it. Earlier versions that were never stored are not
invented.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from app.canonical import content_hash
from app.finalize import amend_response, finalize_visit
from app.paths import DB_NAME
from app.profile import Profile
from app.visits import list_responses, visit_record
from db.connection import integrity_problems
from db.queries import meta
from db.queries import sync as sq
from db.rows import fetch_all

FIXTURES = Path(__file__).parent / "fixtures"
BEFORE_0006 = [p for p in sorted(FIXTURES.glob("level-*.sqlite3")) if p.stem < "level-0006"]


def finalized(path: Path) -> list[dict]:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(
            "SELECT * FROM visits WHERE status IN ('finalized', 'amended') AND content_hash IS NOT NULL")]
    finally:
        conn.close()


def open_copy(fixture: Path, root: Path, held: dict | None = None) -> Profile:
    root.mkdir()
    shutil.copy(fixture, root / DB_NAME)
    if held is not None:
        conn = sqlite3.connect(root / DB_NAME)
        conn.execute("INSERT INTO meta (key, value) VALUES ('sync.finalized_versions', ?)", (json.dumps(held),))
        conn.commit()
        conn.close()
    return Profile.open(root)


def amend_note(profile: Profile, visit_id: str) -> None:
    """An amendment that changes an answer's note alone: any answered item can take it."""
    answer = next(r for r in list_responses(profile, visit_id) if r.value is not None or r.na)
    amend_response(profile, visit_id, rubric_hash=answer.rubric_hash, item_code=answer.item_code,
                   value=answer.value, na=answer.na, note=(answer.note or "") + " (re-checked)",
                   reason_for_change="re-checked on site")


@pytest.mark.parametrize("fixture", BEFORE_0006, ids=lambda p: p.name)
def test_every_finalized_visit_keeps_its_present_version_and_nothing_is_invented(tmp_path, fixture):
    before = finalized(fixture)
    assert before, "the fixture has finalized visits to carry"
    profile = open_copy(fixture, tmp_path / "p")
    try:
        rows = fetch_all(profile.db, "SELECT * FROM finalized_versions ORDER BY visit_id")
        # Numbered as the visit now is (levels before 0003 count their audit entries).
        numbers = dict(profile.db.execute("SELECT id, amendment_no FROM visits").fetchall())
        assert [(r["visit_id"], r["amendment_no"], r["content_hash"]) for r in rows] == \
            sorted((v["id"], numbers[v["id"]], v["content_hash"]) for v in before)
        by_id = {v["id"]: v for v in before}
        for r in rows:
            visit = by_id[r["visit_id"]]
            # Never synced: pending; what an amendment replaced was never stored.
            assert (r["status"], r["replaces"], r["score_total"]) == ("pending", None, None)
            amended_at = profile.db.execute("SELECT amended_at FROM visits WHERE id = ?", (r["visit_id"],)).fetchone()[0]
            assert r["finalized_at"] == (amended_at or visit["finalized_at"])
            # The row is the visit's present content.
            assert content_hash(visit_record(profile, r["visit_id"])) == r["content_hash"]
        assert integrity_problems(profile.db) == []
    finally:
        profile.close()


def test_versions_a_server_held_become_recorded_rows_and_chain(tmp_path):
    fixture = FIXTURES / "level-0005.sqlite3"
    visits = finalized(fixture)
    amended = next(v for v in visits if v["amendment_no"] >= 1)
    plain = next(v for v in visits if v["amendment_no"] == 0)
    earlier = "ab" * 32
    held = {amended["id"]: {str(amended["amendment_no"] - 1): earlier},
            plain["id"]: {"0": plain["content_hash"]}}
    profile = open_copy(fixture, tmp_path / "p", held)
    try:
        assert meta.get(profile.db, "sync.finalized_versions") is None  # moved, not left behind
        chain = sq.versions_of(profile.db, amended["id"])
        assert [(r["amendment_no"], r["content_hash"], r["replaces"], r["status"]) for r in chain] == [
            (amended["amendment_no"] - 1, earlier, None, "recorded"),
            (amended["amendment_no"], amended["content_hash"], earlier, "pending")]
        [only] = sq.versions_of(profile.db, plain["id"])
        assert (only["status"], only["content_hash"]) == ("recorded", plain["content_hash"])
        # The amendment made now names the present version as the one it replaces.
        amend_note(profile, plain["id"])
        versions = sq.versions_of(profile.db, plain["id"])
        assert [(r["amendment_no"], r["replaces"], r["status"]) for r in versions] == [
            (0, None, "recorded"), (1, plain["content_hash"], "pending")]
        assert versions[1]["content_hash"] == content_hash(visit_record(profile, plain["id"]))
    finally:
        profile.close()


def test_finalize_and_each_amendment_keep_their_version_with_the_stated_score(tmp_path):
    profile = open_copy(FIXTURES / "level-0006.sqlite3", tmp_path / "p")
    try:
        draft = profile.db.execute("SELECT id FROM visits WHERE status = 'in_progress' AND deleted = 0 "
                                   "ORDER BY id LIMIT 1").fetchone()[0]
        digest = finalize_visit(profile, draft, accept_gaps=True).id
        [first] = sq.versions_of(profile.db, draft)
        assert (first["amendment_no"], first["content_hash"], first["replaces"], first["status"]) == \
            (0, digest, None, "pending")
        assert first["score_total"] is not None and first["score_maximum"] is not None
        amend_note(profile, draft)
        second = sq.versions_of(profile.db, draft)[1]
        assert (second["amendment_no"], second["replaces"]) == (1, digest)
        assert second["content_hash"] == content_hash(visit_record(profile, draft)) != digest
    finally:
        profile.close()
