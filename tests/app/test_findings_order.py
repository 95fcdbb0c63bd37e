"""Findings and good practices list in the order this laptop made them, by revision stamp: a clock
set back between two of them does not put the later first, and a finding rewritten later (a
person's choice in a conflict writes the row again) keeps its place."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import app.profile
from app.findings import (
    add_finding,
    add_good_practice,
    list_findings,
    list_good_practices,
    open_findings_of_unit,
)
from app.visits import NewVisit, create_visit
from db import rows

HOUR = timedelta(hours=1)


def set_clock(monkeypatch: pytest.MonkeyPatch, profile: app.profile.Profile, shift: timedelta) -> None:
    """The laptop's wall clock, ``shift`` from the true time: its stamps and the times it writes."""
    profile.clock._now = lambda: int((datetime.now(UTC) + shift).timestamp() * 1000)
    monkeypatch.setattr(app.profile, "utc_now",
                        lambda: (datetime.now(UTC) + shift).isoformat(timespec="milliseconds"))


@pytest.fixture
def visit_id(seeded) -> str:
    return create_visit(seeded.profile, NewVisit(unit_id=seeded.unit_id, visit_type="routine",
                                                 starts_on="2026-11-20", rubric_hashes=[seeded.rubric_hash],
                                                 team_id=seeded.team_id)).id


def test_a_clock_set_back_between_two_findings_keeps_them_in_the_order_made(seeded, visit_id, monkeypatch):
    p = seeded.profile
    first = add_finding(p, visit_id, description="消防通道堆放杂物", deadline="2026-12-01").id
    first_practice = add_good_practice(p, visit_id, "安全台账齐全").id
    set_clock(monkeypatch, p, -3 * HOUR)
    second = add_finding(p, visit_id, description="灭火器过期", deadline="2026-12-01").id
    second_practice = add_good_practice(p, visit_id, "晨检记录完整").id
    by_id = {f.id: f for f in list_findings(p, visit_id)}
    assert by_id[second].created_at < by_id[first].created_at

    assert [f.id for f in list_findings(p, visit_id)] == [first, second]
    assert [g.id for g in list_good_practices(p, visit_id)] == [first_practice, second_practice]
    # The unit's open findings: by deadline, then in the order made.
    assert [f.id for f in open_findings_of_unit(p, seeded.unit_id)] == [first, second]


def test_a_finding_written_again_later_keeps_its_place(seeded, visit_id):
    p = seeded.profile
    first = add_finding(p, visit_id, description="消防通道堆放杂物").id
    second = add_finding(p, visit_id, description="灭火器过期").id
    with p.transaction() as tx:  # as a person's choice between two versions writes it
        rows.update(tx.db, "findings", first, {"description": "消防通道堆放杂物（已核实）"}, tx.meta)
    assert p.db.execute("SELECT rev FROM findings WHERE id = ?", (first,)).fetchone()[0] > \
        p.db.execute("SELECT rev FROM findings WHERE id = ?", (second,)).fetchone()[0]
    assert [f.id for f in list_findings(p, visit_id)] == [first, second]
