from __future__ import annotations

import pytest

from app.errors import InvalidAnswer
from app.findings import (
    add_finding,
    close_finding,
    finding_history,
    list_findings,
    open_findings_of_unit,
    set_finding_status,
)
from app.visits import NewVisit, create_visit


def visit(s):
    return create_visit(s.profile, NewVisit(unit_id=s.unit_id, visit_type="routine", starts_on="2026-11-20",
                                            rubric_hashes=[s.rubric_hash], team_id=s.team_id)).id


def test_add_and_close_a_finding_keeps_its_history(seeded):
    vid = visit(seeded)
    created = add_finding(seeded.profile, vid, description="实验室危化品未双人双锁", requirement="立即整改",
                          deadline="2026-12-01", responsible="分管副校长", severity="major",
                          rubric_hash=seeded.rubric_hash, item_code="A1")
    assert created.changes.findings
    [f] = list_findings(seeded.profile, vid)
    assert (f.status, f.severity, f.deadline, f.item_code) == ("open", "major", "2026-12-01", "A1")
    assert [x.id for x in open_findings_of_unit(seeded.profile, seeded.unit_id)] == [f.id]
    later = visit(seeded)
    set_finding_status(seeded.profile, f.id, "reported_fixed", note="学校报告已整改")
    set_finding_status(seeded.profile, f.id, "verified", visit_id=later)
    close_finding(seeded.profile, f.id, note="销号")
    assert [e.status for e in finding_history(seeded.profile, f.id)] == ["open", "reported_fixed", "verified", "closed"]
    assert open_findings_of_unit(seeded.profile, seeded.unit_id) == []


def test_a_fix_made_on_site_closes_at_once(seeded):
    vid = visit(seeded)
    fid = add_finding(seeded.profile, vid, description="通道堆放杂物", fixed_on_site=True).id
    assert list_findings(seeded.profile, vid)[0].status == "fixed_on_site"
    assert open_findings_of_unit(seeded.profile, seeded.unit_id) == []
    set_finding_status(seeded.profile, fid, "reopened")
    assert [f.id for f in open_findings_of_unit(seeded.profile, seeded.unit_id)] == [fid]


@pytest.mark.parametrize("kw, message", [
    ({"description": "  "}, "description"),
    ({"description": "x", "severity": "catastrophic"}, "severity"),
    ({"description": "x", "deadline": "next week"}, "deadline"),
    ({"description": "x", "rubric_hash": "deadbeef"}, "not pinned"),
])
def test_bad_findings_are_refused(seeded, kw, message):
    vid = visit(seeded)
    with pytest.raises(InvalidAnswer, match=message):
        add_finding(seeded.profile, vid, **kw)
    assert list_findings(seeded.profile, vid) == []


def test_status_moves_follow_the_rectification_loop(seeded):
    fid = add_finding(seeded.profile, visit(seeded), description="x").id
    close_finding(seeded.profile, fid)
    with pytest.raises(InvalidAnswer, match="cannot become"):
        set_finding_status(seeded.profile, fid, "verified")


def test_the_office_plan_and_follow_ups_that_find_it_not_fixed(seeded):
    fid = add_finding(seeded.profile, visit(seeded), description="食堂留样记录不全", deadline="2026-12-01").id
    set_finding_status(seeded.profile, fid, "plan_received", note="学校已报送整改方案")
    assert [f.status for f in open_findings_of_unit(seeded.profile, seeded.unit_id)] == ["plan_received"]
    # A follow-up that finds it not fixed says so each time, whatever the state short of fixed.
    set_finding_status(seeded.profile, fid, "reopened", visit_id=visit(seeded))
    set_finding_status(seeded.profile, fid, "reopened", visit_id=visit(seeded))
    set_finding_status(seeded.profile, fid, "reported_fixed")
    with pytest.raises(InvalidAnswer, match="cannot become"):
        set_finding_status(seeded.profile, fid, "plan_received")
    assert [e.status for e in finding_history(seeded.profile, fid)] == [
        "open", "plan_received", "reopened", "reopened", "reported_fixed"]
