"""The planner's services (server.planning, server.assignments), on SQLite and PostgreSQL:
campaigns and teams, the units a scope may assign, the spot-check draw, and an assignment
changed or removed, with what a pull then tells the laptops."""

from __future__ import annotations

import json
import time
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import insert, select

from app.ids import new_id
from server import assignments, planning
from server.assignments import Change, NewAssignments, assign
from server.dashboard import figures
from server.errors import BadInput, Conflict, NotFound
from server.rubrics import publish_rubric, read_rubric
from server.store.schema import accounts, assignment_removals, sync_rows
from server.store.schema import assignments as assignments_table
from server.sync.sequence import stamp
from tests.server.conftest import (
    COUNTY,
    OTHER_COUNTY,
    ROOT,
    UNIT_ELSEWHERE,
    UNIT_IN_COUNTY,
    UNIT_IN_TOWNSHIP,
)
from tests.server.test_dashboard_figures import Office
from tests.server.test_pull_support import everything

RUBRIC_FILE = ROOT / "resources" / "rubrics" / "study-habits.json"


def _rubric(server: Any) -> str:
    with server.engine.begin() as conn:
        ref, _ = publish_rubric(conn, *read_rubric(RUBRIC_FILE))
    return ref.hash


def _account_id(server: Any, login: str) -> str:
    with server.engine.connect() as conn:
        return str(conn.execute(select(accounts.c.id).where(accounts.c.login == login)).scalar_one())


def _assign(server: Any, rubric: str, codes: list[str], team: str = "team-a", members: list[str] | None = None,
            visit_type: str = "routine") -> list[assignments.Assignment]:
    with server.engine.begin() as conn:
        return assign(conn, NewAssignments("autumn", team, codes, date(2026, 12, 1), date(2026, 12, 10), [rubric],
                                           visit_type=visit_type, members=members))


def _pulled_assignments(server: Any, token: str) -> dict[str, bool]:
    """Assignment id -> deleted, as the latest version a pull brings of each."""
    found: dict[str, bool] = {}
    for item in everything(server, token):
        if item.kind == "row" and item.table == "assignments":
            found[item.key] = item.row.deleted
    return found


@pytest.mark.parametrize(("pool", "percent", "wanted"), [
    (10, "30", 3), (11, "30", 4), (13, "30", 4), (0, "30", 0), (1, "30", 1), (7, "100", 7), (3, "0.1", 1),
    (100, "33.3", 34), (20, "15", 3),
])
def test_the_share_gives_a_number_of_units_rounded_up_exactly(pool: int, percent: str, wanted: int) -> None:
    assert planning.sample_size(pool, Decimal(percent)) == wanted


@pytest.mark.parametrize("percent", ["0", "-5", "100.5"])
def test_a_share_outside_0_to_100_is_refused(percent: str) -> None:
    with pytest.raises(BadInput):
        planning.sample_size(10, Decimal(percent))


def test_a_draw_is_reproducible_from_its_seed_whatever_the_order_of_the_pool() -> None:
    codes = [f"U{n:03d}" for n in range(40)]
    first = planning.draw_sample(codes, Decimal(30), 4242)
    assert len(first) == 12 and first == sorted(first) and set(first) <= set(codes)
    assert planning.draw_sample(list(reversed(codes)), Decimal(30), 4242) == first
    assert planning.draw_sample(codes + codes[:5], Decimal(30), 4242) == first
    others = {tuple(planning.draw_sample(codes, Decimal(30), seed)) for seed in range(1, 20)}
    assert len(others) > 1


def test_campaigns_and_teams_are_unique_by_name(server: Any) -> None:
    with server.engine.begin() as conn:
        made = planning.create_campaign(conn, " 2026 秋季 ")
        assert made.name == "2026 秋季"
        with pytest.raises(Conflict):
            planning.create_campaign(conn, "2026 秋季")
        with pytest.raises(BadInput):
            planning.create_team(conn, "  ")
        planning.create_team(conn, "甲组")
        assert [c.name for c in planning.list_campaigns(conn)] == ["2026 秋季"]
        assert planning.get_campaign(conn, made.id) == made
        with pytest.raises(NotFound):
            planning.get_campaign(conn, new_id())


