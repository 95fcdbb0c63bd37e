"""The dashboard's figures (server.dashboard.figures) against hand-computed expectations, on
SQLite and PostgreSQL.

The data is the demo tree (two counties), the shipped study-habits rubric (10 points: ≥ 9 优良,
≥ 6 合格, else 不合格; a yearly score is the mean of 8 checks), assignments made by the office's
own ``assign``, visits rows as a push stores them, and results written by the push-time writer
(server.dashboard.results.write_results) from records scored by the real engine.
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from decimal import Decimal
from itertools import count
from typing import Any

import pytest
from sqlalchemy import Connection, insert, select

from app.rubric import Rubric
from server.areas import area_by_code, units_by_code
from server.assignments import NewAssignments, assign
from server.dashboard import figures
from server.dashboard.results import write_results
from server.errors import BadInput, NotFound
from server.rubrics import publish_rubric, read_rubric
from server.store.schema import assignments, sync_rows, units, visit_results
from tests.server.conftest import COUNTY, OTHER_COUNTY, ROOT

STUDY_HABITS = ROOT / "resources" / "rubrics" / "study-habits.json"
TODAY = date(2026, 11, 27)
_seq = count(1000)


class Office:
    """Builds a campaign's data straight into the store, as pushes and the office would."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        doc, self.rubric = read_rubric(STUDY_HABITS)
        publish_rubric(conn, doc, self.rubric)
        self.rubrics: dict[str, Rubric] = {self.rubric.content_hash: self.rubric}
        self.units = {code: u for code, u in units_by_code(conn, [f"DJK{n:03}" for n in range(1, 33)]
                                                         + [f"YX{n:03}" for n in range(1, 33)]).items()}

    def scope(self, code: str | None = None) -> str:
        return "/" if code is None else area_by_code(self.conn, code).path

    def assign(self, campaign: str, codes: list[str], visit_type: str = "routine", team: str = "第一组") -> dict[str, str]:
        made = assign(self.conn, NewAssignments(campaign=campaign, team=team, unit_codes=codes,
                                                window_start=date(2026, 9, 1), window_end=date(2026, 11, 30),
                                                rubrics=[self.rubric.id], visit_type=visit_type))
        return {a.unit_code: a.id for a in made}

    def campaign_id(self, assignment_id: str) -> str:
        return str(self.conn.execute(select(assignments.c.campaign_id)
                                     .where(assignments.c.id == assignment_id)).scalar_one())

    def visit(self, code: str, total: str | None, day: str = "2026-10-15", *, visit_type: str = "routine",
              assignment: str | None = None, amendment_no: int = 0, visit_id: str | None = None) -> str:
        """A visits row as a push holds it; with a ``total``, finalized with that score."""
        unit = self.units[code]
        visit_id = visit_id or str(uuid.uuid4())
        values = {"id": visit_id, "unit_id": unit.id, "visit_type": visit_type, "starts_on": day, "ends_on": day,
                  "team_id": None, "assignment_id": assignment}
        seq = next(_seq)
        if self.conn.execute(select(sync_rows.c.key).where(sync_rows.c.key == visit_id)).first() is None:
            self.conn.execute(insert(sync_rows).values(
                table_name="visits", key=visit_id, rev=f"{seq:016}", device_id="dev", deleted=False,
                row_values=json.dumps(values), visit_id=visit_id, unit_id=unit.id, server_seq=seq))
        if total is not None:
            record = {"visit": {**values, "unit_code": code}, "rubrics": [self.rubric.content_hash],
                      "responses": answers_for(self.rubric.content_hash, Decimal(total))}
            write_results(self.conn, visit_id=visit_id, amendment_no=amendment_no, unit_id=unit.id, record=record,
                          rubrics=self.rubrics, unit=self.unit_row(unit.id), server_seq=seq)
        return visit_id

    def unit_row(self, unit_id: str) -> dict[str, Any]:
        return dict(self.conn.execute(select(units).where(units.c.id == unit_id)).one()._mapping)

    def finding(self, visit_id: str, code: str, *, deadline: str | None, severity: str = "general",
                events: tuple[tuple[str, str, str | None], ...] = ()) -> str:
        """A finding of the visit, with events (status, at, visit that checked it)."""
        unit = self.units[code]
        finding_id = str(uuid.uuid4())
        rows = [("findings", finding_id, {"id": finding_id, "visit_id": visit_id, "unit_id": unit.id,
                                          "description": "消防通道堆放杂物", "requirement": "清理",
                                          "deadline": deadline, "responsible": "校长", "severity": severity})]
        for status, at, by_visit in events:
            event_id = str(uuid.uuid4())
            rows.append(("finding_events", event_id, {"id": event_id, "finding_id": finding_id, "visit_id": by_visit,
                                                      "status": status, "note": "", "at": at}))
        for table, key, values in rows:
            seq = next(_seq)
            self.conn.execute(insert(sync_rows).values(
                table_name=table, key=key, rev=f"{seq:016}", device_id="dev", deleted=False,
                row_values=json.dumps(values), visit_id=visit_id, unit_id=unit.id, server_seq=seq))
        return finding_id


