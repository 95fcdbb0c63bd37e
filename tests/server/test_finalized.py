"""Finalized versions and rubric templates in a push (docs/sync-protocol.md section 9), their pull,
and `fieldmark-server visit show`, over real HTTP on SQLite and PostgreSQL.

A real laptop profile (the demo) answers and finalizes a visit; its rows, templates and finalized
version are pushed as the contract has them, every push twice.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.canonical import content_hash
from app.finalize import amend_response, finalize_visit
from app.rubric_store import get_rubric
from app.scores import score_visit, summarise
from app.visits import get_visit, list_responses, visit_record
from db.queries import responses as rq
from server.cli import main
from server.store.schema import finalized_versions, rubric_templates, sync_rows
from server.sync.held_visit import (
    load_visit,
    member_orders,
    photo_counts,
    record_matching,
    too_many_orders,
)
from tests.server.conftest import COUNTY, OTHER_COUNTY
from tests.server.finalized_support import (
    Laptop,
    adopt_unit,
    answer_visit,
    copy_profile,
    in_progress_visit,
    push_twice,
    register_device,
    snapshot,
)
from tests.server.test_pull_support import everything, pull_all


@pytest.fixture
def laptop(server: Any, demo_template: Path, tmp_path: Path) -> Any:
    """A copy of the demo laptop, its device registered to a county inspector; the visit it works
    on is in progress, its unit held by the server."""
    profile = copy_profile(demo_template, tmp_path / "laptop")
    account = server.make_account("inspector", COUNTY)
    machine = Laptop(profile, account.token)
    register_device(server, account.token, machine.device_id)
    visit_id = in_progress_visit(profile)
    answer_visit(profile, visit_id)
    adopt_unit(server, profile, get_visit(profile, visit_id).unit_id)
    yield machine, visit_id
    profile.close()


def finalize(machine: Laptop, visit_id: str) -> str:
    return finalize_visit(machine.profile, visit_id, accept_gaps=True).id


def full_push(machine: Laptop, visit_id: str, **version: Any) -> dict[str, Any]:
    """The visit's rows, its templates and its finalized version (fields overridden by ``version``)."""
    rows = machine.rows(visit_id)
    return machine.changeset(rows, rubric_templates=machine.templates(machine.rubric_hashes(visit_id)),
                             finalizations=[{**machine.version(visit_id), **version}])


def send(server: Any, machine: Laptop, body: dict[str, Any]) -> dict[str, Any]:
    machine.upload(server, body["blobs"])
    answer = push_twice(server, machine.token, body)
    assert answer.status_code == 200, answer.text
    receipt: dict[str, Any] = answer.json()
    machine.acknowledge(receipt)
    return receipt


def versions(server: Any) -> list[Any]:
    with server.engine.connect() as conn:
        return list(conn.execute(select(finalized_versions).order_by(finalized_versions.c.visit_id,
                                                                     finalized_versions.c.amendment_no)).all())


def show(server: Any, visit_id: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, Any, str]:
    status = main(["visit", "show", visit_id, "--json", "--database", server.config.database_url])
    out, err = capsys.readouterr()
    return status, json.loads(out) if status == 0 else None, err


def an_answered_item(machine: Laptop, visit_id: str) -> Any:
    return next(r for r in list_responses(machine.profile, visit_id) if r.value is not None and not r.na)


