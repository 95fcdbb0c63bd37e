"""Laptops whose clocks are wrong, on one visit, through the real server on loopback (SQLite and
PostgreSQL): A's clock runs a day ahead, B's a day behind, C's is right until it is set back three
hours during the day (and Fieldmark starts again on it).

- Each laptop keeps its own order: its later edit of a row wins on that laptop, on the server and
  on the others, though its wall clock went back; so does its later change of a finding's status
  (the status is the latest event by time, so an event is dated after every event it follows).
- Edits made on several laptops merge alike in any order of syncing: every laptop and the server
  hold the same canonical visit (one content hash), with nothing dropped; a row changed on two
  laptops at once is a conflict holding both versions, and once a person chooses, all agree.
- The server's own times are its own: a receipt's ``received_at``, the changeset's and the
  conflict's times on the server, the office's ``written_at``, whatever the laptops' clocks say;
  its revision clock (``server_clock``) follows a laptop's stamp only within ``MAX_AHEAD_MS``.

Each laptop's wall clock is patched for the thread acting as it (``Clocks.on``): its revision
stamps (the profile's hybrid clock) and the times it writes (``utc_now``). The server runs in this
process and keeps the true time.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

import app.profile
from app.canonical import content_hash
from app.finalize import amend_response
from app.findings import add_finding, finding_history, list_findings, set_finding_status
from app.hlc import MAX_AHEAD_MS, Stamp
from app.profile import Profile
from app.sync import bundle_import, engine, local, offload
from app.sync.engine import sync
from app.sync.resolve import resolve_conflict
from app.visits import audit_trail, get_visit, visit_record
from db.queries import sync as sq
from db.rows import fetch_all
from server import accounts
from server.rectification import change_status, held_finding
from server.store.database import reading, writing
from server.store.schema import (
    office_finding_events,
    server_clock,
    sync_changesets,
    sync_conflicts,
    sync_rows,
)
from server.sync.held_visit import build_record, load_visit, record_matching
from tests.server.finalized_support import in_progress_visit
from tests.server.sync_support import QUICK, Machine, MemoryKeyring, add_photos, laptop, use_keyring
from tests.server.test_sync_engine import change_one, first_item, response_row

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS
# How far a time the server keeps may be from the true time and still be the server's own.
NEAR = 300.0


def true_ms() -> int:
    return time.time_ns() // 1_000_000


class Clocks:
    """Each laptop's wall clock: the true time plus the laptop's offset, read by the thread that
    acts as the laptop (``on``). Everything else, the server above all, reads the true time."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.offsets: dict[Path, int] = {}
        self._acting = threading.local()

        def utc_now() -> str:
            shift = getattr(self._acting, "ms", 0)
            return (datetime.now(UTC) + timedelta(milliseconds=shift)).isoformat(timespec="milliseconds")

        # Every module of the laptop's core that dates what it writes.
        for module in (app.profile, engine, local, offload, bundle_import):
            monkeypatch.setattr(module, "utc_now", utc_now)

    def set(self, machine: Machine, offset_ms: int) -> None:
        self.offsets[machine.root] = offset_ms

    @contextlib.contextmanager
    def on(self, machine: Machine) -> Iterator[Machine]:
        shift = self.offsets.get(machine.root, 0)
        machine.profile.clock._now = lambda: true_ms() + shift
        self._acting.ms = shift
        try:
            yield machine
        finally:
            self._acting.ms = 0


@dataclass
class Team:
    clocks: Clocks
    machines: dict[str, Machine]
    visit_id: str

    def sync(self, order: str, *, conflicts: bool = False) -> None:
        """Each named laptop syncs in turn, on its own clock; with ``conflicts``, a sync may end
        with conflicts waiting for a person (all else was done)."""
        for name in order:
            machine = self.machines[name]
            with self.clocks.on(machine):
                result = sync(machine.profile, machine.session, retry=QUICK)
            assert result.complete or (conflicts and result.reason == "conflicts"), \
                (name, result.reason, result.message)

    def restart(self, name: str) -> Machine:
        """Fieldmark closed and started again on the laptop: the clock continues from its last stamp."""
        machine = self.machines[name]
        machine.profile.close()
        machine.profile = Profile.open(machine.root)
        return machine


