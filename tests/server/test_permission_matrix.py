"""The permission matrix: every route of the server (API, office pages, public pages and
operations) against every kind of caller, with the status each must get.

The callers: anonymous; an admin's token that has expired or was revoked; an inspector and a
team leader of a township (members of the team assigned there); office staff of the county
around it; the whole tree's admin; office staff and an inspector of another county (every
object below lies outside their scope); and, for the pages' forms, the admin without the
form's CSRF token.

The routes are read from the app itself: a route added without a row here fails
``test_every_route_has_a_row``, so nobody can add an endpoint and forget to decide who may call it.
A row that names a route the app no longer has fails it too.

Expected statuses, by the rule they follow:

- API: 401 without a live token (expired and revoked alike); 403 for a role the route is not
  for; 404 for an object outside the caller's scope (exactly as for one that does not exist);
  else the route's success (or, for a request the test cannot make valid cheaply, the 4xx that
  proves the checks were passed).
- Office pages: 303 to the login page without a live session; 403 for inspectors and team
  leaders (whose work is on the laptop), and for office staff on the admin's pages; 403 for a
  form without its CSRF token; 404 for an object outside the scope.
- Public: the same answer for everyone.
"""

from __future__ import annotations

import hashlib
import io
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
import pytest
from PIL import Image
from sqlalchemy import select, update

from server import accounts
from server.app import create_app
from server.assignments import NewAssignments, assign
from server.rubrics import publish_rubric, read_rubric
from server.store.schema import assignments as assignments_table
from server.store.schema import campaigns, teams, tokens
from server.web.session import CSRF_FIELD, SESSION_COOKIE, csrf_token
from tests.server.conftest import COUNTY, OTHER_COUNTY, ROOT, TOWNSHIP, UNIT_IN_TOWNSHIP, fresh
from tests.server.push_support import (
    changeset,
    evidence_row,
    register_device,
    rev,
    unit_id,
    visit_row,
)

API = "/api/v1"
ANON, EXPIRED, REVOKED = "anonymous", "expired", "revoked"
INSPECTOR, LEADER, STAFF, ADMIN, OTHER = "inspector", "team_leader", "office_staff", "admin", "other_county"
OTHER_INSPECTOR = "other_inspector"
NO_CSRF = "admin_without_csrf"
CALLERS = (ANON, EXPIRED, REVOKED, INSPECTOR, LEADER, STAFF, ADMIN, OTHER, OTHER_INSPECTOR, NO_CSRF)
DEAD = (ANON, EXPIRED, REVOKED)


# --- what each caller should get, by kind of route ---------------------------------------------

def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(CALLERS, status)


def api(ok: int, *, roles: tuple[str, ...] = (INSPECTOR, LEADER, STAFF, ADMIN), scoped: bool = False,
        other: int | None = None) -> dict[str, int]:
    """An API route for ``roles`` (the other county's office staff is an office role); ``scoped``
    when its object lies in the township, so the other county gets 404."""
    expected = dict.fromkeys(DEAD, 401)
    # The other county's caller is office staff; the API knows no CSRF, so NO_CSRF is the admin.
    role_of = {INSPECTOR: INSPECTOR, LEADER: LEADER, STAFF: STAFF, ADMIN: ADMIN, OTHER: STAFF,
               OTHER_INSPECTOR: INSPECTOR, NO_CSRF: ADMIN}
    for caller, role in role_of.items():
        expected[caller] = ok if role in roles else 403
    if scoped:
        expected[OTHER] = 404
        expected[OTHER_INSPECTOR] = 404
    if other is not None:
        expected[OTHER] = other
    return expected


def page(ok: int = 200, *, admin_only: bool = False, scoped: bool = False, form: bool = False,
         staff: int | None = None) -> dict[str, int]:
    """An office page (a GET) or form (a POST)."""
    expected = dict.fromkeys(DEAD, 303) | {INSPECTOR: 403, LEADER: 403, OTHER_INSPECTOR: 403}
    expected[ADMIN] = ok
    expected[STAFF] = 403 if admin_only else (ok if staff is None else staff)
    expected[OTHER] = 403 if admin_only else (404 if scoped else ok)
    expected[NO_CSRF] = 403 if form else ok
    return expected


# --- the world the requests are made in --------------------------------------------------------

