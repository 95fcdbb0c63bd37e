"""Migration 0008 (a finding's event log may say "plan received") from every level.

Every earlier level keeps each finding event as it was (status, note, time, revision, dirty
flag), its derived statuses do not change, and afterwards the log takes ``plan_received``,
which the schema refused before.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from app.findings import add_finding, finding_history, list_findings, set_finding_status
from app.paths import DB_NAME
from app.profile import Profile
from db.connection import integrity_problems
from db.queries.findings import STATUS

FIXTURES = Path(__file__).parent / "fixtures"
LEVELS = sorted(FIXTURES.glob("level-*.sqlite3"))
EVENT_COLUMNS = "id, finding_id, visit_id, status, note, at, by_inspector, rev, device_id, dirty, deleted"


def _events(path: Path) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"SELECT {EVENT_COLUMNS} FROM finding_events ORDER BY id").fetchall()
    finally:
        conn.close()


def _statuses(path: Path) -> dict[str, str]:
    conn = sqlite3.connect(path)
    try:
        if "status" in {r[1] for r in conn.execute("PRAGMA table_info(findings)")}:
            return dict(conn.execute("SELECT id, status FROM findings").fetchall())
        return dict(conn.execute(f"SELECT f.id, {STATUS} FROM findings f").fetchall())
    finally:
        conn.close()


@pytest.mark.parametrize("fixture", LEVELS, ids=lambda p: p.name)
def test_every_level_keeps_its_events_and_statuses(tmp_path, fixture):
    before_statuses = _statuses(fixture)
    level = int(fixture.stem.split("-")[1])
    before = _events(fixture) if level >= 5 else None
    shutil.copy(fixture, tmp_path / DB_NAME)
    with Profile.open(tmp_path) as profile:
        assert integrity_problems(profile.db) == []
        statuses = dict(profile.db.execute(f"SELECT f.id, {STATUS} FROM findings f").fetchall())
    assert statuses == before_statuses
    if before is not None:
        # From 0005 on the log is the status: every event is copied as it was.
        assert _events(tmp_path / DB_NAME) == before


def test_the_log_takes_plan_received_after_0008_and_refused_it_before(tmp_path):
    shutil.copy(FIXTURES / "level-0007.sqlite3", tmp_path / "old.sqlite3")
    old = sqlite3.connect(tmp_path / "old.sqlite3")
    finding, rev = old.execute("SELECT finding_id, rev FROM finding_events LIMIT 1").fetchone()
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        old.execute("INSERT INTO finding_events (id, finding_id, status, at, rev, device_id) "
                    "VALUES ('x', ?, 'plan_received', '2026-11-27T00:00:00.000+00:00', ?, 'd')", (finding, rev))
    old.close()

    shutil.copy(FIXTURES / "level-0007.sqlite3", tmp_path / DB_NAME)
    with Profile.open(tmp_path) as profile:
        visit_id = profile.db.execute("SELECT id FROM visits WHERE status = 'in_progress' LIMIT 1").fetchone()[0]
        new = add_finding(profile, visit_id, description="消防通道堆放杂物", deadline="2026-12-31").id
        set_finding_status(profile, new, "plan_received", note="学校已报送整改方案。")
        assert [f.status for f in list_findings(profile, visit_id) if f.id == new] == ["plan_received"]
        assert [e.status for e in finding_history(profile, new)] == ["open", "plan_received"]
        dirty = profile.db.execute("SELECT dirty FROM finding_events WHERE finding_id = ? AND status = ?",
                                   (new, "plan_received")).fetchone()[0]
    assert dirty == 1
