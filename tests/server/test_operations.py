"""The gate every request passes (protocol version, body size, error shape) and the
operations endpoints: health, readiness, metrics, JSON logs."""

from __future__ import annotations

import json
import re
import time

import httpx
import pytest
from sqlalchemy import func, select

from app.sync.errors_body import ErrorBody
from app.sync.keys import generate_device_key, public_key_text
from app.sync.protocol import MIN_CLIENT_VERSION, PROTOCOL_HEADER, PROTOCOL_VERSION
from server.store.schema import devices, tokens
from tests.server.conftest import ADMIN_PASSWORD

API = "/api/v1"


DEVICE = "1c9e6a52-8f0b-4d3e-a1b7-2c5d9e8f0a13"
PUBLIC_KEY = public_key_text(generate_device_key())


def _error(answer: httpx.Response) -> ErrorBody:
    """The contract's error body, exactly: nothing else, and the answer's request id."""
    error = ErrorBody.model_validate(answer.json())
    assert error.request_id == answer.headers["x-request-id"]
    return error


def _login(server, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(server.url + API + "/login", headers=headers,
                      json={"username": "admin", "password": ADMIN_PASSWORD, "device_id": DEVICE})


def test_an_old_or_missing_protocol_version_is_told_to_update(server):
    # No header at all: the client predates it, so it is too old.
    for headers in ({PROTOCOL_HEADER: str(MIN_CLIENT_VERSION - 1)}, {}):
        answer = _login(server, headers)
        assert answer.status_code == 426
        error = _error(answer)
        assert error.code == "protocol_too_old" and error.min_version == MIN_CLIENT_VERSION
        assert "please update" in error.message
        assert answer.headers["upgrade"] == f"{PROTOCOL_HEADER}/{PROTOCOL_VERSION}"
        assert answer.headers[PROTOCOL_HEADER] == str(PROTOCOL_VERSION)
    with server.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(tokens)).scalar_one() == 1  # the fixture's


def test_a_newer_client_is_served_and_told_the_server_version(server):
    answer = _login(server, {PROTOCOL_HEADER: str(PROTOCOL_VERSION + 1)})
    assert answer.status_code == 200, answer.text
    assert answer.headers[PROTOCOL_HEADER] == str(PROTOCOL_VERSION)
    with server.client(answer.json()["token"], **{PROTOCOL_HEADER: "99"}) as c:
        me = c.get(f"{API}/me")
    assert me.status_code == 200 and me.headers[PROTOCOL_HEADER] == str(PROTOCOL_VERSION)
    # Outside the API there is no protocol: no header wanted, none named.
    health = httpx.get(server.url + "/healthz")
    assert health.status_code == 200 and PROTOCOL_HEADER.lower() not in health.headers


@pytest.mark.parametrize("value", ["one", "1.0", "-1", "²".encode("latin-1"), ""])
def test_a_version_that_is_not_a_number_is_malformed(server, value):
    answer = httpx.get(server.url + API + "/me", headers={PROTOCOL_HEADER: value})
    assert answer.status_code == 400
    error = _error(answer)
    assert error.code == "malformed" and error.problems[0].location == ["header", PROTOCOL_HEADER]


def test_bad_input_is_a_400_in_the_contract_shape_and_stores_nothing(server):
    device = {"device_id": DEVICE, "public_key": PUBLIC_KEY, "label": "laptop"}
    url = f"{API}/devices/{DEVICE}"
    with server.client(server.admin_token) as c:
        cases = {
            "not json": c.put(url, content=b"{not json", headers={"content-type": "application/json"}),
            "unknown field": c.put(url, json=device | {"colour": "red"}),
            "wrong type": c.put(url, json=device | {"label": 5}),
            "missing fields": c.put(url, json={"device_id": DEVICE}),
            "not an id": c.put(f"{API}/devices/a-b", json=device | {"device_id": "a-b"}),
            "not an object": c.put(url, json=[device]),
        }
    for what, answer in cases.items():
        assert answer.status_code == 400, (what, answer.text)
        error = _error(answer)
        assert error.code == "malformed" and error.problems, what
    assert _error(cases["unknown field"]).problems[0].location == ["colour"]
    with server.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(devices)).scalar_one() == 0


