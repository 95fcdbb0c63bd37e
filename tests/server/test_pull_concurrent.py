"""A cursor is stable while pushes commit: a client paging during concurrent pushes, and then
once more from its last cursor, ends with exactly the server's rows (on SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
import uuid

from sqlalchemy import select

from server.store.schema import sync_rows
from tests.server.conftest import UNIT_IN_TOWNSHIP
from tests.server.push_support import (
    changeset,
    new_device,
    response_row,
    rev,
    send,
    unit_id,
    visit_row,
)
from tests.server.test_pull_support import pull

WRITERS = 3
PUSHES = 6


def test_paging_during_concurrent_pushes_converges(server):
    token = server.admin_token
    unit = unit_id(server, UNIT_IN_TOWNSHIP)
    visit, first = str(uuid.uuid4()), new_device(server, token)
    assert send(server, token, changeset(first, 1, [visit_row(visit, unit, rev(1, first))])).status_code == 200
    failures: list[str] = []

    def writer(n: int) -> None:
        device = devices[n]
        for seq in range(1, PUSHES + 1):
            rows = [response_row(visit, f"W{n}.{i}", str(seq), rev(10 * seq + i, device),
                                 base=rev(10 * (seq - 1) + i, device) if seq > 1 else None) for i in range(3)]
            answer = send(server, token, changeset(device, seq, rows))
            if answer.status_code != 200 or any(r["status"] != "applied" for r in answer.json()["rows"]):
                failures.append(answer.text)

    devices = [new_device(server, token) for _ in range(WRITERS)]
    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for t in threads:
        t.start()
    applied: dict[tuple[str, str], str] = {}
    seqs: list[int] = []
    cursor = None

    def page_once() -> bool:
        nonlocal cursor
        page = pull(server, token, {"cursor": cursor, "limit": 2})
        for item in page.items:
            seqs.append(item.seq)
            if item.kind == "row" and item.table in ("visits", "responses"):
                applied[item.table, item.key] = item.row.rev
        cursor = page.next_cursor
        return page.more

    while any(t.is_alive() for t in threads):
        page_once()
    for t in threads:
        t.join()
    while page_once():
        pass
    assert failures == []
    assert seqs == sorted(seqs)
    with server.engine.connect() as conn:
        stored = {(r.table_name, r.key): r.rev for r in conn.execute(select(sync_rows)).all()}
    assert len(stored) == 1 + WRITERS * 3
    assert applied == stored