def test_team_members_come_from_the_scope_and_joining_brings_the_team_its_plan(server: Any) -> None:
    rubric = _rubric(server)
    near = server.make_account("inspector", COUNTY)
    far = server.make_account("inspector", OTHER_COUNTY)
    leader = server.make_account("team_leader", COUNTY)
    server.make_account("office_staff", COUNTY)
    with server.engine.begin() as conn:
        team = planning.create_team(conn, "甲组")
        scope = f"/42/4203/{COUNTY}/"
        assert {a.login for a in planning.member_choices(conn, scope)} == {near.login, leader.login}
        with pytest.raises(NotFound):
            planning.add_members(conn, scope, team.id, [far.login])
        assert planning.add_members(conn, "/", team.id, [near.login, far.login]) == 2
        (listed,) = planning.list_teams(conn, scope)
        assert [m.login for m in listed.members] == [near.login] and listed.elsewhere == 1
    made = _assign(server, rubric, [UNIT_IN_TOWNSHIP], team="甲组")
    assert set(_pulled_assignments(server, near.token)) == {made[0].id}
    assert _pulled_assignments(server, leader.token) == {}
    with server.engine.begin() as conn:
        planning.add_members(conn, scope, team.id, [leader.login])
    assert set(_pulled_assignments(server, leader.token)) == {made[0].id}


def test_the_units_offered_are_those_of_the_scope_filtered_by_county_and_type(server: Any) -> None:
    with server.engine.connect() as conn:
        everywhere = planning.plannable_units(conn, "/")
        county = planning.plannable_units(conn, f"/42/4203/{COUNTY}/")
        primary = planning.plannable_units(conn, "/", county=COUNTY, unit_type="primary")
    assert {u.county_code for u in county} == {COUNTY}
    assert {u.county_code for u in everywhere} >= {COUNTY, OTHER_COUNTY}
    assert primary and all(u.unit_type == "primary" and u.county_code == COUNTY for u in primary)
    assert [u.code for u in everywhere] == sorted(u.code for u in everywhere)


def test_assigning_a_unit_outside_the_scope_stores_nothing(server: Any) -> None:
    rubric = _rubric(server)
    with server.engine.begin() as conn:
        with pytest.raises(NotFound):
            assign(conn, NewAssignments("autumn", "team-a", [UNIT_IN_COUNTY, UNIT_ELSEWHERE], date(2026, 12, 1),
                                        date(2026, 12, 2), [rubric]), scope=f"/42/4203/{COUNTY}/")
    with server.engine.connect() as conn:
        assert conn.execute(select(assignments_table)).all() == []


def _begin(server: Any, assignment: assignments.Assignment, day: str) -> None:
    values = {"assignment_id": assignment.id, "unit_id": assignment.unit_id, "status": "in_progress",
              "starts_on": day, "ends_on": day, "visit_type": assignment.visit_type}
    with server.engine.begin() as conn:
        key = new_id()
        conn.execute(insert(sync_rows).values(table_name="visits", key=key, rev=f"{int(time.time() * 1000):015d}-"
                                              f"000000-{new_id()}", device_id=new_id(), base_rev=None, deleted=False,
                                              row_values=json.dumps(values), visit_id=key, unit_id=assignment.unit_id,
                                              server_seq=stamp(conn)))


def test_removing_an_assignment_tells_the_laptops_that_held_it(server: Any) -> None:
    rubric = _rubric(server)
    inspector = server.make_account("inspector", COUNTY)
    office = server.make_account("office_staff", COUNTY)
    made = _assign(server, rubric, [UNIT_IN_TOWNSHIP, UNIT_IN_COUNTY], members=[inspector.login])
    assert _pulled_assignments(server, inspector.token) == {a.id: False for a in made}
    office_id = _account_id(server, office.login)
    with server.engine.begin() as conn:
        removed = assignments.remove_assignment(conn, "/", made[0].id, account_id=office_id)
    assert removed.unit_code == UNIT_IN_TOWNSHIP
    assert _pulled_assignments(server, inspector.token) == {made[0].id: True, made[1].id: False}
    with server.engine.connect() as conn:
        campaign_id = _campaign_id(conn)
        assert assignments.plan_size(conn, "/", campaign_id) == 1
        assert assignments.plan_size(conn, f"/42/4203/{OTHER_COUNTY}/", campaign_id) == 0
    with server.engine.connect() as conn:
        assert [a.id for a in assignments.campaign_plan(conn, "/", _campaign_id(conn))] == [made[1].id]
        (tombstone,) = conn.execute(select(assignment_removals)).all()
    assert (tombstone.id, tombstone.unit_id, tombstone.removed_by) == (made[0].id, made[0].unit_id, office_id)
    # The unit can be assigned again (a new assignment, a new id).
    again = _assign(server, rubric, [UNIT_IN_TOWNSHIP])
    assert again[0].id != made[0].id


def _campaign_id(conn: Any) -> str:
    return str(conn.execute(select(assignments_table.c.campaign_id)).scalars().first())