@pytest.fixture
def keychain() -> Iterator[MemoryKeyring]:
    yield from use_keyring(MemoryKeyring())  # type: ignore[misc]


@pytest.fixture
def team(server: Any, demo_template: Path, tmp_path: Path, keychain: MemoryKeyring,
         monkeypatch: pytest.MonkeyPatch) -> Iterator[Team]:
    """Three laptops holding the same visit, A a day ahead, B a day behind, C on time; each synced once."""
    clocks = Clocks(monkeypatch)
    machines = {"a": laptop(server, demo_template, tmp_path / "a", mirror=True),
                "b": laptop(server, demo_template, tmp_path / "b"),
                "c": laptop(server, demo_template, tmp_path / "c")}
    clocks.set(machines["a"], DAY_MS)
    clocks.set(machines["b"], -DAY_MS)
    crew = Team(clocks, machines, in_progress_visit(machines["a"].profile))
    crew.sync("abc")
    try:
        yield crew
    finally:
        for machine in machines.values():
            machine.profile.close()


# --- what each side holds ----------------------------------------------------------------------------


def status_of(machine: Machine, visit_id: str, finding_id: str) -> str:
    return next(f.status for f in list_findings(machine.profile, visit_id) if f.id == finding_id)


def office_scope(server: Any) -> tuple[str, str]:
    login = server.make_account("office_staff", "42").login
    with server.engine.connect() as conn:
        account = accounts.get_account(conn, login)
        return account.id, account.scope


def held_status(server: Any, finding_id: str) -> str:
    with reading(server.engine) as conn:
        return held_finding(conn, "/", finding_id).status


def all_agree(server: Any, crew: Team) -> str:
    """Every laptop and the server hold the same canonical visit; its content hash."""
    hashes = {name: content_hash(visit_record(m.profile, crew.visit_id)) for name, m in crew.machines.items()}
    assert len(set(hashes.values())) == 1, hashes
    digest = hashes["a"]
    with server.engine.connect() as conn:
        held = load_visit(conn, crew.visit_id)
        assert held is not None
        assert record_matching(build_record(held), digest) is not None
    for machine in crew.machines.values():
        assert not sq.open_conflicts(machine.profile.db)
        assert not {t for t in sq.pending_counts(machine.profile.db) if t not in engine.OFFICE_TABLES}
    return digest


def items(machine: Machine, visit_id: str, count: int) -> list[str]:
    from app.rubric_store import get_rubric

    rubric = get_rubric(machine.profile, get_visit(machine.profile, visit_id).rubric_hashes[0])
    return list(rubric.items)[:count]


# --- the tests ---------------------------------------------------------------------------------------------


def test_a_clock_set_back_during_the_day_keeps_the_laptops_own_order(server, team):
    """C answers an item and moves a finding along in the morning; its clock is set back three
    hours, Fieldmark starts again, and C changes both once more. The later change wins on C, on the
    server and on A and B, although it carries an earlier wall time."""
    c, visit = team.machines["c"], team.visit_id
    code = first_item(c, visit)
    with team.clocks.on(c):
        change_one(c, visit, code, "C, in the morning")
        morning = response_row(c, visit, code)["rev"]
        finding = add_finding(c.profile, visit, description="消防通道堆放杂物", requirement="立即清理").id
        set_finding_status(c.profile, finding, "plan_received", note="学校已交整改方案")
    team.clocks.set(c, -3 * HOUR_MS)
    c = team.restart("c")
    with team.clocks.on(c):
        change_one(c, visit, code, "C, after its clock went back")
        set_finding_status(c.profile, finding, "reported_fixed", note="学校报告已清理")
        later = response_row(c, visit, code)["rev"]
    assert Stamp.parse(later) > Stamp.parse(morning)
    assert Stamp.parse(later).wall_ms > true_ms() - HOUR_MS  # not the clock's time, three hours back
    assert status_of(c, visit, finding) == "reported_fixed"
    history = finding_history(c.profile, finding)
    assert [e.status for e in history] == ["open", "plan_received", "reported_fixed"]
    assert history[-1].at > history[-2].at
    team.sync("cab")
    for machine in team.machines.values():
        assert response_row(machine, visit, code)["note"] == "C, after its clock went back"
        assert status_of(machine, visit, finding) == "reported_fixed"
    assert held_status(server, finding) == "reported_fixed"
    all_agree(server, team)


