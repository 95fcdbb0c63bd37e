"""Findings and good practices list in the order they were made, though a laptop's clock went back
between them: on that laptop (the desktop and the printed sheets read ``list_findings``), on its
team-mates' laptops a day off each way, and on the office's visit page. Their ``created_at`` is a
wall time and says the opposite; the canonical record, which sorts by it, is left as it is (its
order feeds the content hash every side already agrees on).
"""

from __future__ import annotations

from datetime import date

from app.findings import add_finding, add_good_practice, list_findings, list_good_practices
from app.reports.data import load_report_data
from server.dashboard.visit_report import visit_report
from server.store.database import reading
from tests.server.test_sync_clock_skew import (  # noqa: F401 - the fixtures, with their laptops' clocks
    HOUR_MS,
    all_agree,
    keychain,
    team,
)


def test_a_finding_made_after_the_clock_went_back_lists_after_the_earlier_one(server, team):  # noqa: F811
    c, visit = team.machines["c"], team.visit_id
    with team.clocks.on(c):
        first = add_finding(c.profile, visit, description="消防通道堆放杂物").id
        first_practice = add_good_practice(c.profile, visit, "安全台账齐全").id
    team.clocks.set(c, -3 * HOUR_MS)
    c = team.restart("c")
    with team.clocks.on(c):
        second = add_finding(c.profile, visit, description="灭火器过期").id
        second_practice = add_good_practice(c.profile, visit, "晨检记录完整").id
    made = {f.id: f.created_at for f in list_findings(c.profile, visit)}
    assert made[second] < made[first]  # the wall clock says the later one came first

    assert [f.id for f in list_findings(c.profile, visit)] == [first, second]
    assert [p.id for p in list_good_practices(c.profile, visit)] == [first_practice, second_practice]
    sheet = load_report_data(c.profile, visit)
    assert [f.id for f in sheet.findings] == [first, second]
    assert [p.text for p in sheet.practices] == ["安全台账齐全", "晨检记录完整"]

    team.sync("cab")
    for machine in team.machines.values():
        assert [f.id for f in list_findings(machine.profile, visit)] == [first, second]
        assert [p.id for p in list_good_practices(machine.profile, visit)] == [first_practice, second_practice]
    with reading(server.engine) as conn:
        page = visit_report(conn, "/", visit, today=date.today())
    assert [f.finding_id for f in page.findings] == [first, second]
    assert [f.number for f in page.findings] == [1, 2]
    assert page.practices == ["安全台账齐全", "晨检记录完整"]
    all_agree(server, team)