def answers_for(rubric_hash: str, total: Decimal) -> list[dict[str, Any]]:
    """Responses that score ``total`` of 10: whole points off attendance (1 each), a half by lateness."""
    off = Decimal(10) - total
    whole, half = int(off), int((off - int(off)) * 2)
    response = {"rubric_hash": rubric_hash, "na": False, "reason": "扣分见记录", "note": "", "evidence_methods": []}
    return [{**response, "item_code": "A1", "value": {"A1-a": whole, "A1-b": half}},
            {**response, "item_code": "B1", "value": {}}, {**response, "item_code": "C1", "value": {}}]


@pytest.fixture
def office(server: Any) -> Any:
    with server.engine.begin() as conn:
        yield Office(conn)


def test_coverage_by_county_counts_assigned_visited_and_finalized_units(office):
    plan = office.assign("2026秋季督导", ["DJK001", "DJK003", "DJK005", "YX013"])
    campaign = office.campaign_id(plan["DJK001"])
    office.visit("DJK001", "9", assignment=plan["DJK001"])
    office.visit("DJK003", None, assignment=plan["DJK003"])  # in progress
    office.visit("DJK005", "8")  # a visit that names no assignment does not cover the plan
    office.visit("YX013", "7", assignment=plan["YX013"])
    rows = figures.campaign_coverage(office.conn, office.scope(), campaign)
    assert [(r.county_code, r.assigned, r.visited, r.finalized) for r in rows] == \
        [("420322", 1, 1, 1), ("420381", 3, 2, 1)]
    assert rows[1].county_name == "丹江口市"
    mine = figures.campaign_coverage(office.conn, office.scope(COUNTY), campaign)
    assert [(r.county_code, r.assigned, r.visited, r.finalized) for r in mine] == [("420381", 3, 2, 1)]


def test_the_spot_check_rule_flags_a_county_sampled_below_30_percent(office):
    # The lower level checked ten units in COUNTY and four in OTHER_COUNTY this year.
    for n in range(1, 11):
        office.visit(f"DJK{n:03}", "8", "2026-04-10")
    for n in (13, 14, 15, 16):
        office.visit(f"YX{n:03}", "8", "2026-05-10", visit_type="preliminary_review")
    # Not checks by the lower level: a self-assessment, a follow-up, and last year's visit.
    office.visit("DJK011", "9", "2026-04-01", visit_type="self_assessment")
    office.visit("DJK012", "9", "2026-04-01", visit_type="follow_up")
    office.visit("YX017", "9", "2025-06-01")
    plan = office.assign("2026市级抽查", ["DJK001", "DJK002", "DJK003", "YX013", "YX014"], visit_type="spot_check")
    campaign = office.campaign_id(plan["DJK001"])
    for code in ("DJK001", "DJK002", "YX013", "YX014"):
        office.visit(code, "9", "2026-10-20", visit_type="spot_check", assignment=plan[code])
    rows = figures.spot_check_share(office.conn, office.scope(), campaign)
    assert [(r.county_code, r.checked, r.sampled, r.planned, r.shortfall) for r in rows] == \
        [("420322", 4, 2, 2, False), ("420381", 10, 2, 3, True)]
    assert rows[1].share == Decimal("0.2") and rows[0].share == Decimal("0.5")
    # Exactly 30% is enough: a third spot check in COUNTY.
    office.visit("DJK003", "9", "2026-10-21", visit_type="spot_check", assignment=plan["DJK003"])
    county = figures.spot_check_share(office.conn, office.scope(COUNTY), campaign)
    assert [(r.county_code, r.checked, r.sampled, r.shortfall) for r in county] == [("420381", 10, 3, False)]
    # A campaign without spot checks is not held to the rule.
    routine = office.assign("2026常规督导", ["DJK004"])
    assert figures.spot_check_share(office.conn, office.scope(), office.campaign_id(routine["DJK004"])) == []


