"""The office's changes of a finding's status (server.rectification), on both backends: each is a
finding event the server writes into sync_rows under the push lock, which a laptop of the visit
pulls and merges with its own events; the laptop's transition table is the server's; scope,
stale forms and bad notes refuse with nothing written; escalation as figures.open_findings says.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import func, select

from app.findings import finding_history, list_findings, set_finding_status
from app.hlc import Stamp
from app.sync.engine import sync
from app.visits import NewVisit, create_visit
from db.rows import fetch_all, fetch_one
from server import accounts
from server.dashboard import figures
from server.errors import NotFound
from server.rectification import ChangeRefused, change_status, held_finding
from server.store.database import reading, writing
from server.store.schema import office_finding_events, server_clock, sync_rows
from server.sync.sequence import current_seq
from tests.server.sync_support import QUICK, MemoryKeyring, laptop, use_keyring

# The demo laptop's other county (its visits are all in 丹江口市, 420381).
DEMO_OTHER_COUNTY = "420382"


@pytest.fixture
def keychain():
    yield from use_keyring(MemoryKeyring())


@pytest.fixture
def pushed(server, demo_template, tmp_path, keychain):
    """A laptop (the demo profile) whose visits the server holds after one sync."""
    machine = laptop(server, demo_template, tmp_path / "laptop", mirror=True)
    result = sync(machine.profile, machine.session, retry=QUICK)
    assert result.reason is None, result.message
    yield machine
    machine.profile.close()


def office_id(server, scope="42", role="office_staff") -> tuple[str, str]:
    login = server.make_account(role, scope).login
    with server.engine.connect() as conn:
        return accounts.get_account(conn, login).id, accounts.get_account(conn, login).scope


def laptop_finding(machine, status: str) -> dict:
    rows = fetch_all(machine.profile.db, "SELECT f.id, f.visit_id, f.unit_id FROM findings f ORDER BY f.id")
    for row in rows:
        if [f.status for f in list_findings(machine.profile, row["visit_id"]) if f.id == row["id"]] == [status]:
            return row
    raise AssertionError(f"the demo has no {status} finding")


def seq_now(server) -> int:
    with server.engine.connect() as conn:
        return current_seq(conn)


def held_count(server) -> tuple[int, int]:
    with server.engine.connect() as conn:
        return (conn.execute(select(func.count()).select_from(sync_rows)).scalar_one(),
                conn.execute(select(func.count()).select_from(office_finding_events)).scalar_one())


def change(server, **kw):
    with writing(server.engine) as conn:
        return change_status(conn, **kw)


def test_the_office_closes_a_finding_and_the_laptop_pulls_it_and_merges_its_own(server, pushed):
    account, scope = office_id(server)
    finding = laptop_finding(pushed, "reported_fixed")
    before = seq_now(server)
    verified = change(server, scope=scope, account_id=account, finding_id=finding["id"], status="verified",
                      note="已查看整改照片，防渗改造到位。", seen="reported_fixed")
    closed = change(server, scope=scope, account_id=account, finding_id=finding["id"], status="closed",
                    note="销号。", seen="verified")
    with server.engine.connect() as conn:
        rows = {r.key: r for r in conn.execute(select(sync_rows).where(sync_rows.c.key.in_([verified.key,
                                                                                          closed.key])))}
        node = conn.execute(select(server_clock.c.node)).scalar_one()
        assert current_seq(conn) == before + 2
    # Numbered from the server sequence in order, placed as the finding, stamped on the server's node.
    assert [rows[verified.key].server_seq, rows[closed.key].server_seq] == [before + 1, before + 2]
    assert {r.visit_id for r in rows.values()} == {finding["visit_id"]}
    assert {r.unit_id for r in rows.values()} == {finding["unit_id"]}
    assert {r.device_id for r in rows.values()} == {node}
    assert Stamp.parse(rows[verified.key].rev) < Stamp.parse(rows[closed.key].rev)
    assert Stamp.parse(rows[closed.key].rev).node == node
    assert json.loads(rows[closed.key].row_values) == {
        "finding_id": finding["id"], "visit_id": None, "status": "closed", "note": "销号。", "at": closed.at,
        "by_inspector": None}

    result = sync(pushed.profile, pushed.session, retry=QUICK)
    assert result.reason is None, result.message
    history = finding_history(pushed.profile, finding["id"])
    assert [(e.status, e.note) for e in history[-2:]] == [("verified", "已查看整改照片，防渗改造到位。"),
                                                          ("closed", "销号。")]
    assert [f.status for f in list_findings(pushed.profile, finding["visit_id"]) if f.id == finding["id"]] == ["closed"]
    stored = fetch_one(pushed.profile.db, "SELECT device_id, dirty FROM finding_events WHERE id = ?", (closed.key,))
    assert stored == {"device_id": node, "dirty": 0}

    # An inspector's later event (found broken again) is one more event: merged, no conflict.
    set_finding_status(pushed.profile, finding["id"], "reopened", note="复查发现渗漏。")
    result = sync(pushed.profile, pushed.session, retry=QUICK)
    assert result.reason is None, result.message
    with reading(server.engine) as conn:
        held = held_finding(conn, scope, finding["id"])
    assert [e.status for e in held.events[-3:]] == ["verified", "closed", "reopened"]
    assert held.events[-2].office_login is not None and held.events[-1].office_login is None
    assert held.status == "reopened" and "plan_received" in held.office_moves()


def test_a_second_laptop_of_the_visit_derives_the_same_status(server, pushed, demo_template, tmp_path):
    account, scope = office_id(server)
    finding = laptop_finding(pushed, "open")
    change(server, scope=scope, account_id=account, finding_id=finding["id"], status="plan_received",
           note="学校已报送整改方案。", seen="open")
    other = laptop(server, demo_template, tmp_path / "other")
    try:
        # A fresh profile of the demo holds the same visits; it pulls the office's event too.
        result = sync(other.profile, other.session, retry=QUICK)
        assert result.reason is None, result.message
        assert [f.status for f in list_findings(other.profile, finding["visit_id"])
                if f.id == finding["id"]] == ["plan_received"]
    finally:
        other.profile.close()


@pytest.mark.parametrize("seen, status, note, reason", [
    ("open", "closed", "", "note_empty"),
    ("open", "closed", "  \n ", "note_empty"),
    ("open", "closed", "长" * 2001, "note_long"),
    ("open", "fixed_on_site", "现场整改", "status"),
    ("open", "open", "x", "status"),
    ("reported_fixed", "verified", "看过了", "changed"),
])
def test_a_refused_change_writes_nothing(server, pushed, seen, status, note, reason):
    account, scope = office_id(server)
    finding = laptop_finding(pushed, "open")
    before, seq = held_count(server), seq_now(server)
    with pytest.raises(ChangeRefused) as refused:
        change(server, scope=scope, account_id=account, finding_id=finding["id"], status=status, note=note, seen=seen)
    assert refused.value.reason == reason and refused.value.current == "open"
    assert held_count(server) == before and seq_now(server) == seq


def test_the_laptops_transition_table_decides(server, pushed):
    account, scope = office_id(server)
    finding = laptop_finding(pushed, "open")
    change(server, scope=scope, account_id=account, finding_id=finding["id"], status="closed", note="销号")
    before = held_count(server)
    for status in ("verified", "plan_received", "reported_fixed", "closed"):
        with pytest.raises(ChangeRefused, match="cannot become") as refused:
            change(server, scope=scope, account_id=account, finding_id=finding["id"], status=status, note="再改")
        assert refused.value.reason == "transition"
    assert held_count(server) == before
    change(server, scope=scope, account_id=account, finding_id=finding["id"], status="reopened", note="复查未整改")


def test_outside_the_scope_the_finding_does_not_exist(server, pushed):
    finding = laptop_finding(pushed, "open")
    account, scope = office_id(server, DEMO_OTHER_COUNTY)
    before = held_count(server)
    with pytest.raises(NotFound):
        change(server, scope=scope, account_id=account, finding_id=finding["id"], status="closed", note="x")
    with reading(server.engine) as conn, pytest.raises(NotFound):
        held_finding(conn, scope, finding["id"])
    assert held_count(server) == before
    with reading(server.engine) as conn, pytest.raises(NotFound):
        held_finding(conn, "/42/", "00000000-0000-4000-8000-00000000abcd")


def test_the_office_event_comes_after_a_laptop_event_stamped_ahead(server, pushed):
    """A laptop whose clock ran an hour ahead wrote the latest event: the office's change must
    still be the latest (time and revision), or the laptops would keep the older status."""
    account, scope = office_id(server)
    finding = laptop_finding(pushed, "open")
    ahead = "2099-01-01T00:00:00.000+00:00"
    set_finding_status(pushed.profile, finding["id"], "plan_received", note="学校报送整改方案")
    with pushed.profile.db.atomic():
        pushed.profile.db.execute("UPDATE finding_events SET at = ? WHERE finding_id = ? AND status = 'plan_received'",
                                  (ahead, finding["id"]))
    result = sync(pushed.profile, pushed.session, retry=QUICK)
    assert result.reason is None, result.message
    made = change(server, scope=scope, account_id=account, finding_id=finding["id"], status="reported_fixed",
                  note="收到报告", seen="plan_received")
    assert made.at == "2099-01-01T00:00:00.001+00:00"
    again = change(server, scope=scope, account_id=account, finding_id=finding["id"], status="verified",
                   note="核实到位")
    assert again.at > made.at
    result = sync(pushed.profile, pushed.session, retry=QUICK)
    assert result.reason is None, result.message
    assert [f.status for f in list_findings(pushed.profile, finding["visit_id"])
            if f.id == finding["id"]] == ["verified"]


def test_a_pull_cursor_given_before_the_change_delivers_it(server, pushed):
    account, scope = office_id(server)
    finding = laptop_finding(pushed, "open")
    with server.client(pushed.session.token) as c:
        cursor = c.post("/api/v1/pull", json={"cursor": None, "limit": 1000}).json()
        while cursor["more"]:
            cursor = c.post("/api/v1/pull", json={"cursor": cursor["next_cursor"], "limit": 1000}).json()
        made = change(server, scope=scope, account_id=account, finding_id=finding["id"], status="closed", note="销号")
        page = c.post("/api/v1/pull", json={"cursor": cursor["next_cursor"], "limit": 1000}).json()
    assert [(i["kind"], i.get("key")) for i in page["items"]] == [("row", made.key)]


def test_escalation_after_two_follow_ups_that_found_it_not_fixed(server, pushed):
    account, scope = office_id(server)
    finding = laptop_finding(pushed, "open")
    profile = pushed.profile
    rubrics = [r["rubric_hash"] for r in fetch_all(profile.db, "SELECT rubric_hash FROM visit_rubrics WHERE visit_id = ? "
                                                   "AND deleted = 0", (finding["visit_id"],))]

    def follow_up(day: str) -> str:
        return create_visit(profile, NewVisit(unit_id=finding["unit_id"], visit_type="follow_up", starts_on=day,
                                              rubric_hashes=rubrics)).id

    def state():
        result = sync(profile, pushed.session, retry=QUICK)
        assert result.reason is None, result.message
        with reading(server.engine) as conn:
            found = {f.finding_id: f for f in figures.open_findings(conn, scope, today=date(2026, 11, 27))}
        return found.get(finding["id"])

    # The office's own changes name no visit: never follow-ups.
    change(server, scope=scope, account_id=account, finding_id=finding["id"], status="plan_received", note="方案")
    set_finding_status(profile, finding["id"], "reopened", note="一次复查未整改", visit_id=follow_up("2026-11-10"))
    assert (state().follow_ups, state().escalate) == (1, False)
    set_finding_status(profile, finding["id"], "reopened", note="二次复查未整改", visit_id=follow_up("2026-11-20"))
    now = state()
    assert (now.status, now.follow_ups, now.escalate) == ("reopened", 2, True)
    change(server, scope=scope, account_id=account, finding_id=finding["id"], status="reported_fixed",
           note="收到整改报告", seen="reopened")
    assert state().escalate  # a report is a claim, not a fix
    change(server, scope=scope, account_id=account, finding_id=finding["id"], status="verified",
           note="核实到位", seen="reported_fixed")
    assert (state().status, state().escalate) == ("verified", False)
