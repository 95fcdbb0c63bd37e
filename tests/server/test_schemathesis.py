"""Abuse testing: schemathesis makes requests from the server's own OpenAPI description and sends
them over real HTTP to the live server, with a valid admin token and the protocol header.

Stateless, every operation in both modes: positive (requests the description allows) and
negative (requests it forbids: wrong types, missing fields, unknown fields, broken JSON). Then
stateful: schemathesis chains operations through the links it infers (a unit's id from
GET /units into GET /units/{unit_id}, a template's hash from GET /rubrics into
GET /rubrics/{rubric_hash}) and the pull pages' declared link (next_cursor into the next pull).

Every answer, whatever was sent:

- is not a 5xx;
- if a 4xx, is the contract's flat ``ErrorBody`` (not FastAPI's ``{"detail": ...}``), and under
  /api/ names the protocol version it speaks;
- if a 2xx, has the content type and the body its operation declares;
- for a negative request, is a 4xx (nothing the description forbids is accepted).

Two more tests reach what generation from the description does not: hostile text and numbers
(each once a 500), and changesets valid as messages but with values of every JSON shape, pushed
by an admin and an inspector and then pulled.

Failures are collected and reported together at the end (one line per distinct kind, with a curl
command to repeat it) rather than shrunk one by one, which would take minutes per failure.
"""

from __future__ import annotations

import collections
import hashlib
import json
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import hypothesis
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.transport import Response
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
)
from sqlalchemy import select

from app.sync.errors_body import ErrorBody
from app.sync.fields import PROTOCOL_TABLES, SYNC_BOOKKEEPING
from app.sync.ids import RowKeyError, row_key
from app.sync.protocol import Receipt
from app.sync.pull import PullPage
from server import accounts
from server.config import API_PREFIX, PROTOCOL, PROTOCOL_HEADER
from server.store.schema import accounts as accounts_table
from tests.server.conftest import COUNTY, UNIT_ELSEWHERE, UNIT_IN_TOWNSHIP
from tests.server.push_support import changeset, new_device, rev, unit_id, visit_row

# Examples per operation and mode. Operations without parameters have a single positive request
# and no negative one; the others reach this many: about 1,150 stateless requests. Then the
# chains: at least MIN_STATEFUL requests, as counted by the server itself (its /metrics).
EXAMPLES = 60
STATEFUL_EXAMPLES = 120
STATEFUL_STEPS = 10
PUSH_EXAMPLES = 150
MIN_REQUESTS = 1000
MIN_STATEFUL = 1000
POSITIVE_CHECKS = [not_a_server_error, content_type_conformance, response_schema_conformance]
NEGATIVE_CHECKS = [not_a_server_error, negative_data_rejection]


@dataclass
class Tally:
    """What the run sent and what went wrong, by kind (with one example of each)."""

    requests: int = 0
    # Pulls answered 200 for a cursor taken from the page before (the NextPage link followed).
    linked_pulls: int = 0
    statuses: collections.Counter[tuple[str, int]] = field(default_factory=collections.Counter)
    failures: dict[tuple[str, str], tuple[int, str]] = field(default_factory=dict)

    def fail(self, case: Case, kind: str, response: Response, headers: dict[str, str]) -> None:
        key = (case.operation.label, kind)
        if key not in self.failures:
            curl = case.as_curl_command(headers=headers)
            self.failures[key] = (response.status_code, f"{response.text[:400]}\n    {curl[:1500]}")

    def report(self) -> str:
        return "\n".join(f"{label}: {kind} -> {status}\n    {detail}"
                         for (label, kind), (status, detail) in sorted(self.failures.items()))


def _contract_checks(tally: Tally, case: Case, response: Response, headers: dict[str, str]) -> None:
    """What the contract promises beyond the description: the one error body, the version header."""
    path = case.operation.path
    if path.startswith("/api/") and response.headers.get(PROTOCOL_HEADER.lower()) != [str(PROTOCOL)]:
        tally.fail(case, f"no {PROTOCOL_HEADER} header in the answer", response, headers)
    if 400 <= response.status_code < 500:
        try:
            body = ErrorBody.model_validate_json(response.content)
        except ValidationError as exc:
            tally.fail(case, f"a {response.status_code} whose body is not an ErrorBody: "
                             f"{exc.errors()[0]['msg']}", response, headers)
            return
        if body.request_id is None:
            tally.fail(case, "an ErrorBody without request_id", response, headers)