ORDERS = ["abc", "bca", "cab", "cba"]


@pytest.mark.parametrize("order", ORDERS)
def test_laptops_a_day_apart_merge_the_same_in_any_order(server, team, order):
    """Round one: each laptop answers its own item and adds a finding, A a photo, all before any
    sync; then they sync in ``order``, twice. Round two: one item and one finding pass from laptop
    to laptop in ``order``, each changing them after hearing the one before. Every side ends with
    the same visit, and the last in the chain wins although its clock may be two days behind."""
    m, visit = team.machines, team.visit_id
    own = dict(zip("abc", items(m["a"], visit, 3), strict=True))
    findings = {}
    for name in "abc":
        with team.clocks.on(m[name]):
            change_one(m[name], visit, own[name], f"{name}'s own item")
            findings[name] = add_finding(m[name].profile, visit, description=f"{name} 发现的问题").id
            if name == "a":
                [photo] = add_photos(m["a"], 1)
    team.sync(order)
    team.sync(order)
    first = all_agree(server, team)
    for machine in m.values():
        for name in "abc":
            assert response_row(machine, visit, own[name])["note"] == f"{name}'s own item"
            assert status_of(machine, visit, findings[name]) == "open"
        assert fetch_all(machine.profile.db, "SELECT id FROM evidence WHERE sha256 = ?", (photo,))

    shared = own[order[0]]
    chain = findings[order[0]]
    statuses = ["plan_received", "reported_fixed", "verified"]
    for step, name in enumerate(order):
        with team.clocks.on(m[name]):
            assert sync(m[name].profile, m[name].session, retry=QUICK).complete
            change_one(m[name], visit, shared, f"step {step} by {name}")
            set_finding_status(m[name].profile, chain, statuses[step], note=f"{name} 复查")
            assert status_of(m[name], visit, chain) == statuses[step]
            assert sync(m[name].profile, m[name].session, retry=QUICK).complete
    team.sync(order)
    last = order[-1]
    for machine in m.values():
        row = response_row(machine, visit, shared)
        assert (row["note"], row["device_id"]) == (f"step 2 by {last}", m[last].profile.device_id)
        assert status_of(machine, visit, chain) == "verified"
        assert [e.status for e in finding_history(machine.profile, chain)] == ["open", *statuses]
    assert held_status(server, chain) == "verified"
    assert all_agree(server, team) != first


def test_one_row_changed_on_two_laptops_a_day_apart_keeps_both_until_a_person_chooses(server, team):
    """A (a day ahead) and B (a day behind) change the same item without hearing of each other.
    Neither clock decides: the server keeps both versions as a conflict, every laptop hears of it,
    and once B chooses A's version every side holds it."""
    a, b, visit = team.machines["a"], team.machines["b"], team.visit_id
    code = first_item(a, visit)
    for machine, note in ((a, "A, a day ahead"), (b, "B, a day behind")):
        with team.clocks.on(machine):
            change_one(machine, visit, code, note)
    team.sync("bacb", conflicts=True)
    row_id = response_row(a, visit, code)["id"]
    with server.engine.connect() as conn:
        (held,) = conn.execute(select(sync_conflicts).where(sync_conflicts.c.key == row_id)).all()
    # B pushed first, from its base: the server holds B's, and keeps A's beside it.
    assert json.loads(held.current)["values"]["note"] == "B, a day behind"
    assert json.loads(held.incoming)["values"]["note"] == "A, a day ahead"
    for name, machine in team.machines.items():
        (kept,) = [c for c in sq.open_conflicts(machine.profile.db) if c["row_key"] == row_id]
        notes = {json.loads(kept[side])["values"]["note"] for side in ("current", "incoming")}
        assert notes == {"A, a day ahead", "B, a day behind"}, name
    (conflict,) = sq.open_conflicts(b.profile.db)
    with team.clocks.on(b):
        choice = "theirs" if json.loads(conflict["incoming"])["values"]["note"] == "A, a day ahead" else "mine"
        resolve_conflict(b.profile, conflict["id"], choice)
    team.sync("bac")
    team.sync("abc")
    for machine in team.machines.values():
        assert response_row(machine, visit, code)["note"] == "A, a day ahead"
    all_agree(server, team)