def test_validation_errors_never_echo_the_password(server):
    answer = server.login("admin", "secret-in-body", extra="x")
    assert answer.status_code == 400
    assert "secret-in-body" not in answer.text
    error = _error(answer)
    assert error.code == "malformed"
    assert [p.location for p in error.problems] == [["extra"]]
    too_long = server.login("admin", "secret-" + "y" * 1_000)
    assert too_long.status_code == 400 and "secret-" not in too_long.text


def test_oversized_bodies_are_refused_with_or_without_a_length(server):
    big = json.dumps({"device_id": DEVICE, "public_key": PUBLIC_KEY,
                      "label": "x" * (server.config.max_body_bytes + 1024)}).encode()
    with server.client(server.admin_token) as c:
        declared = c.put(f"{API}/devices/{DEVICE}", content=big, headers={"content-type": "application/json"})
        streamed = c.put(f"{API}/devices/{DEVICE}", content=iter([big[:600_000], big[600_000:]]),
                         headers={"content-type": "application/json"})
    for answer in (declared, streamed):
        assert answer.status_code == 413
        assert _error(answer).code == "too_large"
    with server.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(devices)).scalar_one() == 0


def test_unknown_paths_and_methods_use_the_error_shape(server):
    with server.client(server.admin_token) as c:
        assert _error(c.get(f"{API}/nowhere")).code == "not_found"
        # The contract has no code of its own for a wrong method: 405, as not_found.
        wrong_method = c.delete(f"{API}/units")
        assert wrong_method.status_code == 405 and _error(wrong_method).code == "not_found"


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


def test_openapi_shows_the_contract_messages(server):
    doc = json.loads(httpx.get(server.url + "/openapi.json").text)

    def ref(operation: dict, status: str | None = None) -> str:
        content = (operation["responses"][status] if status else operation["requestBody"])["content"]
        return content["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]

    login = doc["paths"][f"{API}/login"]["post"]
    device = doc["paths"][f"{API}/devices/{{device_id}}"]["put"]
    assert (ref(login), ref(login, "200"), ref(login, "429")) == ("LoginRequest", "LoginResponse", "ErrorBody")
    assert (ref(device), ref(device, "201"), ref(device, "200"), ref(device, "409")) == (
        "DeviceRegistration", "DeviceRegistered", "DeviceRegistered", "ErrorBody")
    assert set(doc["components"]["schemas"]["Account"]["properties"]["role"]["enum"]) == {
        "inspector", "team_leader", "office_staff", "admin"}


def test_the_suite_runs_on_sqlite_with_files_and_on_postgresql_with_s3(server, backend):
    blobs = server.config.blobs_url or ""
    assert blobs.startswith("s3://") == (backend == "postgresql"), blobs
    assert server.config.database_url.split(":", 1)[0].startswith(backend)
    with server.client() as c:
        assert c.get("/readyz").json()["checks"]["blobs"] == "ok"


def test_a_body_that_stops_arriving_is_given_up(server, monkeypatch):
    import socket
    from urllib.parse import urlsplit

    from server import observe

    monkeypatch.setattr(observe, "BODY_STALL_S", 1.0)
    where = urlsplit(server.url)
    with socket.create_connection((where.hostname, where.port), timeout=10) as s:
        # Headers and a tenth of the body, then silence with the connection open (Wi-Fi gone).
        s.sendall(b"POST /api/v1/pull HTTP/1.1\r\nHost: x\r\nFieldmark-Protocol: 1\r\n"
                  b"Authorization: Bearer " + server.admin_token.encode() + b"\r\n"
                  b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"cursor\":")
        started = time.monotonic()
        received = b""
        # The head and the body may come in separate segments: read until the body is whole.
        while b"\r\n\r\n" not in received or len(received.partition(b"\r\n\r\n")[2]) < int(
                re.search(rb"content-length: (\d+)", received.lower()).group(1)):  # type: ignore[union-attr]
            chunk = s.recv(65536)
            if not chunk:
                break
            received += chunk
        answer = received.decode("utf-8")
    assert answer.startswith("HTTP/1.1 408"), answer[:200]
    assert time.monotonic() - started < 8
    assert '"code":"malformed"' in answer.replace(" ", "") and "stopped arriving" in answer