def _validate(tally: Tally, case: Case, response: Response, headers: dict[str, str],
              checks: list[Callable[..., Any]], base_url: str) -> None:
    tally.requests += 1
    tally.statuses[(case.operation.label, response.status_code)] += 1
    _contract_checks(tally, case, response, headers)
    if response.status_code in (413, 429):
        # Refused by the body limit or the login rate limit before the message was read: a
        # refusal all the same, which schemathesis does not count as one.
        checks = [c for c in checks if c is not negative_data_rejection]
    if case.operation.path == "/metrics":
        # Prometheus' text format, which the description (server/app.py) does not declare yet.
        checks = [c for c in checks if c is not content_type_conformance]
    try:
        case.validate_response(response, checks=checks, headers=headers,
                               transport_kwargs={"base_url": base_url, "headers": headers})
    except BaseExceptionGroup as group:
        for failure in group.exceptions:
            tally.fail(case, f"{type(failure).__name__}: {getattr(failure, 'title', failure)}",
                       response, headers)


def _new_admin_token(server: Any) -> str:
    """A token of its own for each POST /logout, so the run's token is never revoked."""
    with server.engine.begin() as conn:
        login = conn.execute(select(accounts_table.c.login).where(accounts_table.c.role == "admin")).scalars().first()
        return accounts.issue_token(conn, server.config, accounts.get_account(conn, login)).token


def _operation_test(server: Any, tally: Tally, operation: Any, mode: GenerationMode,
                    examples: int) -> Callable[[], None]:
    checks = POSITIVE_CHECKS if mode is GenerationMode.POSITIVE else NEGATIVE_CHECKS

    @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def send(case: Case) -> None:
        headers = {PROTOCOL_HEADER: str(PROTOCOL), "Authorization": f"Bearer {server.admin_token}"}
        if operation.path == API_PREFIX + "/logout":
            headers["Authorization"] = f"Bearer {_new_admin_token(server)}"
        response = case.call(base_url=server.url, headers=headers, timeout=30)
        _validate(tally, case, response, headers, checks, server.url)

    return send  # type: ignore[no-any-return]


def _run_stateless(server: Any, schema: Any, tally: Tally, examples: int) -> None:
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _operation_test(server, tally, operation, mode, examples)()
            except hypothesis.errors.Unsatisfiable:
                # Nothing to break: an operation without parameters or body has no negative request.
                assert mode is GenerationMode.NEGATIVE, operation.label


def _run_stateful(server: Any, schema: Any, tally: Tally, examples: int) -> None:
    headers = {PROTOCOL_HEADER: str(PROTOCOL), "Authorization": f"Bearer {server.admin_token}"}
    machine = schema.as_state_machine()

    class Steps(machine):  # type: ignore[misc, valid-type]
        def get_call_kwargs(self, case: Case) -> dict[str, Any]:
            return {"base_url": server.url, "headers": headers, "timeout": 30}

        def validate_response(self, response: Response, case: Case, additional_checks: Any = None,
                              **kwargs: Any) -> None:
            _validate(tally, case, response, headers, POSITIVE_CHECKS, server.url)
            if (case.operation.path == API_PREFIX + "/pull" and response.status_code == 200
                    and isinstance(case.body, dict) and case.body.get("cursor")):
                tally.linked_pulls += 1

    Steps.run(settings=settings(max_examples=examples, stateful_step_count=STATEFUL_STEPS, deadline=None,
                                database=None, derandomize=True, phases=[Phase.generate],
                                suppress_health_check=list(HealthCheck)))


def answered(server: Any) -> collections.Counter[str]:
    """The requests the server has answered, by status, as it counts them itself (its /metrics
    counter, the /metrics requests left out): what reached it, not what the client meant to send."""
    counts: collections.Counter[str] = collections.Counter()
    for line in httpx.get(server.url + "/metrics", timeout=30).text.splitlines():
        found = _REQUESTS_SAMPLE.match(line)
        if found and found["route"] != "/metrics":
            counts[found["status"]] += int(float(found["value"]))
    return counts


_REQUESTS_SAMPLE = re.compile(r'^fieldmark_http_requests_total\{method="[^"]*",route="(?P<route>[^"]*)",'
                              r'status="(?P<status>\d+)"\} (?P<value>\S+)$')