def ranking_campaign(office: Office) -> str:
    codes = {"DJK001": "9.5", "DJK002": "9", "DJK003": "8.5", "DJK004": "8", "DJK005": "7", "YX013": "6.5",
             "YX014": "5.5"}
    plan = office.assign("2026学风检查", list(codes))
    for code, total in codes.items():
        office.visit(code, total, assignment=plan[code])
    # DJK005 was visited again later in the campaign: its latest result counts (5 → 7 above).
    office.visit("DJK005", "5", "2026-09-20", assignment=plan["DJK005"])
    return office.campaign_id(plan["DJK001"])


def test_band_counts_and_average_count_each_units_latest_result(office):
    campaign = ranking_campaign(office)
    bands = figures.band_counts(office.conn, office.scope(), campaign)
    assert [(b.band_code, b.band_zh, b.units) for b in bands] == [("good", "优良", 2), ("pass", "合格", 4),
                                                                  ("fail", "不合格", 1)]
    [average] = figures.average_scores(office.conn, office.scope(), campaign)
    assert (average.rubric_id, average.units) == ("study-habits", 7)
    assert average.average_total == pytest.approx(54 / 7)
    assert average.average_percentage == pytest.approx(540 / 7)
    assert (average.lowest, average.highest, average.vetoed) == (5.5, 9.5, 0)
    [mine] = figures.average_scores(office.conn, office.scope(COUNTY), campaign)
    assert (mine.units, mine.average_total) == (5, pytest.approx(42 / 5))
    assert sum(b.units for b in figures.band_counts(office.conn, office.scope(COUNTY), campaign)) == 5


def test_ranking_flags_the_top_two_red_and_the_bottom_two_yellow(office):
    campaign = ranking_campaign(office)
    ranked = figures.unit_ranking(office.conn, office.scope(), rubric_id="study-habits", campaign_id=campaign)
    assert [(u.rank, u.unit_code, u.total, u.flag) for u in ranked] == [
        (1, "DJK001", "9.5", "red"), (2, "DJK002", "9", "red"), (3, "DJK003", "8.5", None),
        (4, "DJK004", "8", None), (5, "DJK005", "7", None), (6, "YX013", "6.5", "yellow"),
        (7, "YX014", "5.5", "yellow")]
    # Filters: a county (the flags are within what is shown), a unit type.
    county = area_by_code(office.conn, OTHER_COUNTY).id
    other = figures.unit_ranking(office.conn, office.scope(), rubric_id="study-habits", campaign_id=campaign,
                                 county_id=county)
    assert [(u.rank, u.unit_code, u.flag) for u in other] == [(1, "YX013", "red"), (2, "YX014", "red")]
    middle = figures.unit_ranking(office.conn, office.scope(), rubric_id="study-habits", campaign_id=campaign,
                                  unit_type="middle")
    assert [(u.unit_code, u.flag) for u in middle] == [("DJK002", "red"), ("DJK004", "red"), ("YX014", "yellow")]
    # Sorting orders the rows, never the ranks or flags.
    by_name = figures.unit_ranking(office.conn, office.scope(), rubric_id="study-habits", campaign_id=campaign,
                                   sort="unit")
    assert sorted(by_name, key=lambda u: u.rank) == ranked
    assert [u.unit_name for u in by_name] == sorted(u.unit_name for u in ranked)
    reverse = figures.unit_ranking(office.conn, office.scope(), rubric_id="study-habits", campaign_id=campaign,
                                   sort="total", reverse=True)
    assert [u.unit_code for u in reverse] == [u.unit_code for u in reversed(ranked)]
    assert {u.of for u in ranked} == {7}
    page = figures.unit_ranking(office.conn, office.scope(), rubric_id="study-habits", campaign_id=campaign,
                                limit=3, offset=5)
    assert page == ranked[5:]
    by_county = figures.unit_ranking(office.conn, office.scope(), rubric_id="study-habits", campaign_id=campaign,
                                     sort="county")
    assert [u.unit_code for u in by_county] == ["DJK001", "DJK002", "DJK003", "DJK004", "DJK005", "YX013",
                                                "YX014"]
    with pytest.raises(BadInput, match="a limit and an offset of 0 or more"):
        figures.unit_ranking(office.conn, office.scope(), rubric_id="study-habits", offset=-1)
    with pytest.raises(BadInput, match="cannot sort the ranking by 'name'"):
        figures.unit_ranking(office.conn, office.scope(), rubric_id="study-habits", sort="name")