def test_a_laptops_finalization_and_amendment_are_recorded_with_its_hash_and_score(server, laptop, capsys):
    machine, visit_id = laptop
    first = finalize(machine, visit_id)
    stated = machine.stated_score(visit_id)
    receipt = send(server, machine, full_push(machine, visit_id))
    assert all(r["status"] == "applied" for r in receipt["rows"]), receipt["rows"]
    assert receipt["finalizations"] == [{"visit_id": visit_id, "content_hash": first, "status": "recorded",
                                         "reason": None, "score_matches": True}]
    [stored] = versions(server)
    assert (stored.content_hash, stored.amendment_no, stored.replaces) == (first, 0, None)
    assert content_hash(json.loads(stored.record)) == first
    assert stored.code == visit_id.replace("-", "")[:8] + first[:8]
    assert stored.visit_date == get_visit(machine.profile, visit_id).starts_on
    # The server's own figures are the laptop engine's.
    laptop_score = summarise(score_visit(machine.profile, visit_id, machine.rubric_hashes(visit_id)[0]))
    assert (stored.server_total, stored.server_maximum) == (laptop_score.awarded, laptop_score.maximum)
    assert (stored.stated_total, stored.stated_band, stored.score_matches) == (stated["total"], stated["band"], True)
    # The photos the engine counts per item are the laptop's too (a photo's link is a row of its own).
    with server.engine.connect() as conn:
        held = load_visit(conn, visit_id)
    assert held is not None
    for rubric_hash in machine.rubric_hashes(visit_id):
        assert dict(photo_counts(held, rubric_hash)) == rq.photo_counts(machine.profile.db, visit_id, rubric_hash)
    assert sum(photo_counts(held, machine.rubric_hashes(visit_id)[0]).values()) >= 1

    # An amendment on the laptop: a new version that points to the first; nothing is overwritten.
    item = an_answered_item(machine, visit_id)
    amend_response(machine.profile, visit_id, rubric_hash=item.rubric_hash, item_code=item.item_code,
                   value=None, note="复核时撤回该项评分", reason_for_change="现场复核：该项证据不足")
    second = get_visit(machine.profile, visit_id).content_hash
    assert second and second != first
    body = machine.changeset(machine.rows(visit_id), finalizations=[machine.version(visit_id, replaces=first)])
    assert {r["table"] for r in body["rows"]} >= {"visits", "responses", "audit_log"}
    receipt = send(server, machine, body)
    assert [(f["status"], f["score_matches"]) for f in receipt["finalizations"]] == [("recorded", True)]
    chain = [(v.amendment_no, v.content_hash, v.replaces) for v in versions(server)]
    assert chain == [(0, first, None), (1, second, first)]

    status, view, _ = show(server, visit_id, capsys)
    assert status == 0
    assert (view["status"], view["content_hash"], view["matches_latest"]) == ("amended", second, True)
    assert [(v["amendment_no"], v["content_hash"], v["replaces"], v["score_matches"]) for v in view["versions"]] \
        == [(0, first, None, True), (1, second, first, True)]
    amended = summarise(score_visit(machine.profile, visit_id, machine.rubric_hashes(visit_id)[0]))
    assert (view["score"][0]["total"], view["score"][0]["maximum"]) == (amended.awarded, amended.maximum)
    assert len(view["score"]) == len(machine.rubric_hashes(visit_id))
    assert view["open_conflicts"] == [] and view["problem"] is None


def test_a_tampered_hash_is_refused_and_stores_nothing_of_the_finalization(server, laptop):
    machine, visit_id = laptop
    real = finalize(machine, visit_id)
    tampered = ("0" if real[0] != "0" else "1") + real[1:]
    receipt = send(server, machine, full_push(machine, visit_id, content_hash=tampered))
    [status] = receipt["finalizations"]
    assert (status["status"], status["content_hash"]) == ("refused", tampered)
    assert "content hash" in status["reason"]
    assert versions(server) == []
    # The rows came; the true version in a later changeset is recorded, and once only however often.
    for _ in range(2):
        receipt = send(server, machine, machine.changeset([], finalizations=[machine.version(visit_id)]))
        assert [f["status"] for f in receipt["finalizations"]] == ["recorded"]
    assert [v.content_hash for v in versions(server)] == [real]


def test_a_stated_score_that_differs_is_recorded_and_flagged(server, laptop):
    machine, visit_id = laptop
    finalize(machine, visit_id)
    stated = machine.stated_score(visit_id)
    wrong = {**stated, "total": str(int(float(stated["total"])) + 7)}
    receipt = send(server, machine, full_push(machine, visit_id, score=wrong))
    assert [(f["status"], f["score_matches"]) for f in receipt["finalizations"]] == [("recorded", False)]
    [stored] = versions(server)
    assert (stored.stated_total, stored.server_total, stored.score_matches) == (wrong["total"], stated["total"], False)


