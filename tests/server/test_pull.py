"""Pull over real HTTP (docs/sync-protocol.md section 10), on SQLite and PostgreSQL.

Paging reaches everything exactly once in an order a client can apply, a cursor resumes, a pull
after a push brings its rows and conflicts, and bad cursors and bodies are the contract's 4xx.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import select

from app.sync.errors_body import ErrorBody
from app.sync.pull import PullPage
from server.assignments import NewAssignments, assign
from server.rubrics import publish_rubric, read_rubric
from server.store.schema import admin_areas, sync_rows, units
from tests.server.conftest import ROOT, TOWNSHIP, UNIT_ELSEWHERE, UNIT_IN_COUNTY, UNIT_IN_TOWNSHIP
from tests.server.push_support import (
    changeset,
    new_device,
    push_twice,
    response_row,
    rev,
    statuses,
    unit_id,
    upload,
    visit_row,
)
from tests.server.test_pull_support import everything, identity, pull, pull_all

RUBRIC_FILE = ROOT / "resources" / "rubrics" / "civilized-unit.json"


def office_data(server: Any, members: list[str] | None = None) -> str:
    """A published rubric, one team's assignments and the office's settings; the rubric's hash."""
    with server.engine.begin() as conn:
        ref, _ = publish_rubric(conn, *read_rubric(RUBRIC_FILE))
        assign(conn, NewAssignments("autumn", "team-a", [UNIT_IN_TOWNSHIP, UNIT_IN_COUNTY, UNIT_ELSEWHERE],
                                    date(2026, 11, 1), date(2026, 11, 30), [ref.hash], members=members))
    logo = upload(server, server.admin_token, b"logo image")
    with server.client(server.admin_token) as c:
        answer = c.put("/api/v1/office", json={"name_zh": "丹江口市卫生健康监督所", "name_en": "Danjiangkou",
                                               "logo_sha256": logo})
    assert answer.status_code == 200, answer.text
    return ref.hash


def visit_in(server: Any, code: str, device: str | None = None, seq: int = 1) -> tuple[str, str]:
    device = device or new_device(server, server.admin_token)
    visit = str(uuid.uuid4())
    rows = [visit_row(visit, unit_id(server, code), rev(1, device)), response_row(visit, "A.1", "yes", rev(2, device))]
    assert push_twice(server, server.admin_token, changeset(device, seq, rows)).status_code == 200
    return visit, device


def test_small_pages_reach_everything_exactly_once_in_an_applicable_order(server):
    template = office_data(server)
    visit_in(server, UNIT_IN_TOWNSHIP)
    visit_in(server, UNIT_ELSEWHERE)
    full = pull_all(server, server.admin_token, limit=1000)
    assert len(full.pages) == 1 and not full.pages[0].more
    for limit in (1, 2, 3, 7):
        paged = pull_all(server, server.admin_token, limit=limit)
        assert all(len(p.items) <= limit for p in paged.pages)
        assert [identity(i) for i in paged.items] == [identity(i) for i in full.items]
        assert paged.pages[-1].next_cursor == full.pages[-1].next_cursor
    ids = [identity(i) for i in full.items]
    assert len(ids) == len(set(ids))
    seqs = [i.seq for i in full.items]
    assert seqs == sorted(seqs)
    with server.engine.connect() as conn:
        n_areas = len(conn.execute(select(admin_areas.c.id)).all())
        n_units = len(conn.execute(select(units.c.id)).all())
    tables = [i.table for i in full.items if i.kind == "row"]
    assert tables.count("admin_areas") == n_areas and tables.count("units") == n_units
    assert tables.count("assignments") == 3 and tables.count("visits") == 2 and tables.count("responses") == 2
    assert {"campaigns", "teams"} <= set(tables)
    kinds = [i.kind for i in full.items]
    assert kinds.count("rubric_template") == 1 and kinds.count("office_settings") == 1
    # Applied in order, nothing refers to what has not come yet.
    seen: set[str] = set()
    for item in full.items:
        if item.kind == "rubric_template":
            assert item.template.hash == template
            seen.add(item.template.hash)
        elif item.kind == "row":
            values = item.row.values
            for column in ("parent_id", "area_id", "unit_id", "campaign_id", "team_id", "visit_id"):
                if values.get(column):
                    assert values[column] in seen, (item.table, column)
            if item.table == "assignments":
                assert template in seen
            seen.add(item.key)


