"""The permission matrix: every role on every endpoint, inside and outside its scope.

Accounts are scoped to a township, the county around it or (admin) the whole tree. An object
outside the scope answers 404 exactly like one that does not exist.
"""

from __future__ import annotations

import json
import uuid
from datetime import date

import pytest
from sqlalchemy import select

from app.sync.errors_body import ErrorBody
from app.sync.keys import generate_device_key, public_key_text
from app.sync.protocol import Account
from server.assignments import NewAssignments, assign
from server.rubrics import publish_rubric, read_rubric
from server.store.schema import admin_areas, units
from tests.server.conftest import (
    COUNTY,
    OTHER_COUNTY,
    ROOT,
    TOWNSHIP,
    UNIT_ELSEWHERE,
    UNIT_IN_COUNTY,
    UNIT_IN_TOWNSHIP,
    fresh,
)

API = "/api/v1"
ROLES = ("inspector", "team_leader", "office_staff", "admin")
KEY = generate_device_key()


@pytest.fixture(scope="module")
def server(shared_server):
    """Reset once for the module: its tests only read (and register devices idempotently)."""
    return fresh(shared_server)


@pytest.fixture(scope="module")
def world(server):
    """One account per role in a township, one per role in the county, an admin for everything;
    a rubric, and a team (the township inspector and leader) assigned to three units."""
    people = {(role, scope): server.make_account(role, scope) for role in ROLES for scope in (TOWNSHIP, COUNTY)}
    with server.engine.begin() as conn:
        ids = {r.code: r.id for r in conn.execute(select(units.c.code, units.c.id))}
        area_ids = {r.code: r.id for r in conn.execute(select(admin_areas.c.code, admin_areas.c.id))}
        ref, _ = publish_rubric(conn, *read_rubric(ROOT / "resources" / "rubrics" / "study-habits.json"))
        assign(conn, NewAssignments(
            campaign="Autumn", team="Team 1", unit_codes=[UNIT_IN_TOWNSHIP, UNIT_IN_COUNTY, UNIT_ELSEWHERE],
            window_start=date(2026, 9, 1), window_end=date(2026, 9, 30), rubrics=["study-habits"],
            members=[people["inspector", TOWNSHIP].login, people["team_leader", TOWNSHIP].login]))
    return {"people": people, "ids": ids, "areas": area_ids, "rubric": ref.hash}


def _get(server, token, path):
    with server.client(token) as c:
        return c.get(API + path)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("scope", [TOWNSHIP, COUNTY])
def test_units_and_areas_only_inside_the_scope(server, world, role, scope):
    token = world["people"][role, scope].token
    codes = {u["code"] for u in _get(server, token, "/units").json()}
    areas = {a["code"] for a in _get(server, token, "/areas").json()}
    assert UNIT_IN_TOWNSHIP in codes and UNIT_ELSEWHERE not in codes
    assert (UNIT_IN_COUNTY in codes) == (scope == COUNTY)
    assert TOWNSHIP in areas and OTHER_COUNTY not in areas and "42" not in areas
    assert (COUNTY in areas) == (scope == COUNTY)
    inside = _get(server, token, f"/units/{world['ids'][UNIT_IN_TOWNSHIP]}")
    outside = _get(server, token, f"/units/{world['ids'][UNIT_ELSEWHERE]}")
    missing = _get(server, token, "/units/no-such-unit")
    assert inside.status_code == 200 and inside.json()["code"] == UNIT_IN_TOWNSHIP
    # Outside the scope reads exactly like a unit that does not exist.
    assert outside.status_code == missing.status_code == 404
    # The same body but for the request's own id.
    assert outside.json() | {"request_id": ""} == missing.json() | {"request_id": ""}
    assert ErrorBody.model_validate(outside.json()).code == "not_found"