def test_broken_chains_unknown_visits_missing_rubrics_and_other_scopes_are_not_recorded(server, laptop):
    machine, visit_id = laptop
    first = finalize(machine, visit_id)
    rows = machine.rows(visit_id)
    unknown = "5b0c8f3e-2d7a-4c61-9a0e-7f1d2c3b4a51"
    # Without the templates the server cannot score the visit (an amendment of a version the
    # server does not hold too: the gap alone would not refuse it); a visit it does not hold.
    body = machine.changeset(rows, finalizations=[
        machine.version(visit_id), {**machine.version(visit_id), "visit_id": unknown},
        {**machine.version(visit_id), "amendment_no": 3, "replaces": first}])
    receipt = send(server, machine, body)
    got = [(f["status"], f["reason"]) for f in receipt["finalizations"]]
    assert [s for s, _ in got] == ["refused", "refused", "refused"]
    assert "lacks the rubric" in got[0][1] and "does not have" in got[1][1] and "lacks the rubric" in got[2][1]
    assert versions(server) == []
    # With the templates: recorded. An amendment naming another predecessor is refused.
    templates = machine.templates(machine.rubric_hashes(visit_id))
    receipt = send(server, machine, machine.changeset([], rubric_templates=templates,
                                                      finalizations=[machine.version(visit_id)]))
    assert [f["status"] for f in receipt["finalizations"]] == ["recorded"]
    wrong_chain = {**machine.version(visit_id), "amendment_no": 1, "replaces": "ab" * 32}
    receipt = send(server, machine, machine.changeset([], finalizations=[wrong_chain]))
    assert receipt["finalizations"][0]["status"] == "refused" and "ab" * 32 in receipt["finalizations"][0]["reason"]
    # An account of another county: the visit is outside its scope.
    other = server.make_account("inspector", OTHER_COUNTY)
    other_laptop = Laptop(machine.profile, other.token, seq=100)
    register_device(server, other.token, "0e6f3a1d-94b2-4c8e-b7d5-3a2f1e0d9c8b")
    body = {**other_laptop.changeset([], finalizations=[machine.version(visit_id)]),
            "device_id": "0e6f3a1d-94b2-4c8e-b7d5-3a2f1e0d9c8b"}
    answer = push_twice(server, other.token, body)
    assert answer.status_code == 200, answer.text
    assert answer.json()["finalizations"][0]["status"] == "unpermitted"
    assert [v.amendment_no for v in versions(server)] == [0]
    # An amendment whose predecessor the server never held (the laptop amended before its first
    # sync): recorded as the rows give it, with the stated predecessor and a note saying so.
    gap = {**machine.version(visit_id), "amendment_no": 3, "replaces": "cd" * 32}
    receipt = send(server, machine, machine.changeset([], finalizations=[gap]))
    [status] = receipt["finalizations"]
    assert status["status"] == "recorded" and "version 2" in status["reason"] and "cd" * 32 in status["reason"]
    assert [(v.amendment_no, v.replaces) for v in versions(server)] == [(0, None), (3, "cd" * 32)]
    # Sent again: the same answer, note included.
    again = send(server, machine, machine.changeset([], finalizations=[gap]))
    assert again["finalizations"][0]["reason"] == status["reason"]


def test_a_template_that_does_not_match_its_hash_or_is_invalid_refuses_the_changeset(server, laptop):
    machine, visit_id = laptop
    finalize(machine, visit_id)
    good = full_push(machine, visit_id)
    [template, *_] = good["rubric_templates"]
    changed = {**template, "document": {**template["document"], "version": template["document"]["version"] + "-x"}}
    invalid_doc = {k: v for k, v in template["document"].items() if k != "sections"}
    invalid = {**template, "document": invalid_doc, "hash": content_hash(invalid_doc)}
    misnamed = {**template, "name_en": "Something else"}
    before = snapshot(server)
    for bad, field in ((changed, "hash"), (invalid, "document"), (misnamed, "name_en")):
        body = {**good, "rubric_templates": [bad, *good["rubric_templates"][1:]]}
        machine.upload(server, body["blobs"])
        answer = push_twice(server, machine.token, body)
        assert answer.status_code == 422, answer.text
        assert answer.json()["code"] == "invalid"
        assert any(p["location"][:3] == ["rubric_templates", 0, field] for p in answer.json()["problems"])
    assert snapshot(server) == before
    # The good one is stored once, numbered with the push, and pulled before the rows naming it.
    receipt = send(server, machine, good)
    with server.engine.connect() as conn:
        held = {r.hash: r.server_seq for r in conn.execute(select(rubric_templates)).all()}
    assert held == {t["hash"]: receipt["server_seq"] for t in good["rubric_templates"]}
    kinds = [i.kind for i in everything(server, machine.token) if i.seq == receipt["server_seq"]]
    assert kinds[0] == "rubric_template" and kinds[-1] == "finalized_version"


