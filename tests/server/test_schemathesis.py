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

Failures are collected and reported together at the end (one line per distinct kind, with a curl
command to repeat it) rather than shrunk one by one, which would take minutes per failure.
"""

from __future__ import annotations

import collections
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import hypothesis
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
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
from server import accounts
from server.config import API_PREFIX, PROTOCOL, PROTOCOL_HEADER
from server.store.schema import accounts as accounts_table
from tests.server.conftest import UNIT_IN_TOWNSHIP
from tests.server.push_support import changeset, new_device, rev, unit_id, visit_row

# Examples per operation and mode. Operations without parameters have a single positive request
# and no negative one; the others reach this many: about 1,600 stateless requests, then about
# 330 in chains.
EXAMPLES = 100
STATEFUL_EXAMPLES = 40
MIN_REQUESTS = 1000
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

    Steps.run(settings=settings(max_examples=examples, stateful_step_count=8, deadline=None,
                                database=None, derandomize=True, phases=[Phase.generate],
                                suppress_health_check=list(HealthCheck)))


def test_generated_requests_get_no_server_error_and_only_contract_refusals(server, backend):
    tally = Tally()
    schema = schemathesis.openapi.from_url(server.url + "/openapi.json")
    _run_stateless(server, schema, tally, EXAMPLES)
    stateless = tally.requests
    # /logout is left out of the chains: each logout needs a token of its own (see _run_stateless).
    _run_stateful(server, schema.exclude(path=API_PREFIX + "/logout"), tally, STATEFUL_EXAMPLES)
    print(f"\nschemathesis on {backend}: {stateless} stateless and {tally.requests - stateless} stateful "
          f"requests ({tally.linked_pulls} pulls from the page before); answers by operation and status:")
    for (label, status), count in sorted(tally.statuses.items()):
        print(f"  {label:<40} {status}  {count}")
    assert not tally.failures, f"{len(tally.failures)} kinds of failure:\n{tally.report()}"
    assert tally.requests >= MIN_REQUESTS
    assert not any(status >= 500 for _label, status in tally.statuses)
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