def test_admin_of_the_whole_tree_sees_everything(server, world):
    codes = {u["code"] for u in _get(server, server.admin_token, "/units").json()}
    assert len(codes) == 32
    assert _get(server, server.admin_token, f"/units/{world['ids'][UNIT_ELSEWHERE]}").status_code == 200
    assert len(_get(server, server.admin_token, "/assignments").json()) == 3
    assert len(_get(server, server.admin_token, "/accounts").json()) == 9


@pytest.mark.parametrize(("role", "scope", "expected"), [
    # Team members see their team's assignments inside their scope (the township).
    ("inspector", TOWNSHIP, {UNIT_IN_TOWNSHIP}),
    ("team_leader", TOWNSHIP, {UNIT_IN_TOWNSHIP}),
    # Not in the team: nothing, even inside the scope.
    ("inspector", COUNTY, set()),
    ("team_leader", COUNTY, set()),
    # The office sees every team's, inside its scope.
    ("office_staff", TOWNSHIP, {UNIT_IN_TOWNSHIP}),
    ("office_staff", COUNTY, {UNIT_IN_TOWNSHIP, UNIT_IN_COUNTY}),
    ("admin", TOWNSHIP, {UNIT_IN_TOWNSHIP}),
    ("admin", COUNTY, {UNIT_IN_TOWNSHIP, UNIT_IN_COUNTY}),
])
def test_assignments_by_role_and_scope(server, world, role, scope, expected):
    answer = _get(server, world["people"][role, scope].token, "/assignments")
    assert answer.status_code == 200
    got = answer.json()
    assert {a["unit_code"] for a in got} == expected
    assert all(a["rubric_hashes"] == [world["rubric"]] and a["window_start"] == "2026-09-01" for a in got)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("scope", [TOWNSHIP, COUNTY])
def test_account_list_is_for_the_office_and_within_its_scope(server, world, role, scope):
    answer = _get(server, world["people"][role, scope].token, "/accounts")
    if role in ("inspector", "team_leader"):
        assert answer.status_code == 403
        assert ErrorBody.model_validate(answer.json()).code == "forbidden"
        return
    scopes = {a["scope"] for a in answer.json()}
    # The whole-tree admin and the county accounts lie outside a township's scope.
    assert scopes == ({TOWNSHIP} if scope == TOWNSHIP else {TOWNSHIP, COUNTY})


@pytest.mark.parametrize("role", ROLES)
def test_everyone_reads_rubrics_me_and_registers_devices(server, world, role):
    who = world["people"][role, TOWNSHIP]
    listed = _get(server, who.token, "/rubrics").json()
    assert [r["hash"] for r in listed] == [world["rubric"]]
    document = _get(server, who.token, f"/rubrics/{world['rubric']}")
    assert document.status_code == 200 and json.loads(document.text)["id"] == "study-habits"
    assert _get(server, who.token, "/rubrics/" + "0" * 64).status_code == 404
    me = Account.model_validate(_get(server, who.token, "/me").json())
    assert (me.username, me.role, me.scope_area_id) == (who.login, role, world["areas"][TOWNSHIP])
    device = str(uuid.uuid5(uuid.NAMESPACE_URL, f"laptop-of-{role}"))
    with server.client(who.token) as c:
        body = {"device_id": device, "public_key": public_key_text(KEY), "label": "laptop"}
        answers = [c.put(f"{API}/devices/{device}", json=body) for _ in range(2)]
    assert [a.status_code for a in answers] == [201, 200]


ENDPOINTS = [("GET", "/me"), ("POST", "/logout"), ("PUT", f"/devices/{uuid.uuid4()}"), ("GET", "/accounts"),
             ("GET", "/areas"), ("GET", "/units"), ("GET", "/units/x"), ("GET", "/rubrics"),
             ("GET", "/rubrics/x"), ("GET", "/assignments")]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_every_endpoint_needs_a_token(server, method, path):
    with server.client() as c:
        answer = c.request(method, API + path, json={} if method in ("POST", "PUT") else None)
    assert answer.status_code == 401
    assert ErrorBody.model_validate(answer.json()).code == "unauthenticated"