def test_a_cursor_from_the_middle_resumes(server):
    office_data(server)
    visit_in(server, UNIT_IN_TOWNSHIP)
    full = pull_all(server, server.admin_token, limit=1000).items
    pages = pull_all(server, server.admin_token, limit=4).pages
    delivered = 0
    for page in pages[: len(pages) // 2]:
        delivered += len(page.items)
    middle = pages[len(pages) // 2 - 1].next_cursor
    rest = pull_all(server, server.admin_token, limit=1000, cursor=middle).items
    assert [identity(i) for i in rest] == [identity(i) for i in full[delivered:]]
    # The last cursor: nothing new, and the same cursor back.
    end = pages[-1].next_cursor
    again = pull(server, server.admin_token, {"cursor": end, "limit": 5})
    assert again.items == [] and not again.more and again.next_cursor == end


def test_a_pull_after_a_push_brings_its_rows_and_conflicts(server):
    visit, a = visit_in(server, UNIT_IN_TOWNSHIP)
    leader = server.make_account("team_leader", TOWNSHIP)
    cursor = pull_all(server, leader.token, limit=50).pages[-1].next_cursor
    key = response_row(visit, "A.1", "x", rev(1, a))["key"]
    b = new_device(server, server.admin_token)
    assert statuses(push_twice(server, server.admin_token, changeset(a, 2, [
        response_row(visit, "A.1", "no", rev(3, a), base=rev(2, a))]))) == {key: "applied"}
    answer = push_twice(server, server.admin_token, changeset(b, 1, [
        response_row(visit, "A.1", "partial", rev(4, b), base=rev(2, a))]))
    conflict_id = answer.json()["rows"][0]["conflict_id"]
    got = pull_all(server, leader.token, limit=1, cursor=cursor)
    assert [(i.kind, getattr(i, "table", None)) for i in got.items] == [("row", "responses"), ("conflict", None)]
    row, conflict = got.items
    assert row.key == key and row.row.rev == rev(3, a) and row.row.values["value"] == "no"
    assert conflict.conflict.conflict_id == conflict_id and conflict.conflict.status == "open"
    assert conflict.conflict.incoming.values["value"] == "partial"
    # Settled: the pull brings the settling row and the conflict, now resolved.
    cursor = got.pages[-1].next_cursor
    settle = response_row(visit, "A.1", "partial", rev(5, b), base=rev(3, a), resolves=[conflict_id])
    assert statuses(push_twice(server, server.admin_token, changeset(b, 2, [settle]))) == {key: "applied"}
    later = pull_all(server, leader.token, limit=10, cursor=cursor).items
    assert [(i.kind, i.seq) for i in later][0][0] == "row" and later[0].row.rev == rev(5, b)
    assert later[1].kind == "conflict" and later[1].conflict.status == "resolved"
    assert later[1].conflict.resolved_by_rev == rev(5, b)


def test_each_role_sees_only_its_scope(server):
    inspector = server.make_account("inspector", TOWNSHIP)
    leader = server.make_account("team_leader", TOWNSHIP)
    staff = server.make_account("office_staff", TOWNSHIP)
    outsider = server.make_account("inspector", "420322")
    office_data(server, members=[inspector.login, leader.login, outsider.login])
    with server.engine.begin() as conn:
        ref = publish_rubric(conn, *read_rubric(RUBRIC_FILE))[0]
        assign(conn, NewAssignments("autumn", "team-b", [UNIT_IN_TOWNSHIP], date(2026, 11, 1),
                                    date(2026, 11, 30), [ref.hash]))
    township, _ = visit_in(server, UNIT_IN_TOWNSHIP)
    county, _ = visit_in(server, UNIT_IN_COUNTY)
    elsewhere, d = visit_in(server, UNIT_ELSEWHERE)
    push_twice(server, server.admin_token, changeset(d, 2, [response_row(elsewhere, "A.1", "no", rev(9, d),
                                                                         base=rev(1, d))]))
    with server.engine.connect() as conn:
        paths = {r.id: r.path for r in conn.execute(select(admin_areas)).all()}
        unit_area = {r.id: r.area_id for r in conn.execute(select(units)).all()}
        visit_unit = {r.key: r.unit_id for r in conn.execute(select(sync_rows).where(
            sync_rows.c.table_name == "visits")).all()}
    township_path = next(p for p in paths.values() if p.endswith(f"/{TOWNSHIP}/"))
    expect = {
        # role: (visits seen, assignments seen, conflicts seen)
        "admin": ({township, county, elsewhere}, 4, 1),
        "inspector": ({township}, 1, 0),
        "team_leader": ({township}, 1, 0),
        "office_staff": ({township}, 2, 0),
        "outsider": ({elsewhere}, 1, 1),
    }
    tokens = {"admin": server.admin_token, "inspector": inspector.token, "team_leader": leader.token,
              "office_staff": staff.token, "outsider": outsider.token}
    for who, token in tokens.items():
        items = pull_all(server, token, limit=5).items
        rows = [i for i in items if i.kind == "row"]
        visits = {i.key for i in rows if i.table == "visits"}
        visits_of_rows = {i.row.values.get("visit_id", i.key) for i in rows if i.table in ("visits", "responses")}
        want_visits, want_assignments, want_conflicts = expect[who]
        assert visits == visits_of_rows == want_visits, who
        assert sum(i.table == "assignments" for i in rows) == want_assignments, who
        assert sum(i.kind == "conflict" for i in items) == want_conflicts, who
        if who == "admin":
            continue
        scope = township_path if who != "outsider" else next(p for p in paths.values() if p.endswith("/420322/"))
        assert all(paths[i.key].startswith(scope) for i in rows if i.table == "admin_areas"), who
        assert all(paths[unit_area[i.key]].startswith(scope) for i in rows if i.table == "units"), who
        assert all(paths[unit_area[i.row.values["unit_id"]]].startswith(scope)
                   for i in rows if i.table == "assignments"), who
        assert all(paths[unit_area[visit_unit[v]]].startswith(scope) for v in visits), who
        # Everyone gets the templates and the office's settings.
        assert {i.kind for i in items} >= {"rubric_template", "office_settings"}


def test_new_team_members_receive_the_teams_assignments(server):
    office_data(server)
    inspector = server.make_account("inspector", TOWNSHIP)
    before = pull_all(server, inspector.token, limit=100)
    assert not [i for i in before.items if i.kind == "row" and i.table == "assignments"]
    with server.engine.begin() as conn:
        ref = publish_rubric(conn, *read_rubric(RUBRIC_FILE))[0]
        assign(conn, NewAssignments("winter", "team-a", [UNIT_IN_TOWNSHIP], date(2026, 12, 1), date(2026, 12, 9),
                                    [ref.hash], members=[inspector.login]))
    after = pull_all(server, inspector.token, limit=100, cursor=before.pages[-1].next_cursor).items
    # Both of the team's assignments in the township: the earlier one and the new one.
    assert sum(i.kind == "row" and i.table == "assignments" for i in after) == 2


def test_office_settings_are_set_by_an_admin_and_pulled_again_when_changed(server):
    staff = server.make_account("office_staff", TOWNSHIP)
    with server.client(staff.token) as c:
        assert c.get("/api/v1/office").status_code == 404
        refused = c.put("/api/v1/office", json={"name_zh": "某所"})
        assert refused.status_code == 403 and ErrorBody.model_validate(refused.json()).code == "forbidden"
    with server.client(server.admin_token) as c:
        lacking = c.put("/api/v1/office", json={"name_zh": "某所", "logo_sha256": "a" * 64})
        assert lacking.status_code == 422 and ErrorBody.model_validate(lacking.json()).code == "invalid"
        assert c.put("/api/v1/office", json={"name_zh": " "}).status_code == 422
        assert c.put("/api/v1/office", json={"name_zh": "某所", "seal": "x"}).status_code == 400
        assert c.put("/api/v1/office", json={"name_zh": "某所"}).status_code == 200
    first = pull_all(server, staff.token, limit=100)
    (item,) = [i for i in first.items if i.kind == "office_settings"]
    assert item.settings.name_zh == "某所" and item.settings.logo_sha256 is None
    with server.client(server.admin_token) as c:
        assert c.put("/api/v1/office", json={"name_zh": "新所", "name_en": "New"}).status_code == 200
    with server.client(staff.token) as c:
        assert c.get("/api/v1/office").json()["name_zh"] == "新所"
    later = pull_all(server, staff.token, limit=100, cursor=first.pages[-1].next_cursor).items
    assert [(i.kind, i.settings.name_en) for i in later] == [("office_settings", "New")]


def test_bad_cursors_and_bodies_are_refused_with_the_error_body(server):
    visit_in(server, UNIT_IN_TOWNSHIP)
    token = server.admin_token
    end = pull_all(server, token, limit=1000).pages[-1].next_cursor
    ahead = f"s{int(end[1:]) + 5}"
    cases: list[tuple[Any, int, str]] = [
        ({"cursor": "nonsense"}, 422, "invalid"),
        ({"cursor": "s1.7"}, 422, "invalid"),
        ({"cursor": ahead}, 422, "invalid"),
        ({"cursor": "s1/2"}, 400, "malformed"),
        ({"cursor": ""}, 400, "malformed"),
        ({"limit": 0}, 400, "malformed"),
        ({"limit": 100_000}, 400, "malformed"),
        ({"limit": "ten"}, 400, "malformed"),
        ({"cursor": None, "since": 3}, 400, "malformed"),
        ([], 400, "malformed"),
        (b"{not json", 400, "malformed"),
    ]
    with server.client(token) as c:
        for body, status, code in cases:
            if isinstance(body, bytes):
                answer = c.post("/api/v1/pull", content=body, headers={"content-type": "application/json"})
            else:
                answer = c.post("/api/v1/pull", json=body)
            assert answer.status_code == status, (body, answer.text)
            assert ErrorBody.model_validate(answer.json()).code == code, body
    with server.client() as anonymous:
        assert anonymous.post("/api/v1/pull", json={}).status_code == 401
    # The refusals changed nothing: the same pull as before.
    assert [identity(i) for i in everything(server, token)] == [identity(i) for i in everything(server, token)]
    assert isinstance(pull(server, token, {"cursor": end}), PullPage)