def test_pull_delivers_finalized_versions_in_scope_in_order(server, laptop):
    machine, visit_id = laptop
    first = finalize(machine, visit_id)
    receipt = send(server, machine, full_push(machine, visit_id))
    item = an_answered_item(machine, visit_id)
    amend_response(machine.profile, visit_id, rubric_hash=item.rubric_hash, item_code=item.item_code,
                   value=None, reason_for_change="复核撤回")
    send(server, machine, machine.changeset(machine.rows(visit_id),
                                            finalizations=[machine.version(visit_id, replaces=first)]))
    second = get_visit(machine.profile, visit_id).content_hash
    # Page by page, one item at a time: the cursors inside one number hold.
    for limit in (1, 1000):
        found = [i for i in pull_all(server, machine.token, limit=limit).items if i.kind == "finalized_version"]
        assert [(i.version.amendment_no, i.version.content_hash, i.version.replaces) for i in found] == \
            [(0, first, None), (1, second, first)]
        assert found[0].seq == receipt["server_seq"] and found[1].seq > found[0].seq
        assert found[1].version.score.total == machine.stated_score(visit_id)["total"]
    other = server.make_account("inspector", OTHER_COUNTY)
    assert not [i for i in everything(server, other.token) if i.kind == "finalized_version"]
    assert len([i for i in everything(server, server.admin_token) if i.kind == "finalized_version"]) == 2


def test_visit_show_of_a_draft_and_of_an_unknown_visit(server, laptop, capsys):
    machine, visit_id = laptop
    templates = machine.templates(machine.rubric_hashes(visit_id))
    send(server, machine, machine.changeset(machine.rows(visit_id), rubric_templates=templates))
    status, view, _ = show(server, visit_id, capsys)
    assert status == 0
    assert (view["status"], view["versions"], view["matches_latest"]) == ("draft", [], None)
    # Without a finalized version to follow, members of one role are in inspector id order (the
    # laptop's order is by name, which the server does not hold); the rest is the laptop's record.
    record = visit_record(machine.profile, visit_id)
    by_id = sorted(record["members"], key=lambda m: (m["role"] == "member", m["inspector_id"]))
    assert view["content_hash"] == content_hash({**record, "members": by_id})
    assert view["score"][0]["total"] == machine.stated_score(visit_id)["total"]
    with server.engine.connect() as conn:
        assert conn.execute(select(sync_rows.c.key).where(sync_rows.c.key == visit_id)).first() is not None
    status, _, err = show(server, "00000000-0000-4000-8000-00000000abcd", capsys)
    assert status == 1 and "no visit 00000000-0000-4000-8000-00000000abcd" in err


def test_a_team_mates_conflicting_edit_shows_as_an_open_conflict_of_the_visit(server, laptop, capsys):
    machine, visit_id = laptop
    first = finalize(machine, visit_id)
    pushed = full_push(machine, visit_id)
    send(server, machine, pushed)
    # A team-mate's laptop answered the same item otherwise, from the same base: both are kept.
    item = an_answered_item(machine, visit_id)
    leader = server.make_account("team_leader", COUNTY)
    mate = Laptop(machine.profile, leader.token)
    mate_device = "6a7b8c9d-0e1f-4a2b-9c3d-4e5f6a7b8c9d"
    register_device(server, leader.token, mate_device)
    [row] = [r for r in pushed["rows"] if r["table"] == "responses"
             and r["values"]["item_code"] == item.item_code and r["values"]["rubric_hash"] == item.rubric_hash]
    other_answer = {**row, "rev": f"001900000000000-000000-{mate_device}", "base_rev": None,
                    "values": {**row["values"], "note": "另一位组员的记录"}}
    body = {**mate.changeset([other_answer]), "device_id": mate_device}
    answer = push_twice(server, leader.token, body)
    assert answer.status_code == 200, answer.text
    [conflict] = answer.json()["conflicts"]
    status, view, _ = show(server, visit_id, capsys)
    assert status == 0
    assert [c["conflict_id"] for c in view["open_conflicts"]] == [conflict["conflict_id"]]
    # The row keeps its current value until a person chooses: the latest version still matches.
    assert (view["status"], view["content_hash"], view["matches_latest"]) == ("finalized", first, True)