def test_generated_requests_get_no_server_error_and_only_contract_refusals(server, backend):
    tally = Tally()
    schema = schemathesis.openapi.from_url(server.url + "/openapi.json")
    started = time.monotonic()
    _run_stateless(server, schema, tally, EXAMPLES)
    stateless = tally.requests
    before = answered(server)
    chains_started = time.monotonic()
    # /logout is left out of the chains: each logout needs a token of its own (see _run_stateless).
    _run_stateful(server, schema.exclude(path=API_PREFIX + "/logout"), tally, STATEFUL_EXAMPLES)
    chains_took = time.monotonic() - chains_started
    chained = answered(server)
    chained.subtract(before)
    print(f"\nschemathesis on {backend}: {stateless} stateless and {tally.requests - stateless} stateful "
          f"requests ({tally.linked_pulls} pulls from the page before) in {time.monotonic() - started:.0f} s; "
          f"the server answered {chained.total()} stateful requests in {chains_took:.0f} s, by status "
          f"{dict(sorted((k, v) for k, v in chained.items() if v))}; answers by operation and status:")
    for (label, status), count in sorted(tally.statuses.items()):
        print(f"  {label:<40} {status}  {count}")
    assert not tally.failures, f"{len(tally.failures)} kinds of failure:\n{tally.report()}"
    assert tally.requests >= MIN_REQUESTS
    assert not any(status >= 500 for _label, status in tally.statuses)
    # The server's own count: the chains reached it at least MIN_STATEFUL times, never for a 5xx.
    assert chained.total() >= MIN_STATEFUL
    assert chained.total() >= tally.requests - stateless
    assert sum(n for status, n in chained.items() if status.startswith("5")) == 0
    assert tally.linked_pulls > 0, "no chain followed a pull page to the next"


def test_hostile_text_and_numbers_are_refused_not_server_errors(server):
    """What random generation seldom reaches, each once found as a 500: a NUL (PostgreSQL text
    cannot hold it), a lone surrogate (no UTF-8 encoder can write it), NaN and Infinity (not
    JSON: stored, they would break every pull that carries them), a counter past the store's
    32-bit integer, and a boolean, a string or a fraction where the contract has a whole number."""
    token = server.admin_token
    device = new_device(server, token)
    unit = unit_id(server, UNIT_IN_TOWNSHIP)

    def push(seq: Any = 1, **values: Any) -> str:
        body = changeset(device, 1, [visit_row(str(uuid.uuid4()), unit, rev(1, device), **values)])
        return json.dumps({**body, "device_seq": seq}, allow_nan=True)

    key = "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg="
    other = str(uuid.uuid4())
    requests = [
        ("POST", "/changesets", push(note="a\ud800b")),
        ("POST", "/changesets", push(note=float("nan"))),
        ("POST", "/changesets", push(note={"deep": [float("inf")]})),
        ("POST", "/changesets", push(seq=2**31)),
        ("POST", "/changesets", push(seq=2**63)),
        ("POST", "/changesets", push(seq=True)),
        ("POST", "/changesets", push(seq="2")),
        ("POST", "/changesets", push(seq=2.5)),
        ("POST", "/pull", '{"cursor": null, "limit": true}'),
        ("POST", "/pull", '{"cursor": null, "limit": "5"}'),
        ("PUT", "/office", '{"name_zh": "x\\u0000y"}'),
        ("PUT", f"/devices/{other}", json.dumps({"device_id": other, "algorithm": "ed25519",
                                                 "public_key": key, "label": "a\x00b"})),
        ("POST", "/login", json.dumps({"username": "a\x00b", "password": "x", "device_id": other})),
        ("GET", "/units/a%00b", None),
        ("GET", "/rubrics/a%00b", None),
    ]
    with server.client(token) as client:
        for method, path, body in requests:
            answer = client.request(method, API_PREFIX + path, content=body,
                                    headers={"content-type": "application/json"})
            assert 400 <= answer.status_code < 500, (method, path, body, answer.status_code, answer.text)
            ErrorBody.model_validate_json(answer.content)
        # A NUL inside a row's free values is text like any other: stored escaped, pulled back.
        answer = client.post(API_PREFIX + "/changesets", content=push(seq=2, note="a\x00b"),
                             headers={"content-type": "application/json"})
        assert answer.status_code == 200, answer.text
        assert client.post(API_PREFIX + "/pull", json={"cursor": None, "limit": 1000}).status_code == 200


# --- pushes the description cannot make -----------------------------------------------------------
# A schemathesis changeset is refused at the first row: nothing random derives a row's key from
# its columns. These changesets pass the message's validation, so they reach the push itself
# (placement, conflicts, the receipt) and then pulls, with values of every JSON shape and
# identifying columns that name visits, units and findings the server has, has not, or that are
# not ids at all.

_LEAF = (st.none() | st.booleans() | st.integers(min_value=-2**70, max_value=2**70)
         | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12))
_JSON = st.recursive(_LEAF, lambda inner: st.lists(inner, max_size=3)
                     | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=8)
_COLUMN = st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True).filter(lambda c: c not in SYNC_BOOKKEEPING)
_IDENTIFYING = ("visit_id", "unit_id", "finding_id", "rubric_hash", "item_code", "section_code",
                "inspector_id", "team_id", "evidence_id", "sha256")


@dataclass
class _World:
    """What the pushes so far have made, for later ones to name."""

    device: str
    units: list[str]
    visits: list[str]
    revs: list[str]
    conflicts: list[str]
    blob: str
    seq: int = 0