def test_the_servers_own_times_are_its_own(server, team):
    """What the server dates itself (a receipt, a changeset, a conflict, the office's change) has
    the server's time, whatever the laptops' clocks say; its revision clock follows a laptop a day
    ahead only as far as the bound allows, so the office's change still sorts after it."""
    a, b, visit = team.machines["a"], team.machines["b"], team.visit_id
    code = first_item(a, visit)
    with team.clocks.on(a):
        change_one(a, visit, code, "A, a day ahead")
        finding = add_finding(a.profile, visit, description="实验室危化品台账缺失").id
        a_event = finding_history(a.profile, finding)[-1]
    with team.clocks.on(b):
        change_one(b, visit, code, "B, a day behind")
    team.sync("ab", conflicts=True)
    now = time.time()
    for machine in (a, b):
        (receipt,) = machine.profile.db.execute(
            "SELECT pushed_at FROM sync_receipts ORDER BY server_seq DESC LIMIT 1").fetchall()
        assert abs(datetime.fromisoformat(receipt[0]).timestamp() - now) < NEAR, receipt
    with server.engine.connect() as conn:
        for machine in (a, b):
            received = conn.execute(select(sync_changesets.c.received_at)
                                    .where(sync_changesets.c.device_id == machine.profile.device_id)).scalars().all()
            assert received and all(abs(at - now) < NEAR for at in received), received
        detected = conn.execute(select(sync_conflicts.c.detected_at)
                                .where(sync_conflicts.c.key == response_row(a, visit, code)["id"])).scalars().all()
        assert detected and all(abs(at - now) < NEAR for at in detected), detected

    account, scope = office_scope(server)
    with writing(server.engine) as conn:
        closed = change_status(conn, scope=scope, account_id=account, finding_id=finding, status="closed",
                               note="现场核实已整改。", seen="open")
    with server.engine.connect() as conn:
        written = conn.execute(select(office_finding_events.c.written_at)
                               .where(office_finding_events.c.event_key == closed.key)).scalar_one()
        clock = conn.execute(select(server_clock)).one()
        office_rev = conn.execute(select(sync_rows.c.rev).where(sync_rows.c.key == closed.key)).scalar_one()
    assert abs(written - time.time()) < NEAR
    # The office's change sorts after A's event, by time and by revision, and the clock that
    # followed A's stamp is within the bound of the server's own time.
    assert closed.at > a_event.at
    a_rev = fetch_all(a.profile.db, "SELECT rev FROM finding_events WHERE finding_id = ? ORDER BY rev",
                      (finding,))[-1]["rev"]
    assert Stamp.parse(office_rev) > Stamp.parse(a_rev)
    assert clock.wall_ms <= true_ms() + MAX_AHEAD_MS
    team.sync("ba", conflicts=True)
    for machine in (a, b):
        assert status_of(machine, visit, finding) == "closed"


def test_a_laptop_set_years_ahead_does_not_drag_the_servers_clock(server, team):
    """A clock set to the wrong year: its rows are kept, but the server's revision clock does not
    follow them (the bound is a day), and the office's change is still the finding's latest."""
    a, visit = team.machines["a"], team.visit_id
    team.clocks.set(a, 3 * 365 * DAY_MS)
    with team.clocks.on(a):
        finding = add_finding(a.profile, visit, description="校车安全检查记录缺失").id
    team.sync("a")
    account, scope = office_scope(server)
    with writing(server.engine) as conn:
        change_status(conn, scope=scope, account_id=account, finding_id=finding, status="plan_received",
                      note="已收到整改方案。", seen="open")
    with server.engine.connect() as conn:
        clock = conn.execute(select(server_clock)).one()
    assert clock.wall_ms <= true_ms() + 1000
    assert held_status(server, finding) == "plan_received"
    team.sync("ab")
    assert status_of(team.machines["b"], visit, finding) == "plan_received"
    assert status_of(a, visit, finding) == "plan_received"



