"""Two server processes over one database behave as one server: a token made by one works on
the other, a logout on one is seen by the other, and the login rate limit counts failures from
both; a changeset sent to each is applied once with one receipt, pushes to both at once are
numbered without gaps, and a pull paged across both is what one gives. Their logs are JSON lines with request ids and never hold a password or a token."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from server.config import PROTOCOL, PROTOCOL_HEADER
from tests.server.conftest import ADMIN_PASSWORD, COUNTY, UNIT_IN_TOWNSHIP
from tests.server.process_support import serving
from tests.server.push_support import changeset, new_device, response_row, rev, unit_id, visit_row

API = "/api/v1"
HEADERS = {PROTOCOL_HEADER: str(PROTOCOL)}


@pytest.fixture
def two_processes(server, tmp_path: Path) -> Iterator[tuple[list[str], list[Path]]]:
    with serving(tmp_path, {"database": server.config.database_url, "login_max_per_account": 3,
                            "login_max_per_address": 100}, count=2) as servers:
        yield [s.url for s in servers], [s.log for s in servers]


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


def _post(url: str, token: str, path: str, body: dict) -> httpx.Response:
    return httpx.post(url + API + path, json=body, timeout=60,
                      headers=HEADERS | {"Authorization": f"Bearer {token}"})


def _pull_pages(urls: list[str], token: str, limit: int) -> list[dict]:
    """Every item from the start, page after page, each page asked of the next process in turn."""
    items: list[dict] = []
    cursor, more, turn = None, True, 0
    while more:
        answer = _post(urls[turn % len(urls)], token, "/pull", {"cursor": cursor, "limit": limit})
        assert answer.status_code == 200, answer.text
        page = answer.json()
        items += page["items"]
        cursor, more, turn = page["next_cursor"], page["more"], turn + 1
    return items


def test_two_processes_push_and_pull_as_one_server(server, two_processes):
    (a, b), _logs = two_processes
    token = server.admin_token
    unit = unit_id(server, UNIT_IN_TOWNSHIP)

    # One laptop whose requests alternate: every changeset goes to both processes, in turn first
    # to one and then the other, and both answer the very same receipt (applied once).
    device = new_device(server, token)
    visit = str(uuid.uuid4())
    for seq in range(1, 7):
        rows = [response_row(visit, f"A.{seq}", "yes", rev(2 * seq, device))]
        if seq == 1:
            rows.insert(0, visit_row(visit, unit, rev(1, device)))
        body = changeset(device, seq, rows)
        first, second = (a, b) if seq % 2 else (b, a)
        answer = _post(first, token, "/changesets", body)
        assert answer.status_code == 200, answer.text
        assert all(r["status"] == "applied" for r in answer.json()["rows"])
        again = _post(second, token, "/changesets", body)
        assert again.status_code == 200 and again.json() == answer.json()
    # A stale changeset is refused by the other process too.
    stale = _post(b, token, "/changesets", changeset(device, 3, [visit_row(visit, unit, rev(99, device))]))
    assert stale.status_code == 409 and stale.json()["code"] == "stale_changeset"

    # Laptops pushing at once to both processes: each changeset is numbered once, in commit order,
    # with no number skipped (nothing else takes numbers meanwhile).
    devices = [new_device(server, token) for _ in range(6)]
    receipts: list[dict] = []
    errors: list[str] = []

    def laptop(i: int, dev: str) -> None:
        own_visit = str(uuid.uuid4())
        for seq in range(1, 6):
            rows = [response_row(own_visit, f"B.{seq}.{j}", "no", rev(10 * seq + j, dev)) for j in range(5)]
            if seq == 1:
                rows.insert(0, visit_row(own_visit, unit, rev(1, dev)))
            answer = _post((a, b)[(i + seq) % 2], token, "/changesets", changeset(dev, seq, rows))
            if answer.status_code != 200:
                errors.append(answer.text)
                return
            receipts.append(answer.json())

    threads = [threading.Thread(target=laptop, args=(i, dev)) for i, dev in enumerate(devices)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    numbers = sorted(r["server_seq"] for r in receipts)
    assert len(receipts) == 30 and numbers == list(range(numbers[0], numbers[0] + 30))

    # A pull paged across both processes is exactly what one process gives in one go, and it
    # delivers every pushed row under its receipt's number.
    whole = _pull_pages([a], token, limit=1000)
    assert _pull_pages([a, b], token, limit=7) == whole
    assert _pull_pages([b, a], token, limit=3) == whole
    delivered = {(i["table"], i["key"]): i["seq"] for i in whole if i["kind"] == "row"}
    for receipt in receipts:
        for row in receipt["rows"]:
            assert delivered[(row["table"], row["key"])] == receipt["server_seq"]
    seqs = [i["seq"] for i in whole]
    assert seqs == sorted(seqs)