def _pick(draw: st.DrawFn, options: list[str]) -> str:
    # An index, not sampled_from: the lists grow as pushes apply, and hypothesis must see the
    # same draws whatever they hold.
    return options[draw(st.integers(0, 2**16)) % len(options)]


@st.composite
def _changesets(draw: st.DrawFn, world: _World) -> dict[str, Any]:
    new_visits = [str(uuid.uuid4()) for _ in range(draw(st.integers(0, 2)))]
    named = world.units + world.visits + new_visits + [str(uuid.uuid4())]
    rows: list[dict[str, Any]] = []
    for visit in new_visits:
        rows.append({"table": "visits", "key": visit, "unit_id": _pick(draw, world.units)})
    for _ in range(draw(st.integers(0, 6))):
        table = draw(st.sampled_from(PROTOCOL_TABLES))
        values = draw(st.dictionaries(_COLUMN, _JSON, max_size=4))
        for column in draw(st.lists(st.sampled_from(_IDENTIFYING), max_size=4, unique=True)):
            choice = draw(st.integers(0, 2))
            values[column] = (world.blob if column == "sha256" else _pick(draw, named)) if choice else draw(_JSON)
        try:
            key = row_key(table, {**values, "id": str(uuid.uuid4())})
        except RowKeyError:
            continue
        rows.append({"table": table, "key": key, **values})
    seen: set[tuple[str, str]] = set()
    changes = []
    for row in rows:
        table, key = row.pop("table"), row.pop("key")
        # Every draw is made whatever the world holds, so each example draws alike.
        based, deleted, resolving = draw(st.booleans()), draw(st.booleans()), draw(st.booleans())
        base = _pick(draw, world.revs) if based and world.revs else None
        resolves = [_pick(draw, world.conflicts)] if resolving and world.conflicts else []
        if (table, key) in seen:
            continue
        seen.add((table, key))
        world.seq += 1
        changes.append({"table": table, "key": key, "rev": rev(world.seq, world.device), "base_rev": base,
                        "deleted": deleted, "values": row, "resolves": resolves})
    blobs = sorted({c["values"]["sha256"] for c in changes if c["table"] in ("evidence", "signatures")
                    and isinstance(c["values"].get("sha256"), str) and len(c["values"]["sha256"]) == 64})
    # The device's next number: above every revision counter so far, so never stale.
    world.seq += 1
    return changeset(world.device, world.seq, changes, blobs)


def test_valid_changesets_with_any_values_push_and_pull_without_a_server_error(server, backend):
    token = server.admin_token
    data = b"a photo"
    with server.client(token) as client:
        sha = hashlib.sha256(data).hexdigest()
        assert client.put(f"{API_PREFIX}/blobs/{sha}", content=data).status_code in (200, 201)
    inspector = server.make_account("inspector", COUNTY)
    units = [unit_id(server, code) for code in (UNIT_IN_TOWNSHIP, UNIT_ELSEWHERE)]
    worlds = {who: _World(new_device(server, tok), units, [], [], [], sha)
              for who, tok in (("admin", token), ("inspector", inspector.token))}
    tokens = {"admin": token, "inspector": inspector.token}
    answered: collections.Counter[int] = collections.Counter()
    outcomes: collections.Counter[str] = collections.Counter()

    @settings(max_examples=PUSH_EXAMPLES, deadline=None, database=None, derandomize=True,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(st.data())
    def push_and_pull(data: st.DataObject) -> None:
        who = data.draw(st.sampled_from(sorted(worlds)))
        world = worlds[who]
        body = data.draw(_changesets(world))
        with server.client(tokens[who]) as client:
            answer = client.post(API_PREFIX + "/changesets", json=body)
            answered[answer.status_code] += 1
            assert answer.status_code < 500, (body, answer.text)
            if answer.status_code != 200:
                ErrorBody.model_validate_json(answer.content)
                return
            receipt = Receipt.model_validate_json(answer.content)
            outcomes.update(r.status for r in receipt.rows)
            world.visits += [r.key for r in receipt.rows if r.table == "visits" and r.status == "applied"]
            world.revs += [r.rev for r in receipt.rows if r.status == "applied"]
            world.conflicts += [c.conflict_id for c in receipt.conflicts]
            # What was stored comes back whole in a pull, whatever its values.
            if len(world.revs) % 5 == 0:
                page = client.post(API_PREFIX + "/pull", json={"cursor": None, "limit": 1000})
                answered[page.status_code] += 1
                assert page.status_code == 200, page.text
                PullPage.model_validate_json(page.content)

    push_and_pull()
    print(f"\npushes on {backend}: answers {dict(sorted(answered.items()))}, rows {dict(outcomes)}")
    # Most changesets are valid messages: the push itself ran, not only validation.
    assert answered[200] > PUSH_EXAMPLES // 2
    assert outcomes["applied"] and outcomes["error"] and outcomes["unpermitted"]
