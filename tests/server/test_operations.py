"""The gate every request passes (protocol version, body size, error shape) and the
operations endpoints: health, readiness, metrics, JSON logs."""

from __future__ import annotations

import json

import httpx
from sqlalchemy import func, select

from server.config import MIN_PROTOCOL, PROTOCOL, PROTOCOL_HEADER
from server.store.schema import devices, tokens
from tests.server.conftest import ADMIN_PASSWORD

API = "/api/v1"


def _error(answer: httpx.Response) -> dict:
    body = answer.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    return body["error"]


def test_an_old_or_missing_protocol_version_is_told_to_update(server):
    for headers in ({PROTOCOL_HEADER: "0"}, {}):
        answer = httpx.post(server.url + API + "/login", headers=headers,
                            json={"login": "admin", "password": ADMIN_PASSWORD})
        assert answer.status_code == 426
        error = _error(answer)
        assert error["code"] == "upgrade_required"
        assert error["details"] == {"minimum": MIN_PROTOCOL, "current": PROTOCOL, "header": PROTOCOL_HEADER}
        assert "please update" in error["message"]
    with server.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(tokens)).scalar_one() == 1  # the fixture's


def test_a_bad_or_newer_protocol_version_is_a_400(server):
    for value, code in (("one", "bad_protocol"), (str(PROTOCOL + 1), "unsupported_protocol")):
        answer = httpx.get(server.url + API + "/me", headers={PROTOCOL_HEADER: value})
        assert answer.status_code == 400
        assert _error(answer)["code"] == code


def test_bad_input_is_a_4xx_in_one_shape_and_stores_nothing(server):
    device = {"id": "d1", "name": "laptop", "public_key": "k"}
    with server.client(server.admin_token) as c:
        cases = [
            c.post(f"{API}/devices", content=b"{not json", headers={"content-type": "application/json"}),
            c.post(f"{API}/devices", json=device | {"colour": "red"}),     # unknown field
            c.post(f"{API}/devices", json=device | {"name": 5}),           # wrong type
            c.post(f"{API}/devices", json={"id": "d1"}),                   # missing fields
            c.post(f"{API}/devices", json=device | {"id": "a/b"}),         # not an id
            c.post(f"{API}/devices", json=[device]),
        ]
    for answer in cases:
        assert answer.status_code == 422, answer.text
        assert _error(answer)["code"] == "invalid"
    with server.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(devices)).scalar_one() == 0


def test_validation_errors_never_echo_the_password(server):
    answer = server.login("admin", "secret-in-body", extra="x")
    assert answer.status_code == 422
    assert "secret-in-body" not in answer.text
    assert _error(answer)["details"][0]["where"] == "body.extra"


def test_oversized_bodies_are_refused_with_or_without_a_length(server):
    big = b'{"id": "d1", "name": "' + b"x" * (2 * 1024 * 1024) + b'", "public_key": "k"}'
    with server.client(server.admin_token) as c:
        declared = c.post(f"{API}/devices", content=big, headers={"content-type": "application/json"})
        streamed = c.post(f"{API}/devices", content=iter([big[:600_000], big[600_000:]]),
                          headers={"content-type": "application/json"})
    for answer in (declared, streamed):
        assert answer.status_code == 413
        assert _error(answer)["code"] == "too_large"
    with server.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(devices)).scalar_one() == 0


def test_unknown_paths_and_methods_use_the_error_shape(server):
    with server.client(server.admin_token) as c:
        assert _error(c.get(f"{API}/nowhere"))["code"] == "not_found"
        assert _error(c.delete(f"{API}/units"))["code"] == "method_not_allowed"


def test_health_readiness_and_metrics(server):
    assert httpx.get(server.url + "/healthz").json() == {"status": "ok"}
    ready = httpx.get(server.url + "/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "checks": {"database": "ok", "blobs": "ok"}}
    with server.client(server.admin_token) as c:
        c.get(f"{API}/units")
        c.get(f"{API}/units/some-id")
    text = httpx.get(server.url + "/metrics").text
    # Routes are labelled by their template, so ids do not explode the label set.
    assert 'fieldmark_http_requests_total{method="GET",route="/api/v1/units/{unit_id}",status="404"}' in text
    assert 'fieldmark_http_request_seconds_bucket{le="0.005",method="GET",route="/api/v1/units"}' in text
    assert 'fieldmark_logins_total{outcome="ok"}' in text


def test_every_answer_carries_a_request_id(server):
    given = httpx.get(server.url + "/healthz", headers={"X-Request-Id": "abc-123"})
    made = httpx.get(server.url + "/healthz", headers={"X-Request-Id": "bad id;<script>"})
    assert given.headers["x-request-id"] == "abc-123"
    assert len(made.headers["x-request-id"]) == 32


def test_openapi_describes_the_api(server):
    paths = json.loads(httpx.get(server.url + "/openapi.json").text)["paths"]
    assert {f"{API}/login", f"{API}/units/{{unit_id}}", f"{API}/assignments"} <= set(paths)
