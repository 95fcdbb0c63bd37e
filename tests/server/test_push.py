"""Push over real HTTP (docs/sync-protocol.md sections 7 and 8), on SQLite and PostgreSQL.

Every push is sent twice: the second answer must be the very same receipt (or the same refusal)
and must change nothing in the store. Every push comes from a device registered to the pushing
account, as a laptop registers right after login.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from typing import Any

import httpx

from app.sync.protocol import Receipt
from server.sync import push as push_module
from tests.server.conftest import COUNTY, OTHER_COUNTY, UNIT_ELSEWHERE, UNIT_IN_TOWNSHIP
from tests.server.push_support import (
    API,
    changeset,
    evidence_row,
    metric,
    new_device,
    push_twice,
    register_device,
    response_row,
    rev,
    send,
    snapshot,
    statuses,
    unit_id,
    upload,
    visit_row,
)


def test_push_applies_rows_and_replays_the_same_receipt(server):
    device, visit = new_device(server, server.admin_token), str(uuid.uuid4())
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
    device, visit = new_device(server, server.admin_token), str(uuid.uuid4())
    body = changeset(device, 1, [visit_row(visit, unit_id(server, UNIT_IN_TOWNSHIP), rev(1, device))])
    assert push_twice(server, server.admin_token, body).status_code == 200
    before = snapshot(server)
    other = {**body, "rows": [visit_row(visit, unit_id(server, UNIT_IN_TOWNSHIP), rev(1, device), note="x")]}
    answer = push_twice(server, server.admin_token, other)
    assert answer.status_code == 409 and answer.json()["code"] == "changeset_reused"
    assert snapshot(server) == before


def test_a_stale_changeset_is_refused(server):
    device, visit = new_device(server, server.admin_token), str(uuid.uuid4())
    unit = unit_id(server, UNIT_IN_TOWNSHIP)
    assert push_twice(server, server.admin_token, changeset(device, 5, [visit_row(visit, unit, rev(2, device))])).status_code == 200
    before = snapshot(server)
    for seq in (4, 5):  # below, and a second changeset with the same number
        answer = push_twice(server, server.admin_token, changeset(device, seq, [visit_row(visit, unit, rev(1, device))]))
        assert answer.status_code == 409 and answer.json()["code"] == "stale_changeset"
    assert snapshot(server) == before
    # Another device's numbering is its own.
    assert push_twice(server, server.admin_token, changeset(new_device(server, server.admin_token), 1, [])).status_code == 200


def test_missing_blobs_refuse_the_whole_changeset_with_their_list(server):
    device, visit = new_device(server, server.admin_token), str(uuid.uuid4())
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
    a, b, visit = new_device(server, server.admin_token), new_device(server, server.admin_token), str(uuid.uuid4())
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
    c = new_device(server, server.admin_token)
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
    office = new_device(server, server.admin_token)
    assert push_twice(server, server.admin_token, changeset(office, 1, [
        visit_row(township_visit, unit_id(server, UNIT_IN_TOWNSHIP), rev(1, office))])).status_code == 200
    inspector = server.make_account("inspector", OTHER_COUNTY)
    device, unknown_visit = new_device(server, inspector.token), str(uuid.uuid4())
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
    d2 = new_device(server, county.token)
    assert statuses(push_twice(server, county.token, changeset(d2, 1, [response_row(township_visit, "A.1", "no", rev(9, d2))]))) \
        == {rows[3]["key"]: "applied"}


def test_a_failing_transaction_stores_nothing(server, monkeypatch):
    device, visit = new_device(server, server.admin_token), str(uuid.uuid4())
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
        device, visit = new_device(server, server.admin_token), str(uuid.uuid4())
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
    device = new_device(server, server.admin_token)
    good = changeset(device, 1, [visit_row(str(uuid.uuid4()), unit_id(server, UNIT_IN_TOWNSHIP), rev(1, device))])
    unknown_field = {**good, "rows": [{**good["rows"][0], "colour": "red"}]}
    unknown_table = {**good, "rows": [{**good["rows"][0], "table": "parking_tickets"}]}
    wrong_type = {**good, "device_seq": "twelve"}
    oversized = {**good, "rows": [{**good["rows"][0], "values": {"unit_id": good["rows"][0]["values"]["unit_id"],
                                                                 "note": "x" * (server.config.max_body_bytes + 1024)}}]}
    # A rubric template whose document does not hash to its name refuses the changeset whole.
    forged_template = {**good, "rubric_templates": [{"hash": "0" * 64, "rubric_id": "r", "version": "1",
                                                     "name_zh": "表", "name_en": "Form", "document": {}}]}
    before = snapshot(server)
    for body, status in ((b"{not json", 400), (unknown_field, 400), (unknown_table, 400), (wrong_type, 400),
                         (oversized, 413), (forged_template, 422)):
        answer = push_twice(server, server.admin_token, body)
        assert answer.status_code == status, answer.text
        assert answer.json()["code"] in {"malformed", "too_large", "invalid"}
    assert snapshot(server) == before
    with server.client() as c:
        assert c.post(API + "/changesets", json=good).status_code == 401
    assert snapshot(server) == before


def test_a_device_not_registered_to_the_account_is_refused(server):
    visit = str(uuid.uuid4())
    unit = unit_id(server, UNIT_IN_TOWNSHIP)
    before = snapshot(server)
    unknown = str(uuid.uuid4())
    inspector = server.make_account("inspector", COUNTY)
    theirs = new_device(server, inspector.token)
    for device in (unknown, theirs):  # never registered; registered to another account
        answer = push_twice(server, server.admin_token, changeset(device, 1, [visit_row(visit, unit, rev(1, device))]))
        assert answer.status_code == 403, answer.text
        assert answer.json()["code"] == "device_not_registered"
        assert device in answer.json()["message"] and f"PUT /api/v1/devices/{device}" in answer.json()["message"]
    assert snapshot(server) == before
    # Registered (the laptop changed hands), the same changeset is applied.
    register_device(server, server.admin_token, unknown)
    answer = push_twice(server, server.admin_token, changeset(unknown, 1, [visit_row(visit, unit, rev(1, unknown))]))
    assert statuses(answer) == {visit: "applied"}


def test_metrics_count_pushes_conflicts_and_blob_bytes(server):
    samples = ('fieldmark_pushes_total{outcome="applied"}', 'fieldmark_pushes_total{outcome="replayed"}',
               'fieldmark_pushes_total{outcome="device_not_registered"}', "fieldmark_conflicts_total",
               'fieldmark_blob_bytes_received_total{via="upload"}',
               'fieldmark_http_requests_total{method="POST",route="/api/v1/changesets",status="200"}',
               'fieldmark_http_request_seconds_count{method="POST",route="/api/v1/changesets"}')
    before = {s: metric(server, s) for s in samples}
    a, b, visit = new_device(server, server.admin_token), new_device(server, server.admin_token), str(uuid.uuid4())
    photo = b"a photo of the kitchen" * 100
    sha = upload(server, server.admin_token, photo)
    rows = [visit_row(visit, unit_id(server, UNIT_IN_TOWNSHIP), rev(1, a)), response_row(visit, "A.1", "yes", rev(2, a)),
            evidence_row(visit, sha, rev(3, a), size=len(photo))]
    push_twice(server, server.admin_token, changeset(a, 1, rows, [sha]))
    assert push_twice(server, server.admin_token, changeset(a, 2, [
        response_row(visit, "A.1", "no", rev(4, a), base=rev(2, a))])).status_code == 200
    conflicting = push_twice(server, server.admin_token, changeset(b, 1, [
        response_row(visit, "A.1", "partial", rev(5, b), base=rev(2, a))]))
    assert len(conflicting.json()["conflicts"]) == 1
    assert send(server, server.admin_token, changeset(str(uuid.uuid4()), 1, [])).status_code == 403
    moved = {s: metric(server, s) - before[s] for s in samples}
    assert moved == {samples[0]: 3, samples[1]: 3, samples[2]: 1, samples[3]: 1, samples[4]: len(photo),
                     samples[5]: 6, samples[6]: 7}