@dataclass
class World:
    server: Any
    # The live token of each caller (expired and revoked ones included).
    token: dict[str, str]
    logins: dict[str, str]
    unit: str
    rubric: str
    visit: str
    evidence: str
    blob: str
    campaign: str
    assignment: str
    team: str
    spare_login: str
    devices: dict[str, str] = field(default_factory=dict)

    def fresh_token(self, caller: str) -> str:
        """A token of the caller's own, for a request that revokes the one it sends (logout)."""
        if caller in DEAD or caller == ANON:
            return self.token.get(caller, "")
        with self.server.engine.begin() as conn:
            account = accounts.get_account(conn, self.logins[caller])
            return accounts.issue_token(conn, self.server.config, account).token


@dataclass(frozen=True)
class Probe:
    """One request for a route: its path (filled from the world), its body, and its statuses."""

    method: str
    route: str
    expect: dict[str, int]
    path: Callable[[World], str] | None = None
    # JSON (API) or form fields (pages) for this caller.
    body: Callable[[World, str], Any] | None = None
    raw: Callable[[World, str], bytes] | None = None
    own_token: bool = False

    @property
    def is_page(self) -> bool:
        return not self.route.startswith(API)


def _jpeg(seed: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (seed % 256, 40, 90)).save(out, "JPEG")
    return out.getvalue()


def _device_body(w: World, caller: str) -> dict[str, Any]:
    from app.sync.keys import generate_device_key, public_key_text

    device = w.devices.setdefault(f"put:{caller}", str(uuid.uuid4()))
    return {"device_id": device, "algorithm": "ed25519", "public_key": public_key_text(generate_device_key())}


def _device_path(w: World, caller: str) -> str:
    return f"{API}/devices/{w.devices.setdefault(f'put:{caller}', str(uuid.uuid4()))}"


def _push(w: World, caller: str) -> dict[str, Any]:
    device = w.devices.get(caller) or str(uuid.uuid4())
    # Above the number of the world's own push (1), so never stale.
    return changeset(device, 10, [visit_row(str(uuid.uuid4()), w.unit, rev(10, device))])


def _blob_bytes(w: World, caller: str) -> bytes:
    return f"a blob uploaded by {caller}".encode()


