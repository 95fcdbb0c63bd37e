"""Graceful shutdown: SIGTERM while a push is in flight lets that push finish and answer.

A real `fieldmark-server serve` process on the test's database receives a large changeset
(5,000 rows) sent slowly, in pieces over about two seconds, and gets SIGTERM half-way. The client must still receive the
receipt, every row must be in the store, and the process must exit cleanly. A push cut off by
a restart would otherwise leave the laptop unsure whether its rows arrived (they would, once,
thanks to the changeset id, but the laptop would have to push again to learn it).
"""

from __future__ import annotations

import json
import signal
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from app.sync.keys import generate_device_key, public_key_text
from app.sync.protocol import MAX_ROWS_PER_CHANGESET
from server.config import PROTOCOL, PROTOCOL_HEADER
from server.store.schema import sync_rows
from tests.server.conftest import UNIT_IN_TOWNSHIP
from tests.server.process_support import serving
from tests.server.push_support import changeset, response_row, rev, unit_id, visit_row

API = "/api/v1"


def test_sigterm_lets_the_push_in_flight_finish(server, tmp_path: Path):
    with serving(tmp_path, {"database": server.config.database_url}) as (one,):
        proc, url, log = one.process, one.url, one.log
        device, visit = str(uuid.uuid4()), str(uuid.uuid4())
        headers = {PROTOCOL_HEADER: str(PROTOCOL), "Authorization": f"Bearer {server.admin_token}"}
        with httpx.Client(base_url=url, headers=headers, timeout=120) as c:
            registered = c.put(f"{API}/devices/{device}", json={
                "device_id": device, "public_key": public_key_text(generate_device_key())})
            assert registered.status_code in (200, 201), registered.text
        rows = [visit_row(visit, unit_id(server, UNIT_IN_TOWNSHIP), rev(1, device))]
        rows += [response_row(visit, f"A.{n}", "yes", rev(2, device, n)) for n in range(MAX_ROWS_PER_CHANGESET - 1)]
        body = changeset(device, 1, rows)

        answer: dict[str, httpx.Response] = {}
        data = json.dumps(body).encode()
        pieces = 8

        def slowly() -> Iterator[bytes]:
            # A laptop on a poor connection: the request is certainly in flight at SIGTERM.
            step = -(-len(data) // pieces)
            for start in range(0, len(data), step):
                yield data[start:start + step]
                time.sleep(0.25)

        def push() -> None:
            with httpx.Client(base_url=url, headers=headers | {"content-type": "application/json",
                                                               "content-length": str(len(data))},
                              timeout=120) as c:
                answer["push"] = c.post(API + "/changesets", content=slowly())

        sender = threading.Thread(target=push)
        sender.start()
        time.sleep(0.8)
        assert "push" not in answer, "the push ended before SIGTERM: make the changeset bigger"
        proc.send_signal(signal.SIGTERM)
        sender.join(timeout=120)

        assert answer["push"].status_code == 200, answer["push"].text
        receipt = answer["push"].json()
        assert len(receipt["rows"]) == MAX_ROWS_PER_CHANGESET
        assert {r["status"] for r in receipt["rows"]} == {"applied"}
        with server.engine.connect() as conn:
            stored = conn.execute(select(func.count()).select_from(sync_rows)
                                  .where(sync_rows.c.visit_id == visit)).scalar_one()
        assert stored == MAX_ROWS_PER_CHANGESET
        assert proc.wait(timeout=60) in (0, -signal.SIGTERM)
        assert "Finished server process" in log.read_text(encoding="utf-8")
        # New connections are refused once it stopped: the push was the last thing it did.
        with pytest.raises(httpx.TransportError):
            httpx.get(url + "/healthz", timeout=2)
