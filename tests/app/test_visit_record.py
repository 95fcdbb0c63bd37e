"""The canonical visit record, built once (app/visit_record.py) for the laptop and the server.

Built from a table's raw rows (tombstones included, as the server holds them) it must be the
record the laptop hashes, and the hashes of released profiles must not move.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from app.canonical import content_hash
from app.demo import build_demo
from app.profile import DB_NAME, Profile
from app.visit_record import build_visit_record
from app.visits import VisitFilter, clear_item, list_responses, list_visits, visit_record
from db.rows import fetch_all, fetch_one

FIXTURES = Path(__file__).resolve().parents[1] / "db" / "fixtures"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    profile = Profile.open(tmp_path_factory.mktemp("demo") / "profile")
    build_demo(profile, today=date(2026, 11, 24))
    yield profile
    profile.close()


def from_raw_rows(profile: Profile, visit_id: str) -> dict:
    """The record from every row of the visit's tables as stored, deleted ones too."""
    db = profile.db
    visit = fetch_one(db, "SELECT * FROM visits WHERE id = ?", (visit_id,))
    assert visit is not None
    unit = fetch_one(db, "SELECT code FROM units WHERE id = ?", (visit["unit_id"],))
    assert unit is not None

    def rows(table: str) -> list[dict]:
        return fetch_all(db, f"SELECT * FROM {table} WHERE visit_id = ?", (visit_id,))

    members = fetch_all(db, "SELECT m.*, i.name FROM visit_members m JOIN inspectors i ON i.id = m.inspector_id "
                            "WHERE m.visit_id = ? ORDER BY m.rowid", (visit_id,))
    return build_visit_record(visit, unit_code=unit["code"], rubrics=rows("visit_rubrics"), members=members,
                              sections=rows("visit_sections"), responses=rows("responses"),
                              findings=rows("findings"), practices=rows("good_practices"))


def test_raw_rows_give_the_laptops_record_for_every_demo_visit(demo):
    # A cleared answer is a tombstone row: held, synced, and not part of the record.
    visit_id, answered = next((v.id, r) for v in list_visits(demo, VisitFilter(status="in_progress"))
                              for r in list_responses(demo, v.id))
    clear_item(demo, visit_id, rubric_hash=answered.rubric_hash, item_code=answered.item_code)
    assert demo.db.execute("SELECT count(*) FROM responses WHERE deleted = 1").fetchone()[0] >= 1
    visits = list_visits(demo, limit=1000)
    assert len(visits) > 5
    for visit in visits:
        assert from_raw_rows(demo, visit.id) == visit_record(demo, visit.id)
        if visit.content_hash and visit.status in ("finalized", "amended"):
            assert content_hash(from_raw_rows(demo, visit.id)) == visit.content_hash


@pytest.mark.parametrize("fixture", sorted(FIXTURES.glob("level-*.sqlite3")), ids=lambda p: p.name)
def test_released_profiles_keep_their_content_hashes(tmp_path, fixture):
    shutil.copy(fixture, tmp_path / DB_NAME)
    profile = Profile.open(tmp_path)
    try:
        locked = [v for s in ("finalized", "amended") for v in list_visits(profile, VisitFilter(status=s), limit=1000)]
        assert locked
        for visit in locked:
            assert content_hash(visit_record(profile, visit.id)) == visit.content_hash
    finally:
        profile.close()


def _visit() -> dict:
    return {"id": "v", "unit_id": "u", "visit_type": "routine", "starts_on": "2026-11-24", "ends_on": "2026-11-24",
            "team_id": None, "assignment_id": None, "status": "finalized", "rev": "r"}


def test_the_builder_leaves_out_tombstones_and_fixes_every_order():
    record = build_visit_record(
        _visit(), unit_code="DJK001",
        rubrics=[{"rubric_hash": "b", "position": 1}, {"rubric_hash": "a", "position": 0},
                 {"rubric_hash": "c", "position": 2, "deleted": 1}],
        members=[{"inspector_id": "m2", "role": "member", "name": "王德明"},
                 {"inspector_id": "m1", "role": "member", "name": "李秀梅"},
                 {"inspector_id": "x", "role": "member", "name": "张三", "deleted": True},
                 {"inspector_id": "t2", "role": "member", "name": "同名"},
                 {"inspector_id": "t1", "role": "member", "name": "同名"},
                 {"inspector_id": "l", "role": "leader", "name": "张建华"}],
        sections=[{"rubric_hash": "a", "section_code": "B", "inspector_id": "m1"},
                  {"rubric_hash": "a", "section_code": "A", "inspector_id": "m2"}],
        responses=[{"rubric_hash": "a", "item_code": "A.2", "value": '"yes"', "na": 0, "evidence_methods": "[]",
                    "note": "", "reason": "", "deleted": 0},
                   {"rubric_hash": "a", "item_code": "A.10", "value": "3.5", "na": 0,
                    "evidence_methods": '["site"]', "note": "n", "reason": "r", "deleted": 0},
                   {"rubric_hash": "a", "item_code": "A.1", "value": None, "na": 0, "evidence_methods": "[]",
                    "note": "", "reason": "", "deleted": 1}],
        findings=[{"id": "f2", "created_at": "2026-11-24T10:00:00.000+00:00", "rubric_hash": None, "item_code": None,
                   "description": "d2", "requirement": "", "deadline": None, "responsible": "", "severity": "general"},
                  {"id": "f1", "created_at": "2026-11-24T10:00:00.000+00:00", "rubric_hash": None, "item_code": None,
                   "description": "d1", "requirement": "", "deadline": None, "responsible": "", "severity": "major"}],
        practices=[{"id": "p1", "created_at": "2026-11-24T11:00:00.000+00:00", "text": "t", "item_code": None,
                    "deleted": 1}])
    assert record["visit"] == {"id": "v", "unit_id": "u", "unit_code": "DJK001", "visit_type": "routine",
                               "starts_on": "2026-11-24", "ends_on": "2026-11-24", "team_id": None,
                               "assignment_id": None}
    assert record["rubrics"] == ["a", "b"]
    # Leaders first, then by name; equal names keep the order given.
    assert [m["inspector_id"] for m in record["members"]] == ["l", "t2", "t1", "m1", "m2"]
    assert [s["section_code"] for s in record["sections"]] == ["A", "B"]
    assert [(r["item_code"], r["value"], r["na"]) for r in record["responses"]] == [("A.10", 3.5, False),
                                                                                   ("A.2", "yes", False)]
    assert [f["id"] for f in record["findings"]] == ["f1", "f2"]
    assert record["good_practices"] == []
