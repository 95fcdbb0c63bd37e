"""Push over real HTTP (docs/sync-protocol.md sections 7 and 8), on SQLite and PostgreSQL.

Every push is sent twice: the second answer must be the very same receipt (or the same refusal)
and must change nothing in the store.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from typing import Any

import httpx
from sqlalchemy import select

from app.sync.ids import response_key
from app.sync.protocol import Receipt
from server.store.schema import sync_changesets, sync_conflicts, sync_counter, sync_rows, units
from server.sync import push as push_module
from tests.server.conftest import COUNTY, OTHER_COUNTY, UNIT_ELSEWHERE, UNIT_IN_TOWNSHIP

API = "/api/v1"
RUBRIC = "9f2c4e1a7b3d5e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f"
SYNC_TABLES = (sync_rows, sync_conflicts, sync_changesets, sync_counter)


def rev(ms: int, device: str, counter: int = 0) -> str:
    return f"{ms:015d}-{counter:06d}-{device}"


def unit_id(server: Any, code: str) -> str:
    with server.engine.connect() as conn:
        return str(conn.execute(select(units.c.id).where(units.c.code == code)).scalar_one())


def visit_row(visit: str, unit: str, r: str, base: str | None = None, **values: Any) -> dict[str, Any]:
    return {"table": "visits", "key": visit, "rev": r, "base_rev": base,
            "values": {"unit_id": unit, "starts_on": "2026-11-24", **values}}


def response_row(visit: str, item: str, value: str, r: str, base: str | None = None,
                 **extra: Any) -> dict[str, Any]:
    return {"table": "responses", "key": response_key(visit, RUBRIC, item), "rev": r, "base_rev": base,
            "values": {"visit_id": visit, "rubric_hash": RUBRIC, "item_code": item, "value": value}, **extra}


def evidence_row(visit: str, sha: str, r: str) -> dict[str, Any]:
    return {"table": "evidence", "key": str(uuid.uuid4()), "rev": r, "base_rev": None,
            "values": {"visit_id": visit, "sha256": sha, "size": 5, "media_type": "image/jpeg"}}


def changeset(device: str, seq: int, rows: list[dict[str, Any]], blobs: list[str] | None = None,
              changeset_id: str | None = None) -> dict[str, Any]:
    return {"changeset_id": changeset_id or str(uuid.uuid4()), "device_id": device, "device_seq": seq,
            "created_at": "2026-11-24T17:45:12.004+08:00", "rows": rows, "blobs": blobs or []}


def snapshot(server: Any) -> dict[str, list[tuple[Any, ...]]]:
    with server.engine.connect() as conn:
        return {t.name: sorted(tuple(r) for r in conn.execute(select(t)).all()) for t in SYNC_TABLES}


def send(server: Any, token: str, body: Any) -> httpx.Response:
    with server.client(token) as c:
        if isinstance(body, (bytes, str)):
            return c.post(API + "/changesets", content=body, headers={"content-type": "application/json"})
        return c.post(API + "/changesets", json=body)


def push_twice(server: Any, token: str, body: Any) -> httpx.Response:
    """Send ``body`` twice; the second answer equals the first and changes nothing."""
    first = send(server, token, body)
    before = snapshot(server)
    second = send(server, token, body)
    assert second.status_code == first.status_code, second.text
    if first.status_code == 200:
        assert second.json() == first.json()
    else:
        assert {k: v for k, v in second.json().items() if k != "request_id"} == \
            {k: v for k, v in first.json().items() if k != "request_id"}
    assert snapshot(server) == before
    return first


def statuses(answer: httpx.Response) -> dict[str, str]:
    return {r["key"]: r["status"] for r in answer.json()["rows"]}


def upload(server: Any, token: str, data: bytes) -> str:
    sha = hashlib.sha256(data).hexdigest()
    with server.client(token) as c:
        assert c.put(f"{API}/blobs/{sha}", content=data).status_code in (200, 201)
    return sha


def test_push_applies_rows_and_replays_the_same_receipt(server):
    device, visit = str(uuid.uuid4()), str(uuid.uuid4())
    sha = upload(server, server.admin_token, b"photo")
    rows = [response_row(visit, "A.1.2", "partial", rev(2, device)), visit_row(visit, unit_id(server, UNIT_IN_TOWNSHIP), rev(1, device)),
            evidence_row(visit, sha, rev(3, device))]
    answer = push_twice(server, server.admin_token, changeset(device, 1, rows, [sha]))
    assert answer.status_code == 200, answer.text
    receipt = Receipt.model_validate(answer.json())
    assert [r.key for r in receipt.rows] == [r["key"] for r in rows]
    assert all(r.status == "applied" for r in receipt.rows) and receipt.conflicts == []
    assert receipt.server_seq >= 1
    stored = snapshot(server)["sync_rows"]
    assert len(stored) == 3 and {r[0] for r in stored} == {"visits", "responses", "evidence"}
    # Every row knows its visit and unit, and carries the receipt's sequence number.
    assert all(r[7] == visit and r[9] == receipt.server_seq for r in stored)
    later = push_twice(server, server.admin_token, changeset(device, 2, [
        response_row(visit, "A.1.2", "yes", rev(4, device), base=rev(2, device))]))
    assert statuses(later) == {rows[0]["key"]: "applied"}
    assert later.json()["server_seq"] > receipt.server_seq


def test_same_id_with_other_content_is_refused(server):
    device, visit = str(uuid.uuid4()), str(uuid.uuid4())
    body = changeset(device, 1, [visit_row(visit, unit_id(server, UNIT_IN_TOWNSHIP), rev(1, device))])
    assert push_twice(server, server.admin_token, body).status_code == 200
    before = snapshot(server)
    other = {**body, "rows": [visit_row(visit, unit_id(server, UNIT_IN_TOWNSHIP), rev(1, device), note="x")]}
    answer = push_twice(server, server.admin_token, other)
    assert answer.status_code == 409 and answer.json()["code"] == "changeset_reused"
    assert snapshot(server) == before


def test_a_stale_changeset_is_refused(server):
    device, visit = str(uuid.uuid4()), str(uuid.uuid4())
    unit = unit_id(server, UNIT_IN_TOWNSHIP)
    assert push_twice(server, server.admin_token, changeset(device, 5, [visit_row(visit, unit, rev(2, device))])).status_code == 200
    before = snapshot(server)
    for seq in (4, 5):  # below, and a second changeset with the same number
        answer = push_twice(server, server.admin_token, changeset(device, seq, [visit_row(visit, unit, rev(1, device))]))
        assert answer.status_code == 409 and answer.json()["code"] == "stale_changeset"
    assert snapshot(server) == before
    # Another device's numbering is its own.
    assert push_twice(server, server.admin_token, changeset(str(uuid.uuid4()), 1, [])).status_code == 200


def test_missing_blobs_refuse_the_whole_changeset_with_their_list(server):
    device, visit = str(uuid.uuid4()), str(uuid.uuid4())
    have = upload(server, server.admin_token, b"have it")
    lack = sorted(hashlib.sha256(x).hexdigest() for x in (b"one", b"two"))
    rows = [visit_row(visit, unit_id(server, UNIT_IN_TOWNSHIP), rev(1, device)), evidence_row(visit, have, rev(2, device)),
            evidence_row(visit, lack[0], rev(3, device)), evidence_row(visit, lack[1], rev(4, device))]
    before = snapshot(server)
    answer = push_twice(server, server.admin_token, changeset(device, 1, rows, [have, *lack]))
    assert answer.status_code == 422 and answer.json()["code"] == "blobs_missing"
    assert answer.json()["missing_blobs"] == lack
    assert snapshot(server) == before


def test_a_conflict_keeps_both_versions_and_equal_values_are_not_one(server):
    a, b, visit = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    unit = unit_id(server, UNIT_IN_TOWNSHIP)
    token = server.admin_token
    first = [visit_row(visit, unit, rev(1, a)), response_row(visit, "A.1", "yes", rev(2, a))]
    assert push_twice(server, token, changeset(a, 1, first)).status_code == 200
    key = first[1]["key"]
    # A edits from the server's revision: applied. B edited the same row from the older base.
    assert statuses(push_twice(server, token, changeset(a, 2, [response_row(visit, "A.1", "no", rev(3, a), base=rev(2, a))]))) == {key: "applied"}
    answer = push_twice(server, token, changeset(b, 1, [response_row(visit, "A.1", "partial", rev(4, b), base=rev(2, a))]))
    row = answer.json()["rows"][0]
    assert row["status"] == "conflict" and row["reason"] and row["conflict_id"]
    (conflict,) = answer.json()["conflicts"]
    assert conflict["conflict_id"] == row["conflict_id"] and conflict["visit_id"] == visit
    assert conflict["current"]["values"]["value"] == "no" and conflict["incoming"]["values"]["value"] == "partial"
    assert conflict["status"] == "open" and conflict["base_rev"] == rev(2, a)
    stored = snapshot(server)
    # Nothing overwritten: the row keeps A's value; the conflicts table holds both versions.
    (response,) = [r for r in stored["sync_rows"] if r[0] == "responses"]
    assert response[2] == rev(3, a) and '"no"' in response[6]
    (kept,) = stored["sync_conflicts"]
    assert '"no"' in kept[5] and '"partial"' in kept[6]
    # The same edit again in B's next changeset is the same conflict, not a second one.
    again = push_twice(server, token, changeset(b, 2, [response_row(visit, "A.1", "partial", rev(4, b), base=rev(2, a))]))
    assert again.json()["rows"][0]["conflict_id"] == row["conflict_id"]
    assert len(snapshot(server)["sync_conflicts"]) == 1
    # Another device reaching the same values from the old base agrees: applied, no conflict.
    c = str(uuid.uuid4())
    agree = push_twice(server, token, changeset(c, 1, [response_row(visit, "A.1", "no", rev(5, c), base=rev(2, a))]))
    assert statuses(agree) == {key: "applied"} and agree.json()["conflicts"] == []
    assert len(snapshot(server)["sync_conflicts"]) == 1
    # B settles the conflict from the current revision: applied, and the conflict is resolved.
    settle = response_row(visit, "A.1", "partial", rev(6, b), base=rev(5, c), resolves=[row["conflict_id"]])
    assert statuses(push_twice(server, token, changeset(b, 3, [settle]))) == {key: "applied"}
    (resolved,) = snapshot(server)["sync_conflicts"]
    assert resolved[8] == "resolved" and resolved[9] == rev(6, b)


def test_rows_outside_the_scope_are_unpermitted_and_the_rest_apply(server):
    township_visit, own_visit = str(uuid.uuid4()), str(uuid.uuid4())
    office = str(uuid.uuid4())
    assert push_twice(server, server.admin_token, changeset(office, 1, [
        visit_row(township_visit, unit_id(server, UNIT_IN_TOWNSHIP), rev(1, office))])).status_code == 200
    inspector = server.make_account("inspector", OTHER_COUNTY)
    device, unknown_visit = str(uuid.uuid4()), str(uuid.uuid4())
    rows = [
        visit_row(own_visit, unit_id(server, UNIT_ELSEWHERE), rev(1, device)),             # in scope
        response_row(own_visit, "A.1", "yes", rev(2, device)),                             # in scope
        visit_row(str(uuid.uuid4()), unit_id(server, UNIT_IN_TOWNSHIP), rev(3, device)),   # other county
        response_row(township_visit, "A.1", "no", rev(4, device)),                         # other county's visit
        {"table": "units", "key": str(uuid.uuid4()), "rev": rev(5, device), "base_rev": None,
         "values": {"code": "X1", "name": "x"}},                                           # office data
        visit_row(str(uuid.uuid4()), 42, rev(6, device)),                                  # malformed unit_id
        response_row(unknown_visit, "A.1", "yes", rev(7, device)),                         # unknown visit
        visit_row(str(uuid.uuid4()), str(uuid.uuid4()), rev(8, device)),                   # unknown unit
    ]
    answer = push_twice(server, inspector.token, changeset(device, 1, rows))
    assert answer.status_code == 200, answer.text
    got = [(r["status"], bool(r.get("reason"))) for r in answer.json()["rows"]]
    assert got == [("applied", False), ("applied", False), ("unpermitted", True), ("unpermitted", True),
                   ("unpermitted", True), ("error", True), ("error", True), ("error", True)]
    stored = {(r[0], r[1]) for r in snapshot(server)["sync_rows"]}
    assert stored == {("visits", township_visit), ("visits", own_visit), ("responses", rows[1]["key"])}
    # A county inspector may write in the township's visit.
    county = server.make_account("inspector", COUNTY)
    d2 = str(uuid.uuid4())
    assert statuses(push_twice(server, county.token, changeset(d2, 1, [response_row(township_visit, "A.1", "no", rev(9, d2))]))) \
        == {rows[3]["key"]: "applied"}


def test_a_failing_transaction_stores_nothing(server, monkeypatch):
    device, visit = str(uuid.uuid4()), str(uuid.uuid4())
    body = changeset(device, 1, [visit_row(visit, unit_id(server, UNIT_IN_TOWNSHIP), rev(1, device)),
                                 response_row(visit, "A.1", "yes", rev(2, device))])
    before = snapshot(server)

    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("injected failure after the rows were written")

    monkeypatch.setattr(push_module, "record", broken)
    assert send(server, server.admin_token, body).status_code == 500
    assert snapshot(server) == before
    monkeypatch.undo()
    answer = push_twice(server, server.admin_token, body)
    assert statuses(answer) == {body["rows"][0]["key"]: "applied", body["rows"][1]["key"]: "applied"}


def test_concurrent_pushes_get_distinct_sequence_numbers(server):
    unit = unit_id(server, UNIT_IN_TOWNSHIP)
    bodies = []
    for _ in range(8):
        device, visit = str(uuid.uuid4()), str(uuid.uuid4())
        bodies.append(changeset(device, 1, [visit_row(visit, unit, rev(1, device)),
                                            *(response_row(visit, f"A.{i}", "yes", rev(2 + i, device)) for i in range(20))]))
    # The same changeset four times at once is applied once.
    same = bodies[0]
    answers: list[httpx.Response] = []
    lock = threading.Lock()

    def go(body: dict[str, Any]) -> None:
        answer = send(server, server.admin_token, body)
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=go, args=(b,)) for b in [*bodies, same, same, same]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(a.status_code == 200 for a in answers), [a.text for a in answers if a.status_code != 200]
    by_id: dict[str, set[int]] = {}
    for a in answers:
        by_id.setdefault(a.json()["changeset_id"], set()).add(a.json()["server_seq"])
    assert all(len(s) == 1 for s in by_id.values())
    seqs = [s.pop() for s in by_id.values()]
    assert len(seqs) == 8 and len(set(seqs)) == 8
    stored = snapshot(server)
    assert len(stored["sync_changesets"]) == 8 and len(stored["sync_rows"]) == 8 * 21
    assert sorted(r[5] for r in stored["sync_changesets"]) == sorted(seqs)


def test_bad_bodies_are_refused_and_store_nothing(server):
    device = str(uuid.uuid4())
    good = changeset(device, 1, [visit_row(str(uuid.uuid4()), unit_id(server, UNIT_IN_TOWNSHIP), rev(1, device))])
    unknown_field = {**good, "rows": [{**good["rows"][0], "colour": "red"}]}
    unknown_table = {**good, "rows": [{**good["rows"][0], "table": "parking_tickets"}]}
    wrong_type = {**good, "device_seq": "twelve"}
    oversized = {**good, "rows": [{**good["rows"][0], "values": {"unit_id": good["rows"][0]["values"]["unit_id"],
                                                                 "note": "x" * (2 * 1024 * 1024)}}]}
    before = snapshot(server)
    for body, status in ((b"{not json", 400), (unknown_field, 400), (unknown_table, 400), (wrong_type, 400),
                         (oversized, 413), ({**good, "finalizations": [{"visit_id": str(uuid.uuid4()),
                          "amendment_no": 0, "content_hash": "0" * 64, "replaces": None,
                          "finalized_at": "2026-11-24T17:45:12.004+08:00",
                          "score": {"total": "1", "maximum": "2", "band": None}}]}, 422)):
        answer = push_twice(server, server.admin_token, body)
        assert answer.status_code == status, answer.text
        assert answer.json()["code"] in {"malformed", "too_large", "invalid"}
    assert snapshot(server) == before
    with server.client() as c:
        assert c.post(API + "/changesets", json=good).status_code == 401
    assert snapshot(server) == before