def test_an_answer_that_does_not_fit_its_item_is_refused_not_scored(server, laptop):
    machine, visit_id = laptop
    finalize(machine, visit_id)
    body = full_push(machine, visit_id)
    # A laptop that hashed what it sent, but sent an answer its rubric's item cannot take.
    rubric = get_rubric(machine.profile, machine.rubric_hashes(visit_id)[0])
    item = next(r for r in list_responses(machine.profile, visit_id)
                if r.rubric_hash == rubric.content_hash and r.value is not None and not r.na
                and rubric.items[r.item_code].kind != "text")
    for row in body["rows"]:
        if row["table"] == "responses" and row["values"]["item_code"] == item.item_code \
                and row["values"]["rubric_hash"] == item.rubric_hash:
            row["values"]["value"] = json.dumps("无效的值", ensure_ascii=False)
    record = visit_record(machine.profile, visit_id)
    for answer in record["responses"]:
        if (answer["rubric_hash"], answer["item_code"]) == (item.rubric_hash, item.item_code):
            answer["value"] = "无效的值"
    body["finalizations"][0]["content_hash"] = content_hash(record)
    receipt = send(server, machine, body)
    [status] = receipt["finalizations"]
    assert status["status"] == "refused" and "do not fit" in status["reason"], status
    assert versions(server) == []


def test_two_versions_in_one_changeset_are_paged_one_by_one(server, laptop):
    machine, visit_id = laptop
    first = finalize(machine, visit_id)
    # An amendment that left the record as it was (a photo's caption, say) has the same content hash.
    same = {**machine.version(visit_id), "amendment_no": 1, "replaces": first}
    body = full_push(machine, visit_id)
    body["finalizations"] = [same, body["finalizations"][0]]
    receipt = send(server, machine, body)
    assert [(f["status"], f["content_hash"]) for f in receipt["finalizations"]] == [("recorded", first)] * 2
    for limit in (1, 2, 1000):
        found = [(i.seq, i.version.amendment_no) for i in pull_all(server, machine.token, limit=limit).items
                 if i.kind == "finalized_version"]
        assert found == [(receipt["server_seq"], 0), (receipt["server_seq"], 1)]


def test_the_members_order_is_searched_within_each_role_up_to_the_cap():
    def record(roles: list[str]) -> dict[str, Any]:
        return {"format": "fieldmark.visit/1", "members": [{"inspector_id": f"i{n}", "role": r}
                                                           for n, r in enumerate(roles)]}

    four = record(["leader", "member", "member", "member"])
    # The laptop listed the members by name: some order within the role, leader first.
    laptop_order = {**four, "members": [four["members"][0], four["members"][3], four["members"][1],
                                        four["members"][2]]}
    assert record_matching(four, content_hash(laptop_order)) == laptop_order
    # A leader never moves behind a member: that order is not one the laptop makes.
    leader_last = {**four, "members": [*four["members"][1:], four["members"][0]]}
    assert record_matching(four, content_hash(leader_last)) is None
    # An earlier version's order is tried first.
    assert next(member_orders(four, laptop_order["members"])) == laptop_order
    big = record(["member"] * 8)
    assert too_many_orders(big) and list(member_orders(big)) == [big]
    assert not too_many_orders(record(["member"] * 7))


def test_members_held_with_their_inspectors_names_are_ordered_as_the_laptop_lists_them():
    from server.sync.held_visit import HeldVisit, build_record

    ids = {"王": "0" * 8 + "-0000-4000-8000-000000000003", "李": "0" * 8 + "-0000-4000-8000-000000000001",
           "张": "0" * 8 + "-0000-4000-8000-000000000002"}
    members = [{"id": f"m{n}", "deleted": False, "inspector_id": i, "role": "member"} for n, i in enumerate(ids.values())]
    members.append({"id": "lead", "deleted": False, "inspector_id": "0" * 8 + "-0000-4000-8000-000000000009",
                    "role": "leader"})
    visit = {"id": "v", "unit_id": "u", "visit_type": "routine", "starts_on": "2026-11-24", "ends_on": "2026-11-24",
             "team_id": None, "assignment_id": None}
    held = HeldVisit("v", "u", visit, {"visit_members": members}, {"code": "U1"},
                     {i: name for name, i in ids.items()})
    order = [m["inspector_id"] for m in build_record(held)["members"]]
    # The leader first, then the members by name (as sorted on the laptop), not by id.
    assert order == [members[-1]["inspector_id"], *sorted(ids.values(), key=lambda i: {v: k for k, v in ids.items()}[i])]
    unnamed = HeldVisit("v", "u", visit, {"visit_members": members}, {"code": "U1"})
    assert [m["inspector_id"] for m in build_record(unnamed)["members"]][1:] == sorted(ids.values())
