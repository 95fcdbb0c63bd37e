"""Two server processes over one database behave as one server: a token made by one works on
the other, a logout on one is seen by the other, and the login rate limit counts failures from
both. Their logs are JSON lines with request ids and never hold a password or a token."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from server.config import PROTOCOL, PROTOCOL_HEADER
from tests.server.conftest import ADMIN_PASSWORD, COUNTY, ROOT, free_port

API = "/api/v1"
HEADERS = {PROTOCOL_HEADER: str(PROTOCOL)}


@pytest.fixture
def two_processes(server, tmp_path: Path) -> Iterator[tuple[list[str], list[Path]]]:
    (tmp_path / "server.json").write_text(json.dumps({
        "database": server.config.database_url, "login_max_per_account": 3,
        "login_max_per_address": 100}), encoding="utf-8")
    urls, logs, procs = [], [], []
    for i in range(2):
        port = free_port()
        log = tmp_path / f"server{i}.log"
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "server.cli", "serve", "--data-dir", str(tmp_path), "--port", str(port)],
            cwd=ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT))
        urls.append(f"http://127.0.0.1:{port}")
        logs.append(log)
    try:
        for url, proc, log in zip(urls, procs, logs, strict=True):
            _wait(url, proc, log)
        yield urls, logs
    finally:
        for proc in procs:
            proc.terminate()  # SIGTERM: uvicorn's graceful shutdown
        for proc, log in zip(procs, logs, strict=True):
            # uvicorn finishes the requests in flight, then re-raises the signal (-15).
            assert proc.wait(timeout=30) in (0, -15)
            assert "Finished server process" in log.read_text(encoding="utf-8")


def _wait(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"server exited: {log.read_text()}")
        try:
            if httpx.get(url + "/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    pytest.fail(f"server did not start: {log.read_text()}")


def _login(url: str, login: str, password: str) -> httpx.Response:
    return httpx.post(url + API + "/login", headers=HEADERS,
                      json={"username": login, "password": password, "device_id": str(uuid.uuid4())})


def test_two_processes_share_tokens_and_rate_limits(server, two_processes):
    (a, b), logs = two_processes
    token = _login(a, "admin", ADMIN_PASSWORD).json()["token"]
    auth = HEADERS | {"Authorization": f"Bearer {token}"}
    assert httpx.get(b + API + "/me", headers=auth).json()["username"] == "admin"
    assert httpx.post(b + API + "/logout", headers=auth).status_code == 204
    assert httpx.get(a + API + "/me", headers=auth).status_code == 401

    ins = server.make_account("inspector", COUNTY, login="ins", password="right-password")
    for url in (a, b, a):  # three failures, alternating: the limit is 3 per account
        assert _login(url, "ins", "wrong-password").status_code == 401
    for url in (b, a):
        answer = _login(url, "ins", ins.password)
        assert answer.status_code == 429, answer.text

    lines = [line for log in logs for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    requests = [r for r in records if r["msg"] == "request"]
    assert len(requests) >= 9
    assert all(len(r["request_id"]) == 32 and r["status"] for r in requests)
    text = "\n".join(lines)
    for secret in (ADMIN_PASSWORD, "right-password", "wrong-password", token, ins.token):
        assert secret not in text
