"""Laptops and server converge through a network that breaks (issue 12).

Three copies of the demo profile (one team, three accounts) sync through ``FaultProxy`` to a
real ``fieldmark-server serve`` process: connections are cut while a request is sent or while its
answer comes, answers are truncated, reset, stalled past the client's timeout or replaced by a
gateway's 5xx, and once the server process is killed or stopped while a push is under way (a few
milliseconds after its request line, or the moment the push is applied and its receipt comes back,
the receipt then never reaching the laptop) and started again on the same database and blob store.
Between syncs each laptop keeps working:
answers (its own items of a shared visit, changed again and cleared, some while its sync runs),
photos and findings; and at rounds the seed picks it finalizes its own visit (signed, gaps
accepted) and amends it later (an answer changed with a reason, or a photo added by amendment),
while team-mates who have not pulled the finalization yet still answer that visit: their edits
wait on the server as conflicts (``chaos_finalized``).

Every sync under faults must end in a clear status (complete, ``offline`` or ``server_error``),
never an exception and never a hang (or ``conflicts``, or a finalized version the server could
not check yet, once visits are finalized). Then the faults stop, every laptop syncs until it is
complete, each owner settling the conflicts on its finalized visit as the seed says (keep the
finalized answer, or accept the team-mate's as an amendment), and both sides must agree: each
visit's canonical content hash is the same on every laptop and on the server (rebuilt from the
rows it holds), no row is held twice and no edit is applied by two changesets of one laptop (the
server's stored receipts), every photo's bytes are on the server and on every laptop, and every
edit is there with its latest value.
Every finalized version is on the server once per (visit, amendment number), numbered 0..n (but
for one superseded before any sync carried it), with the content hash and score its laptop
recorded, and each visit's latest version is the same on every laptop and on the server.

Seeds: 3 in CI; ``FIELDMARK_CHAOS_SEEDS=N`` runs seeds 0..N-1, ``FIELDMARK_CHAOS_SEED=17,42``
replays chosen ones; ``FIELDMARK_CHAOS_LOG=1`` prints every seed's log (with ``-s``). A failure prints the seed, what happened to each sync and the proxy's log
of every connection.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from random import Random
from typing import Any

import pytest
from sqlalchemy import select

from app.canonical import content_hash
from app.demo import sample_value
from app.demo_photos import PHONE, demo_jpeg
from app.evidence import import_bytes
from app.evidence.store import blob_path, hash_file
from app.findings import add_finding
from app.rubric_store import get_rubric
from app.sync.client import Retry
from app.sync.device import Session
from app.sync.engine import OFFICE_TABLES, PUSHED_TABLES, Progress, SyncResult, sync
from app.sync.local import row_change
from app.visits import VisitFilter, answer_item, clear_item, get_visit, list_visits, visit_record
from db.queries import sync as sq
from db.rows import fetch_all
from server.app import BLOB_FOLDER
from server.store.blobs import open_blob_store
from server.store.schema import finalized_versions, sync_changesets, sync_conflicts, sync_rows
from server.sync.held_visit import build_record, load_visit, record_matching
from tests.server import chaos_finalized
from tests.server.chaos_finalized import Finals
from tests.server.conftest import ROOT, free_port
from tests.server.fault_proxy import Fate, FaultProxy
from tests.server.finalized_support import in_progress_visit
from tests.server.process_support import ServerProcess, _wait_ready
from tests.server.sync_support import Machine, MemoryKeyring, laptop, use_keyring


def _seeds() -> list[int]:
    chosen = os.environ.get("FIELDMARK_CHAOS_SEED", "").strip()
    if chosen:
        return [int(s) for s in chosen.split(",") if s.strip()]
    return list(range(int(os.environ.get("FIELDMARK_CHAOS_SEEDS", "3"))))


# Under faults: no waiting between tries and a short timeout, so a stalled answer costs seconds.
# Each sync gets 1 to 3 tries per request, so runs also stop half-way and leave their changeset.
FAULTY = [Retry(attempts=n, first_wait=0.0, longest_wait=0.0, timeout=2.0) for n in (1, 2, 3)]
# The proxy holds a stalled answer longer than the client waits for it.
STALL_S = 3.0
# The final round, faults off: an ordinary client.
CALM = Retry(attempts=4, first_wait=0.2, longest_wait=1.0, timeout=30.0)
# What a sync under faults may end with besides complete: the network or the server failed.
FAULT_REASONS = {"offline", "server_error"}
# Besides, once a visit is finalized: a team-mate's later edit of it waits as a conflict, and a
# version whose rows the server holds otherwise (a team-mate's edit got there first) is refused
# until the owner settles it.
WORK_REASONS = FAULT_REASONS | {"conflicts"}
ROUNDS = 3
NAMES = ("a", "b", "c")
# A sync that takes longer than this is a hang (a healthy one under faults takes a few seconds).
HANG_S = 90.0
FINAL_PASSES = 6


@pytest.fixture
def keychain() -> Iterator[MemoryKeyring]:
    yield from use_keyring(MemoryKeyring())  # type: ignore[misc]


class ServerSlot:
    """One ``fieldmark-server serve`` process at a time on a fixed data folder, database and blob
    store, which can be killed or stopped and started again (on a new port)."""

    def __init__(self, data_dir: Path, settings: dict[str, Any]) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        (data_dir / "server.json").write_text(json.dumps(settings), encoding="utf-8")
        self.data_dir = data_dir
        self.current: ServerProcess | None = None
        self.started = 0

    def start(self) -> int:
        port = free_port()
        log = self.data_dir / f"server{self.started}.log"
        self.started += 1
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "server.cli", "serve", "--data-dir", str(self.data_dir), "--port", str(port)],
                cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        self.current = ServerProcess(process, f"http://127.0.0.1:{port}", log)
        _wait_ready(self.current)
        return port

    def stop(self, *, kill: bool) -> int:
        """SIGKILL (a crash: nothing is finished) or SIGTERM (uvicorn finishes what is in flight)."""
        assert self.current is not None
        process = self.current.process
        process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        code = process.wait(timeout=60)
        self.current = None
        return code


@dataclass
class Ledger:
    """What the laptops did, to be found everywhere at the end."""

    # (visit, rubric hash, item code) -> the latest note, or None for an answer cleared.
    answers: dict[tuple[str, str, str], str | None] = field(default_factory=dict)
    photos: dict[str, str] = field(default_factory=dict)  # sha256 -> visit
    findings: dict[str, str] = field(default_factory=dict)  # finding id -> visit
    # One line per sync and per server restart, in order, for a failing seed's report.
    events: list[str] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    finals: Finals = field(default_factory=Finals)


@dataclass
class Chaos:
    seed: int
    proxy: FaultProxy
    slot: ServerSlot
    ledger: Ledger
    machines: dict[str, Machine]
    sessions: dict[str, Session]

    def report(self, since: int = 0) -> str:
        return (f"seed {self.seed}\n--- syncs and restarts ---\n" + "\n".join(self.ledger.events)
                + f"\n--- connections (from #{since}) ---\n" + self.proxy.report(since))


def run_sync(chaos: Chaos, name: str, retry: Retry, progress: Any = None) -> SyncResult:
    """One sync in a thread: an exception escaping sync() or a hang fails the test with the
    traceback (or the stuck thread's stack) and the proxy's log."""
    machine = chaos.machines[name]
    box: dict[str, Any] = {}
    first = len(chaos.proxy.log)

    def work() -> None:
        try:
            box["result"] = sync(machine.profile, chaos.sessions[name], progress, retry=retry)
        except BaseException:  # noqa: BLE001 - whatever escapes is the defect being looked for
            box["error"] = traceback.format_exc()

    worker = threading.Thread(target=work, name=f"sync-{name}", daemon=True)
    started = time.monotonic()
    worker.start()
    worker.join(HANG_S)
    if worker.is_alive():
        frame = sys._current_frames().get(worker.ident or 0)
        stack = "".join(traceback.format_stack(frame)) if frame else "(no stack)"
        pytest.fail(f"laptop {name}'s sync hung for {HANG_S:.0f} s\n{stack}\n{chaos.report(first)}")
    if "error" in box:
        pytest.fail(f"an exception escaped laptop {name}'s sync():\n{box['error']}\n{chaos.report(first)}")
    result: SyncResult = box["result"]
    outcome = "complete" if result.complete else result.reason
    chaos.ledger.outcomes[str(outcome)] += 1
    chaos.ledger.events.append(
        f"{name} ({retry.attempts} tries): {outcome} in {time.monotonic() - started:.1f} s, connections #{first}..#{len(chaos.proxy.log) - 1}, "
        f"pushed {result.rows_pushed}, acknowledged {result.rows_acknowledged}, photos up {result.blobs_uploaded} "
        f"down {result.blobs_fetched}, pulled {result.items_pulled}; {result.message}")
    return result


# --- the laptops' work ---------------------------------------------------------------------------


def shared_items(machine: Machine, visit_id: str, n: int) -> list[str]:
    """The item codes of the shared visit's first rubric that laptop ``n`` answers: every third,
    so the laptops never edit the same answer (that is a conflict for a person, not a fault)."""
    rubric = get_rubric(machine.profile, get_visit(machine.profile, visit_id).rubric_hashes[0])
    return [code for k, code in enumerate(rubric.items) if k % len(NAMES) == n]


def answer(chaos: Chaos, name: str, visit_id: str, code: str, value_from: Random, note: str) -> None:
    profile = chaos.machines[name].profile
    rubric_hash = get_visit(profile, visit_id).rubric_hashes[0]
    item = get_rubric(profile, rubric_hash).items[code]
    answer_item(profile, visit_id, rubric_hash=rubric_hash, item_code=code, value=sample_value(item, value_from, 0.6),
                evidence_methods=list(item.evidence) or ["site"], note=note, reason="现场查看发现不足。")
    chaos.ledger.answers[(visit_id, rubric_hash, code)] = note


def editing_during_sync(chaos: Chaos, name: str, rnd: Random, visit_id: str, codes: list[str]) -> Any:
    """A progress callback that changes one answer again at a phase chosen by the seed, while
    the changeset holding its previous revision may be in flight (the edit must stay dirty and
    go in a later push, whatever the network does to this one)."""
    phase = rnd.choice(("blobs", "push", "pull", "fetch"))
    code = rnd.choice(codes)
    done: list[bool] = []

    def progress(step: Progress) -> None:
        if step.phase == phase and not done:
            done.append(True)
            answer(chaos, name, visit_id, code, Random(code), f"{name} edited {code} during the {phase} phase")
            chaos.ledger.events.append(f"{name}: answer {code} changed during the {phase} phase of the next sync")

    return progress


def work(chaos: Chaos, name: str, rnd: Random, round_no: int, shared: str, own: str) -> list[str]:
    """The laptop's work between two syncs; returns the items it answered."""
    machine = chaos.machines[name]
    profile = machine.profile
    ledger = chaos.ledger
    n = NAMES.index(name)
    rubric_hash = get_visit(profile, shared).rubric_hashes[0]
    mine = shared_items(machine, shared, n)
    changed = rnd.sample(mine, k=min(len(mine), rnd.randint(2, 4)))
    for code in changed:
        answer(chaos, name, shared, code, rnd, f"{name} round {round_no} item {code}")
    answered = [k[2] for k, v in ledger.answers.items() if k[0] == shared and v is not None and k[2] in mine]
    if answered and rnd.random() < 0.3:
        code = rnd.choice(answered)
        clear_item(profile, shared, rubric_hash=rubric_hash, item_code=code)
        ledger.answers[(shared, rubric_hash, code)] = None
    # The own visit, once finalized, changes only by amendment (chaos_finalized.owner_step).
    own_open = not get_visit(profile, own).locked
    if rnd.random() < 0.5 and own_open:
        data = demo_jpeg("gate", Random(f"{chaos.seed}-{name}-{round_no}"), taken=datetime(2026, 11, 24, 9, round_no),
                         camera=PHONE, place=(32.54, 111.51))
        summary = import_bytes(profile, data, f"IMG_{round_no:04d}.jpg", visit_id=own)
        for imported in summary.imported:
            sha = profile.db.execute("SELECT sha256 FROM evidence WHERE id = ?", (imported.evidence_id,)).fetchone()[0]
            ledger.photos[sha] = own
    if rnd.random() < 0.4 and own_open:
        made = add_finding(profile, own, description=f"{name} round {round_no}: 消防通道堆放杂物",
                           requirement="一周内清理", deadline="2026-12-01")
        ledger.findings[made.id] = own
    steps = Random(f"finals-{chaos.seed}-{name}-{round_no}")
    chaos_finalized.team_mate_step(profile, name, steps, round_no, ledger.finals, ledger.answers, ledger.events)
    chaos_finalized.owner_step(profile, name, steps, round_no, ledger.finals, ledger.answers, ledger.photos,
                               ledger.events)
    return changed


# --- what both sides hold ------------------------------------------------------------------------


def laptop_rows(machine: Machine, table: str) -> dict[str, tuple[str, bool, dict[str, Any]]]:
    return {r["id"]: (r["rev"], bool(r["deleted"]), row_change(table, r).model_dump(mode="json")["values"])
            for r in fetch_all(machine.profile.db, f"SELECT * FROM {table}")}


def server_rows(conn: Any, table: str) -> dict[str, tuple[str, bool, dict[str, Any]]]:
    found = conn.execute(select(sync_rows).where(sync_rows.c.table_name == table)).all()
    return {r.key: (r.rev, bool(r.deleted), json.loads(r.row_values)) for r in found}


def duplicates(rows: dict[str, tuple[str, bool, dict[str, Any]]], *columns: str) -> list[tuple[Any, ...]]:
    """Live rows sharing the values that identify them."""
    counted = Counter(tuple(values.get(c) for c in columns) for _, deleted, values in rows.values() if not deleted)
    return [k for k, n in counted.items() if n > 1]


def check_converged(chaos: Chaos, server: Any, *, crashed: bool) -> dict[str, int]:
    ledger, machines = chaos.ledger, chaos.machines
    problems: list[str] = []
    with server.engine.connect() as conn:
        held = {t: server_rows(conn, t) for t in PUSHED_TABLES}
        open_on_server = conn.execute(select(sync_conflicts.c.id).where(sync_conflicts.c.status == "open")).all()
        if open_on_server:
            problems.append(f"the server holds {len(open_on_server)} open conflict(s)")

        # Nothing accepted twice: no edit (a row at one revision) is applied by two changesets of
        # one laptop, whatever it sent again after a cut, a lost receipt or a restart. (The laptops
        # are copies of one demo profile: each pushes the demo's rows, at the same revisions, once.)
        applied: Counter[tuple[str, str, str, str]] = Counter()
        receipts = conn.execute(select(sync_changesets.c.device_id, sync_changesets.c.receipt)).all()
        for device_id, receipt in receipts:
            applied.update((device_id, r["table"], r["key"], r["rev"]) for r in json.loads(receipt)["rows"]
                           if r["status"] == "applied")
        if twice := [k for k, n in applied.items() if n > 1]:
            problems.append(f"server: {len(twice)} edit(s) applied by two changesets: {twice[:3]}")

        # No row twice: one answer per item, one live photo row per (visit, blob).
        for what, table, columns in (("answer", "responses", ("visit_id", "rubric_hash", "item_code")),
                                     ("photo", "evidence", ("visit_id", "sha256"))):
            if dup := duplicates(held[table], *columns):
                problems.append(f"server: {what}s held twice: {dup[:3]}")

        # Every laptop holds exactly the server's rows, at the same revision, with the same values.
        for name, machine in machines.items():
            if conflicts := sq.open_conflicts(machine.profile.db):
                problems.append(f"{name}: {len(conflicts)} open conflict(s)")
            if dirty := {t: c for t, c in sq.pending_counts(machine.profile.db).items() if t not in OFFICE_TABLES}:
                problems.append(f"{name}: rows still dirty after the final sync: {dirty}")
            for table in PUSHED_TABLES:
                local = laptop_rows(machine, table)
                for key in sorted(set(local) | set(held[table])):
                    mine, theirs = local.get(key), held[table].get(key)
                    if mine != theirs:
                        problems.append(f"{name}: {table} {key}: laptop {mine and mine[:2]} server {theirs and theirs[:2]}"
                                        + (" (values differ)" if mine and theirs and mine[2] != theirs[2] else ""))
            for what, table, columns in (("answer", "responses", ("visit_id", "rubric_hash", "item_code")),
                                         ("photo", "evidence", ("visit_id", "sha256"))):
                if dup := duplicates(laptop_rows(machine, table), *columns):
                    problems.append(f"{name}: {what}s held twice: {dup[:3]}")

        # Every finalized version on the server once, 0..n, as its laptop made and scored it.
        profiles = {name: machine.profile for name, machine in machines.items()}
        problems += chaos_finalized.check(conn, profiles, ledger.finals)
        versions = conn.execute(select(finalized_versions.c.visit_id)).all()

        # Each visit's canonical record hashes alike on every laptop and on the server.
        visits = {k for k, (_, deleted, _) in held["visits"].items() if not deleted}
        for visit_id in sorted(visits):
            stored = load_visit(conn, visit_id)
            assert stored is not None
            record = build_record(stored)
            for name, machine in machines.items():
                digest = content_hash(visit_record(machine.profile, visit_id))
                if record_matching(record, digest) is None:
                    problems.append(f"visit {visit_id}: {name}'s content hash {digest[:12]} is not the server's "
                                    f"({content_hash(record)[:12]} with members by id)")

    # Every edit is there, with its latest value.
    for (visit_id, rubric_hash, code), note in ledger.answers.items():
        wanted = (note is None, note)
        server_side = [(d, v.get("note")) for _, d, v in held["responses"].values()
                       if (v.get("visit_id"), v.get("rubric_hash"), v.get("item_code")) == (visit_id, rubric_hash, code)]
        if [(d, None if d else n) for d, n in server_side] != [(wanted[0], None if wanted[0] else note)]:
            problems.append(f"server: the answer to {code} of {visit_id} is {server_side}, the last edit was {note!r}")
        for name, machine in machines.items():
            rows = fetch_all(machine.profile.db, "SELECT deleted, note FROM responses WHERE visit_id = ? AND "
                                                 "rubric_hash = ? AND item_code = ?", (visit_id, rubric_hash, code))
            got = [(bool(r["deleted"]), None if r["deleted"] else r["note"]) for r in rows]
            if got != [(wanted[0], None if wanted[0] else note)]:
                problems.append(f"{name}: the answer to {code} of {visit_id} is {got}, the last edit was {note!r}")
    for finding_id, visit_id in ledger.findings.items():
        row = held["findings"].get(finding_id)
        if row is None or row[1] or row[2].get("visit_id") != visit_id:
            problems.append(f"server: finding {finding_id} is {row and row[:2]}")
        for name, machine in machines.items():
            if sq.get_row(machine.profile.db, "findings", finding_id) is None:
                problems.append(f"{name}: finding {finding_id} is missing")

    # No photo missing: every live photo row's bytes, hashing to its name, on both sides.
    live = {v["sha256"] for _, d, v in held["evidence"].values() if not d} | \
        {v["sha256"] for _, d, v in held["signatures"].values() if not d and v.get("sha256")}
    for sha, visit_id in ledger.photos.items():
        if not any(v.get("sha256") == sha and v.get("visit_id") == visit_id and not d
                   for _, d, v in held["evidence"].values()):
            problems.append(f"server: no live photo row for {sha} in {visit_id}")
    store = open_blob_store(server.config.blobs_url or chaos.slot.data_dir / BLOB_FOLDER)
    try:
        for sha in sorted(live):
            if not store.has(sha):
                problems.append(f"server: the blob store lacks photo {sha}")
                continue
            reader = store.open(sha)
            try:
                data = reader.read()
            finally:
                reader.close()
            if hashlib.sha256(data).hexdigest() != sha:
                problems.append(f"server: photo {sha} holds other bytes")
        leftovers = store.temp_files() if hasattr(store, "temp_files") else []
    finally:
        store.close()
    if leftovers and not crashed:
        # A cut upload leaves nothing; only a killed process may leave its temporary file.
        problems.append(f"server: unfinished uploads left behind without a crash: {leftovers}")
    for name, machine in machines.items():
        for sha in sorted(live):
            path = blob_path(machine.profile.media_dir, sha)
            if not path.is_file():
                problems.append(f"{name}: photo {sha} is missing from the media folder")
            elif hash_file(path) != sha:
                problems.append(f"{name}: photo {sha} holds other bytes")

    assert not problems, "the laptops and the server did not converge:\n" + "\n".join(problems[:40]) + \
        f"\n({len(problems)} problem(s))\n" + chaos.report()
    return {"changesets": len(receipts), "visits": len(visits), "photos": len(live), "answers": len(ledger.answers),
            "findings": len(ledger.findings), "leftover_uploads": len(leftovers), "versions": len(versions),
            **{k: ledger.finals.counts[k] for k in ("finalizations", "amendments", "superseded", "late_edits",
                                                    "settled", "signatures")}}


# --- the test --------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", _seeds())
def test_laptops_and_server_converge_through_a_faulty_network(server, demo_template, tmp_path, keychain, seed):
    began = time.monotonic()
    rnd = Random(f"chaos-{seed}")
    settings: dict[str, Any] = {"database": server.config.database_url}
    if server.config.blobs_url:
        settings["blobs"] = server.config.blobs_url
    slot = ServerSlot(tmp_path / "server-data", settings)
    proxy = FaultProxy(slot.start(), seed, stall=STALL_S)
    machines = {name: laptop(server, demo_template, tmp_path / name, mirror=name == NAMES[0]) for name in NAMES}
    sessions = {name: Session(proxy.url, m.session.login, m.session.token) for name, m in machines.items()}
    chaos = Chaos(seed, proxy, slot, Ledger(finals=chaos_finalized.plan(seed, NAMES, ROUNDS)), machines, sessions)
    crashed = False
    try:
        # 1. Every laptop's first sync (the whole demo: ~600 rows, 14 photos) under faults, until it
        # is complete; a laptop that has not made it after three tries finishes with the faults off,
        # since the edits below must start from what the server holds (a copied profile's rows share
        # revisions, and an edit of a row the server has not acknowledged yet is a real conflict).
        for name in NAMES:
            for attempt in range(4):
                if attempt < 3:
                    result = run_sync(chaos, name, FAULTY[-1])
                else:
                    with proxy.clean():
                        result = run_sync(chaos, name, CALM)
                assert result.complete or result.reason in FAULT_REASONS, chaos.report()
                if result.complete:
                    break
            assert result.complete, chaos.report()

        shared = in_progress_visit(machines["a"].profile, 0)
        own = {name: in_progress_visit(machines["a"].profile, n) for n, name in enumerate(NAMES)}
        # What each laptop finalizes and amends: its own visit, but the shared one stays open for
        # everyone (its owner amends a visit the demo finalized instead).
        done = list_visits(machines["a"].profile, VisitFilter(status="finalized"), limit=1)[0].id
        chaos.ledger.finals.target = {name: done if v == shared else v for name, v in own.items()}

        # 2. Work and sync under faults. From a round chosen by the seed, the first push the proxy
        # sees is met by a server restart, in one of two ways (drawn apart from the rest, so the
        # seeds of the timed restart alone kept their runs): "timed", a few milliseconds after its
        # request line (while the body arrives, while it is applied, or as its receipt goes out),
        # by SIGKILL or SIGTERM; or "receipt", the server killed the moment its receipt for the push
        # comes back, which is dropped: the push is applied and the laptop never hears of it.
        restart_round = rnd.randrange(ROUNDS)
        kill = rnd.random() < 0.5
        restart_after = rnd.uniform(0.0, 0.12)
        how = Random(f"restart-{seed}").choice(("timed", "receipt"))
        restarter: list[threading.Thread] = []
        restart_errors: list[str] = []
        landed: list[str] = []  # where the restart met the push, for the seed's line

        def restart(during: str, push: tuple[Any, int] | None = None, stopped: int | None = None) -> None:
            try:
                if stopped is None:
                    time.sleep(restart_after)
                    code = slot.stop(kill=kill)
                    signal_name = "SIGKILL" if kill else "SIGTERM"
                    time.sleep(0.05)  # what the server sent before it died reaches the proxy's log
                    if push is None:
                        landed.append(f"{signal_name} between syncs")
                    else:
                        connection, index = push
                        answered = len(connection.statuses) > index
                        landed.append(f"{signal_name} {'after' if answered else 'before'} the push's answer")
                    chaos.ledger.events.append(
                        f"server {'killed (SIGKILL)' if kill else 'stopped (SIGTERM)'} {restart_after * 1000:.0f} ms "
                        f"after {during} (exit {code}): {landed[-1]}; next connection #{len(proxy.log)}")
                port = slot.start()
                proxy.point_to(port)
                chaos.ledger.events.append(f"server started again on :{port}; next connection #{len(proxy.log)}")
            except BaseException:  # noqa: BLE001 - reported by the test's thread
                restart_errors.append(traceback.format_exc())

        def restart_at_push(request: str, connection: Any) -> None:
            if request == "POST /api/v1/changesets" and not restarter:
                restarter.append(threading.Thread(
                    target=restart, args=(f"connection #{connection.number} began a push",),
                    kwargs={"push": (connection, len(connection.requests) - 1)}, name="restart", daemon=True))
                restarter[0].start()

        def kill_at_receipt(request: str, connection: Any) -> bool:
            # Only a push the server took (2xx): a refusal (photos missing) applied nothing.
            if request != "POST /api/v1/changesets" or restarter or not connection.statuses[-1].startswith("2"):
                return False
            code = slot.stop(kill=True)  # before the receipt goes on: it is never forwarded
            landed.append("SIGKILL as the push's receipt came back (receipt dropped)")
            chaos.ledger.events.append(f"server killed (SIGKILL, exit {code}) as its receipt for the push on "
                                       f"connection #{connection.number} came back; the receipt was dropped")
            restarter.append(threading.Thread(target=restart, args=("the receipt",), kwargs={"stopped": code},
                                              name="restart", daemon=True))
            restarter[0].start()
            return True

        for round_no in range(ROUNDS):
            order = list(NAMES)
            rnd.shuffle(order)
            for name in order:
                changed = work(chaos, name, rnd, round_no, shared, own[name])
                armed = round_no >= restart_round and not restarter
                proxy.watch = restart_at_push if armed and how == "timed" else None
                proxy.on_answer = kill_at_receipt if armed and how == "receipt" else None
                during = editing_during_sync(chaos, name, rnd, shared, changed) if rnd.random() < 0.35 else None
                result = run_sync(chaos, name, rnd.choice(FAULTY), during)
                proxy.watch = proxy.on_answer = None
                if restarter:
                    restarter[0].join(60)
                    assert not restart_errors, restart_errors[0]
                assert result.complete or result.reason in WORK_REASONS or (
                    result.reason == "not_acknowledged" and not result.rows_refused), \
                    f"laptop {name}: {result.reason}: {result.message}\n{chaos.report()}"
                # The owner of a finalized visit settles its conflicts as they show: the choice
                # then travels through the faults too.
                chaos_finalized.settle({n: m.profile for n, m in machines.items()}, seed, chaos.ledger.finals,
                                       chaos.ledger.answers, chaos.ledger.events, only=name)
        if not restarter:
            # No push reached the server after the round chosen: restart between syncs instead.
            restarter.append(threading.Thread(target=restart, args=("the last sync under faults",)))
            restarter[0].start()
            restarter[0].join(60)
            assert not restart_errors, restart_errors[0]
        crashed = landed[0].startswith("SIGKILL")

        # 3. The network heals: every laptop syncs until a whole pass is complete with nothing left
        # to push, so each has pulled what the others pushed.
        # The owners settle the conflicts on their finalized visits as they come (a person's
        # choice, drawn from the seed), so the pass after the last choice has nothing to do.
        with proxy.clean():
            for _ in range(FINAL_PASSES):
                results = {name: run_sync(chaos, name, CALM) for name in NAMES}
                settled = chaos_finalized.settle({n: m.profile for n, m in machines.items()}, seed,
                                                 chaos.ledger.finals, chaos.ledger.answers, chaos.ledger.events)
                if not settled and all(r.complete and r.rows_pushed == 0 for r in results.values()):
                    break
            else:
                pytest.fail("the laptops did not converge after the faults stopped:\n" + "\n".join(
                    f"{n}: {r.reason} {r.message}" for n, r in results.items()) + "\n" + chaos.report())

        held = check_converged(chaos, server, crashed=crashed)
        print(f"\nchaos seed {seed}: {time.monotonic() - began:.1f} s; connections {len(proxy.log)} "
              f"{dict(sorted(proxy.counts().items()))}; sync outcomes {dict(chaos.ledger.outcomes)}; "
              f"restart {how}: {landed[0]}; held {held}")
        if os.environ.get("FIELDMARK_CHAOS_LOG"):
            print(chaos.report())
    finally:
        proxy.close()
        if slot.current is not None:
            slot.stop(kill=False)
        for machine in machines.values():
            machine.profile.close()


# --- the proxy itself ----------------------------------------------------------------------------


REQUEST = b"POST /api/v1/pull HTTP/1.1\r\n" + b"y" * 72  # 100 bytes
ANSWER = b"x" * 1000  # fits the socket buffers: sending it never waits on the client


@pytest.fixture
def answering() -> Iterator[tuple[int, list[tuple[int, str]]]]:
    """A server on loopback that reads a 100-byte request, answers 1,000 bytes once it has it all,
    and reports how many bytes it got and how the stream ended: "eof" for a FIN, else the error."""
    listener = socket.create_server(("127.0.0.1", 0))
    heard: list[tuple[int, str]] = []

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                got, ending = 0, "eof"
                try:
                    while chunk := conn.recv(4096):
                        got += len(chunk)
                        if got == len(REQUEST):
                            conn.sendall(ANSWER)
                except OSError as exc:
                    ending = type(exc).__name__
                heard.append((got, ending))

    threading.Thread(target=serve, daemon=True).start()
    yield int(listener.getsockname()[1]), heard
    listener.close()


@pytest.mark.parametrize(("fate", "client_gets", "server_gets"), [
    (Fate("pass"), (1000, "eof"), (100, "eof")),
    (Fate("cut_down", at=50), (50, "eof"), (100, "eof")),
    (Fate("cut_down", at=50, reset=True), (50, "ConnectionResetError"), (100, "ConnectionResetError")),
    (Fate("cut_up", at=10), (0, "eof"), (10, "eof")),
    (Fate("cut_up", at=10, reset=True), (0, "ConnectionResetError"), (10, "ConnectionResetError")),
    (Fate("error_before", status=503), (None, "eof"), None),
], ids=["pass", "cut_down", "cut_down_rst", "cut_up", "cut_up_rst", "error_before"])
def test_the_proxy_does_what_its_log_says(answering, fate, client_gets, server_gets):
    port, heard = answering
    proxy = FaultProxy(port, 0)
    proxy._draw = lambda: fate  # type: ignore[method-assign]
    try:
        with socket.create_connection(("127.0.0.1", proxy.port), timeout=5) as conn:
            conn.sendall(REQUEST)
            received = b""
            if fate.kind == "pass":
                while len(received) < len(ANSWER):
                    received += conn.recv(65536)
                conn.shutdown(socket.SHUT_WR)
            try:
                while chunk := conn.recv(65536):
                    received += chunk
                ending = "eof"
            except OSError as exc:
                ending = type(exc).__name__
        deadline = time.monotonic() + 5
        while server_gets is not None and not heard and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        proxy.close()
    if fate.kind == "error_before":
        assert received.startswith(b"HTTP/1.1 503 ") and ending == "eof"
        assert heard == []  # the server never heard of it
    else:
        # A reset may overtake bytes not yet read: no more than the cut, and the right ending.
        assert len(received) <= client_gets[0] and ending == client_gets[1]
        assert heard == [server_gets]
    [entry] = proxy.log
    assert entry.requests == ["POST /api/v1/pull"] and entry.fate == fate


def test_an_answer_dropped_by_on_answer_never_reaches_the_client():
    listener = socket.create_server(("127.0.0.1", 0))
    heard: list[int] = []

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            got = b""
            while len(got) < len(REQUEST):
                got += conn.recv(4096)
            heard.append(len(got))
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            with contextlib.suppress(OSError):  # the proxy resets the connection
                conn.recv(4096)

    threading.Thread(target=serve, daemon=True).start()
    proxy = FaultProxy(int(listener.getsockname()[1]), 0)
    proxy._draw = lambda: Fate("pass")  # type: ignore[method-assign]
    seen: list[str] = []
    proxy.on_answer = lambda request, log: seen.append(request) or True
    try:
        with socket.create_connection(("127.0.0.1", proxy.port), timeout=5) as conn:
            conn.sendall(REQUEST)
            received = b""
            try:
                while chunk := conn.recv(65536):
                    received += chunk
                ending = "eof"
            except OSError as exc:
                ending = type(exc).__name__
    finally:
        proxy.close()
        listener.close()
    assert heard == [len(REQUEST)] and seen == ["POST /api/v1/pull"]  # the server had it all and answered
    assert received == b"" and ending == "ConnectionResetError"  # the client never saw the answer
    [entry] = proxy.log
    assert entry.outcome == "the answer to POST /api/v1/pull was dropped"