def test_ties_share_a_rank_and_its_flag(office):
    plan = office.assign("2026并列", ["DJK001", "DJK002", "DJK003", "DJK004", "DJK005"])
    for code, total in {"DJK001": "9", "DJK002": "9", "DJK003": "9", "DJK004": "7", "DJK005": "6"}.items():
        office.visit(code, total, assignment=plan[code])
    ranked = figures.unit_ranking(office.conn, office.scope(), rubric_id="study-habits",
                                  campaign_id=office.campaign_id(plan["DJK001"]))
    assert [(u.rank, u.flag) for u in ranked] == [(1, "red"), (1, "red"), (1, "red"), (4, "yellow"), (5, "yellow")]


def test_a_classes_yearly_score_is_the_mean_of_its_eight_monthly_checks(office):
    months = ["03", "04", "05", "06", "09", "10", "11", "12"]
    for month, total in zip(months, ["9", "8", "10", "7", "9", "9", "8", "10"], strict=True):
        office.visit("DJK001", total, f"2026-{month}-10")
    office.visit("DJK001", "6", "2025-12-10")
    history = figures.unit_history(office.conn, office.scope(COUNTY), office.units["DJK001"].id)
    assert [v.visit_date for v in history.visits][:2] == ["2025-12-10", "2026-03-10"]
    assert [v.total for v in history.visits][1:] == ["9", "8", "10", "7", "9", "9", "8", "10"]
    last, this = history.combined
    assert (this.year, this.method, this.checks, this.expected, this.complete) == ("2026", "mean", 8, 8, True)
    assert (this.total, this.maximum, this.band_code) == ("8.75", "10", "pass")
    assert (last.year, last.checks, last.complete, last.total) == ("2025", 1, False, "6")
    with pytest.raises(NotFound):
        figures.unit_history(office.conn, office.scope(OTHER_COUNTY), office.units["DJK001"].id)


def test_a_later_amendment_replaces_a_visits_result_and_an_earlier_one_never_does(office):
    visit_id = office.visit("DJK001", "9")
    office.visit("DJK001", "7.5", amendment_no=1, visit_id=visit_id)
    office.visit("DJK001", "10", amendment_no=0, visit_id=visit_id)  # a late copy of the first version
    rows = office.conn.execute(select(visit_results).where(visit_results.c.visit_id == visit_id)).all()
    assert [(r.amendment_no, r.total, r.band_code) for r in rows] == [(1, "7.5", "pass")]
    sections, items = figures.visit_scores(office.conn, office.scope(COUNTY), visit_id)
    assert [(s.code, s.awarded, s.maximum) for s in sections] == [("A", "2.5", "5"), ("B", "3", "3"), ("C", "2", "2")]
    assert [(i.code, i.section_code, i.awarded) for i in items if i.code.endswith("1")] == \
        [("A1", "A", "2.5"), ("B1", "B", "3"), ("C1", "C", "2")]
    with pytest.raises(NotFound):
        figures.visit_scores(office.conn, office.scope(OTHER_COUNTY), visit_id)