def test_an_assignment_whose_visit_began_is_kept_and_only_its_window_changes(server: Any) -> None:
    rubric = _rubric(server)
    made = _assign(server, rubric, [UNIT_IN_TOWNSHIP])[0]
    admin_id = _account_id(server, "admin")
    _begin(server, made, "2026-12-03")
    with server.engine.begin() as conn:
        held = assignments.planned(conn, "/", made.id)
        assert (held.started, held.visit_date, held.visit_status) == (True, "2026-12-03", "in_progress")
        with pytest.raises(Conflict, match="began on 2026-12-03"):
            assignments.remove_assignment(conn, "/", made.id, account_id=admin_id)
        with pytest.raises(Conflict):
            assignments.change_assignment(conn, "/", made.id, Change(held.team_id, "spot_check", date(2026, 12, 1),
                                                                     date(2026, 12, 10), [rubric]), account_id=admin_id)
        moved = assignments.change_assignment(conn, "/", made.id, Change(held.team_id, "routine", date(2026, 12, 1),
                                                                         date(2026, 12, 24), [rubric]),
                                              account_id=admin_id)
    assert moved.window_end == "2026-12-24" and moved.id == made.id
    with server.engine.connect() as conn:
        assert conn.execute(select(assignment_removals)).all() == []


def test_a_new_team_is_a_removal_for_the_old_team_and_a_new_assignment_for_the_new(server: Any) -> None:
    rubric = _rubric(server)
    first = server.make_account("inspector", COUNTY)
    second = server.make_account("inspector", COUNTY)
    made = _assign(server, rubric, [UNIT_IN_TOWNSHIP], team="team-a", members=[first.login])[0]
    _assign(server, rubric, [UNIT_IN_COUNTY], team="team-b", members=[second.login])
    admin_id = _account_id(server, "admin")
    with server.engine.begin() as conn:
        team_b = str(conn.execute(select(assignments_table.c.team_id).where(
            assignments_table.c.id != made.id)).scalar_one())
        moved = assignments.change_assignment(conn, "/", made.id, Change(team_b, "routine", date(2026, 12, 1),
                                                                         date(2026, 12, 10), [rubric]),
                                              account_id=admin_id)
    assert moved.id != made.id and moved.team == "team-b"
    assert _pulled_assignments(server, first.token) == {made.id: True}
    assert _pulled_assignments(server, second.token).get(moved.id) is False


def test_a_change_is_checked_before_anything_is_stored(server: Any) -> None:
    rubric = _rubric(server)
    made = _assign(server, rubric, [UNIT_IN_TOWNSHIP])[0]
    admin_id = _account_id(server, "admin")
    with server.engine.begin() as conn:
        team = assignments.planned(conn, "/", made.id).team_id
        for change in (Change(team, "routine", date(2026, 12, 9), date(2026, 12, 1), [rubric]),
                       Change(team, "holiday", date(2026, 12, 1), date(2026, 12, 9), [rubric]),
                       Change(team, "routine", date(2026, 12, 1), date(2026, 12, 9), []),
                       Change(team, "routine", date(2026, 12, 1), date(2026, 12, 9), [rubric[:12]]),
                       Change(new_id(), "routine", date(2026, 12, 1), date(2026, 12, 9), [rubric])):
            with pytest.raises(BadInput):
                assignments.change_assignment(conn, "/", made.id, change, account_id=admin_id)
        with pytest.raises(NotFound):
            assignments.planned(conn, f"/42/4203/{OTHER_COUNTY}/", made.id)
    with server.engine.connect() as conn:
        (row,) = conn.execute(select(assignments_table)).all()
    assert (row.window_start, row.window_end, row.visit_type) == ("2026-12-01", "2026-12-10", "routine")


def test_the_pool_a_lower_level_checked_is_the_spot_check_figures_own(server: Any) -> None:
    """The units a spot check draws from are those the ≥30% figure counts as checked."""
    with server.engine.begin() as conn:
        office = Office(conn)
        for n in range(1, 11):
            office.visit(f"DJK{n:03}", "8", "2026-04-10")
        office.visit("YX013", "8", "2026-05-10", visit_type="preliminary_review")
        # Not checks by a lower level: a self-assessment, last year's visit, one still in progress.
        office.visit("DJK011", "9", "2026-04-01", visit_type="self_assessment")
        office.visit("YX017", "9", "2025-06-01")
        office.visit("DJK012", None, "2026-04-01")
        plan = office.assign("2026市级抽查", ["DJK001"], visit_type="spot_check")
        share = figures.spot_check_share(conn, "/", office.campaign_id(plan["DJK001"]))
        everywhere = planning.checked_by_lower_level(conn, "/", date(2026, 1, 1), date(2026, 11, 30))
        county = planning.checked_by_lower_level(conn, office.scope(COUNTY), date(2026, 1, 1), date(2026, 11, 30))
        codes = {u.id: code for code, u in office.units.items()}
    assert sorted(codes[u] for u in everywhere) == [f"DJK{n:03}" for n in range(1, 11)] + ["YX013"]
    assert len(everywhere) == sum(r.checked for r in share)
    assert sorted(codes[u] for u in county) == [f"DJK{n:03}" for n in range(1, 11)]
    assert len(planning.draw_sample([codes[u] for u in everywhere], planning.RULE_PERCENT, 7)) == 4