PROBES: list[Probe] = [
    # The API: login is open to all; everything else needs a live token.
    Probe("POST", f"{API}/login", everyone(200),
          body=lambda w, c: {"username": w.logins[INSPECTOR], "password": "password-123",
                             "device_id": str(uuid.uuid4())}),
    Probe("POST", f"{API}/logout", api(204), own_token=True),
    Probe("GET", f"{API}/me", api(200)),
    Probe("PUT", f"{API}/devices/{{device_id}}", api(201), body=_device_body),
    Probe("GET", f"{API}/accounts", api(200, roles=(STAFF, ADMIN))),
    Probe("GET", f"{API}/areas", api(200)),
    Probe("GET", f"{API}/units", api(200)),
    Probe("GET", f"{API}/units/{{unit_id}}", api(200, scoped=True), path=lambda w: f"{API}/units/{w.unit}"),
    Probe("GET", f"{API}/rubrics", api(200)),
    Probe("GET", f"{API}/rubrics/{{rubric_hash}}", api(200), path=lambda w: f"{API}/rubrics/{w.rubric}"),
    Probe("GET", f"{API}/assignments", api(200)),
    # A photo of a visit in the township: only where its visit's unit is in scope.
    Probe("GET", f"{API}/blobs/{{sha256}}", api(200, scoped=True), path=lambda w: f"{API}/blobs/{w.blob}"),
    Probe("POST", f"{API}/blobs/missing", api(200), body=lambda w, c: {"sha256": [w.blob, "0" * 64]}),
    Probe("PUT", f"{API}/blobs/{{sha256}}", api(201),
          raw=_blob_bytes, path=None),
    # A push names its device; a visit in the township from the other county is refused row by
    # row in the receipt (200), which test_push checks.
    Probe("POST", f"{API}/changesets", api(200), body=_push),
    # Not a bundle: refused once the token and role have passed (test_bundles* send real ones).
    Probe("POST", f"{API}/bundles", api(422), raw=lambda w, c: b"not a zip"),
    Probe("POST", f"{API}/pull", api(200), body=lambda w, c: {"cursor": None, "limit": 10}),
    Probe("PUT", f"{API}/office", api(200, roles=(ADMIN,)),
          body=lambda w, c: {"name_zh": "丹江口市教育督导室", "name_en": "Danjiangkou"}),
    Probe("GET", f"{API}/office", api(200)),
    Probe("PUT", f"{API}/client-release", api(200, roles=(ADMIN,)),
          body=lambda w, c: {"version": "9.9.9", "download_url": "https://example.org/fieldmark-9.9.9.exe"}),
    Probe("DELETE", f"{API}/client-release", api(204, roles=(ADMIN,))),

    # Public: the printed sheet's QR code, the release notice, operations, the API description.
    # Not a code of the printed form: the same refusal whoever asks (test_verify has real ones).
    Probe("GET", "/verify/{code:path}", everyone(400), path=lambda w: "/verify/FM-NOSUCH-CODE"),
    Probe("GET", "/client-release", everyone(200)),
    Probe("GET", "/healthz", everyone(200)),
    Probe("GET", "/readyz", everyone(200)),
    Probe("GET", "/metrics", everyone(200)),
    Probe("GET", "/openapi.json", everyone(200)),
    Probe("GET", "/docs", everyone(200)),
    Probe("GET", "/docs/oauth2-redirect", everyone(200)),
    Probe("GET", "/redoc", everyone(200)),
    Probe("GET", "/static", everyone(200), path=lambda w: "/static/fieldmark.css"),
    Probe("GET", "/lang/{lang}", everyone(303), path=lambda w: "/lang/en"),
    # The login page sends any live session on to the page asked for (which checks the role);
    # without one it shows the form.
    Probe("GET", "/login", dict.fromkeys(DEAD, 200) | dict.fromkeys(CALLERS[3:], 303)),
    # The login form without the login cookie's CSRF token is refused whoever sends it.
    Probe("POST", "/login", everyone(403), body=lambda w, c: {"login": "admin", "password": "x"}),

    # The office pages.
    # Whoever holds a session may end it (an inspector's token put in the cookie by hand too).
    Probe("POST", "/logout", page(303, form=True) | {INSPECTOR: 303, LEADER: 303, OTHER_INSPECTOR: 303},
          own_token=True),
    Probe("GET", "/", page()),
    Probe("GET", "/users", page(admin_only=True)),
    Probe("GET", "/users/new", page(admin_only=True)),
    Probe("POST", "/users/new", page(400, admin_only=True, form=True)),
    Probe("GET", "/users/edit/{login:path}", page(admin_only=True), path=lambda w: f"/users/edit/{w.spare_login}"),
    Probe("POST", "/users/edit/{login:path}", page(400, admin_only=True, form=True),
          path=lambda w: f"/users/edit/{w.spare_login}", body=lambda w, c: {"action": "none"}),
    Probe("GET", "/campaigns", page()),
    Probe("GET", "/campaigns/{campaign_id}", page(scoped=True), path=lambda w: f"/campaigns/{w.campaign}"),
    Probe("GET", "/ranking", page()),
    Probe("GET", "/units/{unit_id}", page(scoped=True), path=lambda w: f"/units/{w.unit}"),
    Probe("GET", "/rectifications", page()),
    # No finding by this id: 404 once the session and role have passed.
    Probe("GET", "/rectifications/{finding_id}", page(404), path=lambda w: f"/rectifications/{uuid.uuid4()}"),
    Probe("POST", "/rectifications/{finding_id}", page(404, form=True),
          path=lambda w: f"/rectifications/{uuid.uuid4()}"),
    Probe("GET", "/visits/{visit_id}", page(scoped=True), path=lambda w: f"/visits/{w.visit}"),
    Probe("GET", "/visits/{visit_id}/photos/{evidence_id}.jpg", page(scoped=True),
          path=lambda w: f"/visits/{w.visit}/photos/{w.evidence}.jpg"),
    Probe("GET", "/visits/{visit_id}/signatures/{signature_id}.png", page(404, scoped=True),
          path=lambda w: f"/visits/{w.visit}/signatures/{uuid.uuid4()}.png"),
    # The visit is not finalized: the sheet cannot be made (422) once the checks have passed.
    Probe("GET", "/visits/{visit_id}/feedback.pdf", page(422, scoped=True), path=lambda w: f"/visits/{w.visit}/feedback.pdf"),
    Probe("GET", "/exports", page()),
    Probe("GET", "/exports/{campaign_id}/{name}.{fmt}", page(scoped=True),
          path=lambda w: f"/exports/{w.campaign}/visits.csv"),
    Probe("GET", "/campaigns/{campaign_id}/bulletin.pdf", page(scoped=True),
          path=lambda w: f"/campaigns/{w.campaign}/bulletin.pdf"),
    Probe("GET", "/planner", page()),
    Probe("POST", "/planner/campaigns", page(400, form=True)),
    # No campaign named: 404 once the checks have passed.
    Probe("POST", "/planner/assign", page(404, form=True)),
    Probe("GET", "/planner/assignments/{assignment_id}", page(scoped=True),
          path=lambda w: f"/planner/assignments/{w.assignment}"),
    Probe("POST", "/planner/assignments/{assignment_id}", page(400, scoped=True, form=True),
          path=lambda w: f"/planner/assignments/{w.assignment}"),
    Probe("POST", "/planner/assignments/{assignment_id}/remove", page(404, form=True),
          path=lambda w: f"/planner/assignments/{uuid.uuid4()}/remove"),
    Probe("GET", "/planner/teams", page()),
    Probe("POST", "/planner/teams", page(400, form=True)),
    # Teams belong to no area (their members do): no member named, 400 for every office account.
    Probe("POST", "/planner/teams/{team_id}/members", page(400, form=True),
          path=lambda w: f"/planner/teams/{w.team}/members"),
    Probe("GET", "/rubrics", page()),
    Probe("POST", "/rubrics/upload", page(400, form=True)),
    Probe("GET", "/rubrics/diff", page()),
    # Office staff see the settings read-only; the world has no logo.
    Probe("GET", "/settings", page()),
    Probe("GET", "/settings/logo", page(404)),
    Probe("POST", "/settings/office", page(400, admin_only=True, form=True)),
    Probe("POST", "/settings/release", page(400, admin_only=True, form=True)),
    Probe("POST", "/settings/release/withdraw", page(303, admin_only=True, form=True)),
]