def test_open_findings_with_deadlines_overdue_and_escalation(office):
    plan = office.assign("2026整改", ["DJK001", "YX013"])
    campaign = office.campaign_id(plan["DJK001"])
    first = office.visit("DJK001", "6", "2026-09-10", assignment=plan["DJK001"])
    again, third = office.visit("DJK001", None, "2026-10-10"), office.visit("DJK001", None, "2026-11-10")
    overdue = office.finding(first, "DJK001", deadline="2026-10-01", events=(("open", "2026-09-10T10:00", first),))
    reported = office.finding(first, "DJK001", deadline="2026-10-01", severity="major", events=(
        ("open", "2026-09-10T10:00", first), ("reported_fixed", "2026-09-28T10:00", None)))
    office.finding(first, "DJK001", deadline="2026-10-01", events=(
        ("open", "2026-09-10T10:00", first), ("closed", "2026-10-10T10:00", again)))
    on_site = office.finding(first, "DJK001", deadline=None, events=(("fixed_on_site", "2026-09-10T10:00", first),))
    escalate = office.finding(first, "DJK001", deadline="2026-12-31", events=(
        ("open", "2026-09-10T10:00", first), ("reopened", "2026-10-10T10:00", again),
        ("reopened", "2026-11-10T10:00", third)))
    # Events merge by time, not by the order they arrived: the later "verified" wins.
    verified = office.finding(first, "DJK001", deadline="2026-10-01", events=(
        ("verified", "2026-10-10T10:00", again), ("open", "2026-09-10T10:00", first)))
    no_events = office.finding(first, "DJK001", deadline="2026-12-01")
    elsewhere = office.visit("YX013", "8", assignment=plan["YX013"])
    theirs = office.finding(elsewhere, "YX013", deadline="2026-10-01")

    found = {f.finding_id: f for f in figures.open_findings(office.conn, office.scope(), today=TODAY)}
    assert on_site not in found and len(found) == 6
    assert (found[overdue].status, found[overdue].overdue, found[overdue].escalate) == ("open", True, False)
    assert (found[reported].status, found[reported].overdue) == ("reported_fixed", False)
    assert (found[escalate].status, found[escalate].follow_ups, found[escalate].escalate) == ("reopened", 2, True)
    assert (found[escalate].overdue, found[verified].status, found[verified].overdue) == (False, "verified", False)
    assert (found[no_events].status, found[no_events].overdue) == ("open", False)
    assert found[theirs].overdue and found[theirs].county_name == "郧西县"
    assert found[overdue].campaign_id == campaign == found[theirs].campaign_id
    # Deadline first.
    deadlines = [f.deadline or "" for f in figures.open_findings(office.conn, office.scope(), today=TODAY)]
    assert deadlines == sorted(deadlines) and all(deadlines)
    mine = figures.open_findings(office.conn, office.scope(COUNTY), today=TODAY)
    assert theirs not in {f.finding_id for f in mine} and len(mine) == 5
    major = figures.open_findings(office.conn, office.scope(), today=TODAY, severity="major")
    assert [f.finding_id for f in major] == [reported]
    in_campaign = figures.open_findings(office.conn, office.scope(), today=TODAY, campaign_id=campaign)
    assert {f.finding_id for f in in_campaign} == set(found)
    county = area_by_code(office.conn, OTHER_COUNTY).id
    assert [f.finding_id for f in figures.open_findings(office.conn, office.scope(), today=TODAY,
                                                        county_id=county)] == [theirs]


def test_county_a_never_sees_county_b_in_any_figure(office):
    campaign = ranking_campaign(office)
    scope = office.scope(COUNTY)
    theirs = {office.units[c].id for c in office.units if c.startswith("YX")}
    assert all(r.county_code == COUNTY for r in figures.campaign_coverage(office.conn, scope, campaign))
    ranked = figures.unit_ranking(office.conn, scope, rubric_id="study-habits", campaign_id=campaign)
    assert ranked and not {u.unit_id for u in ranked} & theirs
    assert [u.flag for u in ranked][-2:] == ["yellow", "yellow"]
    assert sum(b.units for b in figures.band_counts(office.conn, scope, campaign)) == len(ranked)
    yx = office.visit("YX013", "8")
    with pytest.raises(NotFound):
        figures.unit_history(office.conn, scope, office.units["YX013"].id)
    with pytest.raises(NotFound):
        figures.visit_scores(office.conn, scope, yx)
    # The other county's own scope sees only its two units.
    other = figures.unit_ranking(office.conn, office.scope(OTHER_COUNTY), rubric_id="study-habits",
                                 campaign_id=campaign)
    assert {u.unit_id for u in other} <= theirs and len(other) == 2