def test_amendments_made_across_a_clock_set_back_list_in_the_order_they_were_made(server, team):
    """C amends a finalized visit, its clock is set back three hours, and it amends it again: the
    visit's history lists the first amendment first, on C and on A after a sync, and the visit
    hashes alike on every side."""
    c = team.machines["c"]
    finalized = c.profile.db.execute("SELECT id FROM visits WHERE status = 'finalized' ORDER BY id").fetchone()[0]
    code = first_item(c, finalized)
    rubric_hash = get_visit(c.profile, finalized).rubric_hashes[0]
    with team.clocks.on(c):
        amend_response(c.profile, finalized, rubric_hash=rubric_hash, item_code=code, note="第一次更正",
                       reason_for_change="复核发现记录有误")
    team.clocks.set(c, -3 * HOUR_MS)
    c = team.restart("c")
    with team.clocks.on(c):
        amend_response(c.profile, finalized, rubric_hash=rubric_hash, item_code=code, note="第二次更正",
                       reason_for_change="学校补交了材料")
    reasons = [e.reason for e in audit_trail(c.profile, finalized)]
    assert reasons == ["复核发现记录有误", "学校补交了材料"], reasons
    team.sync("ca")
    assert [e.reason for e in audit_trail(team.machines["a"].profile, finalized)] == reasons
    assert get_visit(c.profile, finalized).amendment_no == get_visit(team.machines["a"].profile, finalized).amendment_no
    assert content_hash(visit_record(c.profile, finalized)) == \
        content_hash(visit_record(team.machines["a"].profile, finalized))


def skew_seeds() -> list[int]:
    """Seeds of the random run: 2 by default; ``FIELDMARK_SKEW_SEEDS=N`` runs 0..N-1,
    ``FIELDMARK_SKEW_SEED=7,11`` replays chosen ones."""
    chosen = os.environ.get("FIELDMARK_SKEW_SEED", "").strip()
    if chosen:
        return [int(s) for s in chosen.split(",") if s.strip()]
    return list(range(int(os.environ.get("FIELDMARK_SKEW_SEEDS", "2"))))


STEPS = 30
# A finding's status moves back and forth between these: each is allowed after the other.
SEESAW = {"open": "reported_fixed", "reported_fixed": "reopened", "reopened": "reported_fixed"}


@pytest.mark.parametrize("seed", skew_seeds())
def test_random_clocks_and_sync_orders_lose_nothing_and_converge(server, team, seed):
    """Random steps on the three laptops: a laptop's clock is set anywhere within a day of the
    true time (often backwards), it edits one of its own items, syncs, or moves the shared
    finding along (after hearing the latest move, and telling it at once). At the end, after two
    rounds of syncs, every item holds the last note its laptop wrote, the finding the last status
    set, and every side the same visit."""
    rng = random.Random(seed)
    m, visit = team.machines, team.visit_id
    codes = items(m["a"], visit, 9)
    own = {name: codes[k::3] for k, name in enumerate("abc")}
    with team.clocks.on(m["a"]):
        finding = add_finding(m["a"].profile, visit, description="随机步骤中的问题").id
    team.sync("abc")
    last_note: dict[str, str] = {}
    status, log = "open", []
    for step in range(STEPS):
        name = rng.choice("abc")
        machine = m[name]
        action = rng.choice(("clock", "edit", "edit", "sync", "status"))
        log.append((step, name, action))
        if action == "clock":
            team.clocks.set(machine, rng.randint(-DAY_MS, DAY_MS))
            if rng.random() < 0.3:
                machine = team.restart(name)
            continue
        with team.clocks.on(machine):
            if action == "edit":
                code = rng.choice(own[name])
                last_note[code] = f"{name} step {step}"
                change_one(machine, visit, code, last_note[code])
                assert response_row(machine, visit, code)["note"] == last_note[code], log
            elif action == "sync":
                assert sync(machine.profile, machine.session, retry=QUICK).complete, log
            else:
                assert sync(machine.profile, machine.session, retry=QUICK).complete, log
                assert status_of(machine, visit, finding) == status, log
                status = SEESAW[status]
                set_finding_status(machine.profile, finding, status, note=f"{name} step {step}")
                assert status_of(machine, visit, finding) == status, log
                assert sync(machine.profile, machine.session, retry=QUICK).complete, log
    team.sync("abc")
    team.sync("abc")
    for machine in m.values():
        for code, note in last_note.items():
            assert response_row(machine, visit, code)["note"] == note, (code, log)
        assert status_of(machine, visit, finding) == status, log
    assert held_status(server, finding) == status
    all_agree(server, team)