# --- the app's routes ----------------------------------------------------------------------------

def _flatten(routes: list[Any]) -> Iterator[Any]:
    # FastAPI keeps an included router as one entry whose routes it resolves on demand.
    for route in routes:
        if hasattr(route, "effective_candidates"):
            yield from _flatten(route.effective_candidates())
        else:
            yield route


def app_routes(app: Any) -> set[tuple[str, str]]:
    """(method, path template) of every route; HEAD, which Starlette adds to each GET, left out."""
    found = set()
    for route in _flatten(app.routes):
        original = getattr(route, "original_route", route)
        methods = getattr(original, "methods", None) or {"GET"}  # a Mount serves GET
        found |= {(m, route.path) for m in methods if m != "HEAD"}
    return found


def test_every_route_has_a_row(tmp_path):
    from server.config import Config

    app = create_app(Config(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'server.db'}"))
    routes = app_routes(app)
    rows = [(p.method, p.route) for p in PROBES]
    assert len(rows) == len(set(rows)), "a route has two rows"
    assert sorted(routes - set(rows)) == [], "routes without a row in the permission matrix"
    assert sorted(set(rows) - routes) == [], "rows for routes the app does not have"
    assert all(set(p.expect) == set(CALLERS) for p in PROBES)


# --- the run -----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def server(shared_server):
    return fresh(shared_server)


@pytest.fixture(scope="module")
def world(server) -> World:
    people = {INSPECTOR: server.make_account("inspector", TOWNSHIP),
              LEADER: server.make_account("team_leader", TOWNSHIP),
              STAFF: server.make_account("office_staff", COUNTY),
              OTHER: server.make_account("office_staff", OTHER_COUNTY),
              OTHER_INSPECTOR: server.make_account("inspector", OTHER_COUNTY)}
    token = {caller: who.token for caller, who in people.items()}
    logins = {caller: who.login for caller, who in people.items()}
    token[ADMIN] = token[NO_CSRF] = server.admin_token
    logins[ADMIN] = logins[NO_CSRF] = "admin"
    spare = server.make_account("inspector", TOWNSHIP).login
    with server.engine.begin() as conn:
        admin = accounts.get_account(conn, "admin")
        token[EXPIRED] = accounts.issue_token(conn, server.config, admin).token
        conn.execute(update(tokens).where(tokens.c.hash == accounts.hash_token(token[EXPIRED]))
                     .values(expires_at=time.time() - 1))
        token[REVOKED] = accounts.issue_token(conn, server.config, admin).token
        accounts.revoke_token(conn, accounts.hash_token(token[REVOKED]))
        ref, _ = publish_rubric(conn, *read_rubric(ROOT / "resources" / "rubrics" / "study-habits.json"))
        assign(conn, NewAssignments(
            campaign="Autumn", team="Team 1", unit_codes=[UNIT_IN_TOWNSHIP], window_start=date(2026, 9, 1),
            window_end=date(2026, 9, 30), rubrics=["study-habits"], members=[logins[INSPECTOR], logins[LEADER]]))
        campaign = conn.execute(select(campaigns.c.id)).scalar_one()
        assignment = conn.execute(select(assignments_table.c.id)).scalar_one()
        team = conn.execute(select(teams.c.id)).scalar_one()
    # The inspector's laptop pushes a visit in the township with one photo (its evidence row
    # with none of a laptop's metadata: the visit's pages once failed on that).
    devices = {caller: str(uuid.uuid4()) for caller in (INSPECTOR, LEADER, STAFF, ADMIN, OTHER, OTHER_INSPECTOR,
                                                        NO_CSRF)}
    for caller, device in devices.items():
        register_device(server, token[caller], device)
    unit = unit_id(server, UNIT_IN_TOWNSHIP)
    photo = _jpeg(7)
    sha = hashlib.sha256(photo).hexdigest()
    with server.client(token[INSPECTOR]) as c:
        assert c.put(f"{API}/blobs/{sha}", content=photo).status_code == 201
        visit = str(uuid.uuid4())
        evidence = evidence_row(visit, sha, rev(2, devices[INSPECTOR]), size=len(photo))
        answer = c.post(f"{API}/changesets", json=changeset(
            devices[INSPECTOR], 1, [visit_row(visit, unit, rev(1, devices[INSPECTOR])), evidence], [sha]))
    assert answer.status_code == 200 and {r["status"] for r in answer.json()["rows"]} == {"applied"}, answer.text
    return World(server, token, logins, unit, ref.hash, visit, evidence["key"], sha, campaign, assignment, team,
                 spare, devices)


def _send(w: World, probe: Probe, caller: str) -> httpx.Response:
    path = probe.path(w) if probe.path else probe.route
    if probe.route == f"{API}/devices/{{device_id}}":
        path = _device_path(w, caller)
    if probe.route == f"{API}/blobs/{{sha256}}" and probe.method == "PUT":
        path = f"{API}/blobs/{hashlib.sha256(_blob_bytes(w, caller)).hexdigest()}"
    tok = w.fresh_token(caller) if probe.own_token else w.token.get(caller, "")
    headers: dict[str, str] = {}
    cookies: dict[str, str] = {}
    kwargs: dict[str, Any] = {}
    if probe.is_page:
        if tok:
            cookies[SESSION_COOKIE] = tok
        if probe.method == "POST":
            form = probe.body(w, caller) if probe.body else {}
            if tok and caller != NO_CSRF:
                form = {**form, CSRF_FIELD: csrf_token(tok)}
            kwargs["data"] = form
    else:
        if tok:
            headers["Authorization"] = f"Bearer {tok}"
        if probe.raw:
            kwargs["content"] = probe.raw(w, caller)
        elif probe.body:
            kwargs["json"] = probe.body(w, caller)
    with w.server.client(**headers) as client:
        client.cookies.update(cookies)
        return client.request(probe.method, path, **kwargs)


def test_the_permission_matrix(world):
    got: dict[tuple[str, str], dict[str, int]] = {}
    wrong = []
    for probe in PROBES:
        row = {}
        for caller in CALLERS:
            answer = _send(world, probe, caller)
            row[caller] = answer.status_code
            if answer.status_code != probe.expect[caller]:
                wrong.append(f"{probe.method} {probe.route} as {caller}: {answer.status_code}, "
                             f"expected {probe.expect[caller]}: {answer.text[:160]!r}")
            # A dead session's 303 is to the login page (a form's success may be a 303 elsewhere).
            if probe.is_page and caller in DEAD and probe.expect[INSPECTOR] == 403 and answer.status_code == 303:
                assert answer.headers["location"].startswith("/login"), (probe.route, caller)
        got[probe.method, probe.route] = row
    print(f"\npermission matrix: {len(PROBES)} routes x {len(CALLERS)} callers = {len(PROBES) * len(CALLERS)} requests")
    print("route".ljust(58) + " ".join(c[:7].rjust(7) for c in CALLERS))
    for (method, route), row in got.items():
        print(f"{method} {route}"[:57].ljust(58) + " ".join(str(row[c]).rjust(7) for c in CALLERS))
    assert not wrong, "\n".join(wrong)