def test_the_latest_result_of_a_unit_per_campaign_and_of_all_follows_amendments(office):
    spring = office.assign("2026春季", ["DJK001", "DJK002"])
    autumn = office.assign("2026秋季", ["DJK001"], team="第二组")
    office.visit("DJK001", "9", "2026-04-10", assignment=spring["DJK001"])
    office.visit("DJK002", "8", "2026-04-11", assignment=spring["DJK002"])
    late = office.visit("DJK001", "6", "2026-10-10", assignment=autumn["DJK001"])

    def ranked(campaign: str | None) -> list[tuple[str, str]]:
        return [(u.unit_code, u.total) for u in figures.unit_ranking(office.conn, office.scope(),
                                                                     rubric_id="study-habits", campaign_id=campaign)]

    assert ranked(office.campaign_id(spring["DJK001"])) == [("DJK001", "9"), ("DJK002", "8")]
    assert ranked(office.campaign_id(autumn["DJK001"])) == [("DJK001", "6")]
    assert ranked(None) == [("DJK002", "8"), ("DJK001", "6")]
    # An amendment dates the autumn visit before the spring one: the spring visit is the latest now.
    office.visit("DJK001", "6.5", "2026-03-01", assignment=autumn["DJK001"], amendment_no=1, visit_id=late)
    assert ranked(None) == [("DJK001", "9"), ("DJK002", "8")]
    assert ranked(office.campaign_id(autumn["DJK001"])) == [("DJK001", "6.5")]
    flags = office.conn.execute(select(visit_results.c.visit_id, visit_results.c.latest_in_campaign,
                                       visit_results.c.latest_of_unit)).all()
    assert sum(f.latest_of_unit for f in flags) == 2 and all(f.latest_in_campaign for f in flags)


def test_a_campaigns_results_and_item_scores_for_its_exports_agree_with_its_figures(office):
    campaign = ranking_campaign(office)
    rows = figures.campaign_results(office.conn, office.scope(), campaign)
    # Eight visits (DJK005 twice); the rows the figures count are the ranking's, one per unit.
    assert len(rows) == 8 and [r.unit_code for r in rows][:2] == ["YX013", "YX014"]
    counted = {r.visit_id: r for r in rows if r.counted}
    ranked = figures.unit_ranking(office.conn, office.scope(), rubric_id="study-habits", campaign_id=campaign)
    assert set(counted) == {u.visit_id for u in ranked}
    assert all(counted[u.visit_id].total == u.total for u in ranked)
    assert sum(b.units for b in figures.band_counts(office.conn, office.scope(), campaign)) == len(counted)
    [average] = figures.average_scores(office.conn, office.scope(), campaign)
    assert average.average_total == pytest.approx(float(sum(Decimal(r.total) for r in counted.values())) / 7)
    items = figures.campaign_item_scores(office.conn, office.scope(), campaign)
    assert len(items) == 8 * len(office.rubric.items)
    by_visit: dict[str, Decimal] = {}
    for i in items:
        by_visit[i.visit_id] = by_visit.get(i.visit_id, Decimal(0)) + Decimal(i.awarded)
    assert by_visit == {r.visit_id: Decimal(r.awarded) for r in rows}
    # A county's account exports its own units only.
    mine = figures.campaign_results(office.conn, office.scope(COUNTY), campaign)
    assert {r.county_code for r in mine} == {COUNTY} and len(mine) == 6
    assert {i.unit_code[:3] for i in figures.campaign_item_scores(office.conn, office.scope(COUNTY), campaign)} \
        == {"DJK"}


def test_a_campaigns_findings_export_holds_the_closed_ones_too(office):
    plan = office.assign("2026整改导出", ["DJK001"])
    visit = office.visit("DJK001", "8", assignment=plan["DJK001"])
    open_one = office.finding(visit, "DJK001", deadline="2026-12-01")
    closed = office.finding(visit, "DJK001", deadline="2026-11-01", events=(
        ("open", "2026-10-15T10:00", visit), ("closed", "2026-10-30T10:00", None)))
    campaign = office.campaign_id(plan["DJK001"])
    shown = figures.open_findings(office.conn, office.scope(), today=TODAY, campaign_id=campaign)
    exported = figures.open_findings(office.conn, office.scope(), today=TODAY, campaign_id=campaign,
                                     include_closed=True)
    assert [f.finding_id for f in shown] == [open_one]
    assert [(f.finding_id, f.status, f.overdue) for f in exported] == [(closed, "closed", False),
                                                                        (open_one, "open", False)]
