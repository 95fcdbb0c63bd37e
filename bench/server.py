"""Server push throughput: concurrent laptops pushing changesets of 50 rows over loopback, with the
server in processes of its own (``python -m server.cli serve``), on SQLite and PostgreSQL.

Each client is a laptop of its own: its own inspector account and token, its own registered
device, its own visits. A changeset is one new visit (a ``visits`` row) and 49 answers to its
rubric items (``responses`` rows keyed by ``app.sync.ids.response_key``), all new, so every push
applies all 50 rows in one transaction. The bodies are built before the clock starts, so the
client side costs only the HTTP round trip (threads, one keep-alive connection per process).

Three set-ups, each a fresh store (a temporary data folder; for PostgreSQL a database
``fm_bench_<random>`` made and dropped on the server of FIELDMARK_BENCH_PG, default
postgresql://postgres@127.0.0.1:5432/postgres):

- SQLite, one process (the target: at least 200 changesets a second with 20 clients);
- PostgreSQL, one process;
- PostgreSQL, two processes, each client's pushes alternating between them.

Then GET /verify/{code} on PostgreSQL (``bench/server_verify.measure_verify``, 100,000 visits;
10,000 with --quick) and, separately, the blob
upload (``python bench/blob_upload.py``). Figures are reported, never raised on: the machine's
load moves them.

    python bench/server.py            # 20 clients x (3 warm-up + 30 measured) changesets each
    python bench/server.py --quick    # 20 clients x (1 + 5)
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402

from bench.common import Figure, print_table  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = 20
ROWS = 50
WARMUP = 3
MEASURED = 30
TARGET_SQLITE = 200.0  # changesets per second, 20 clients, SQLite, one process
VERIFY_P95_MS = 20.0   # bench/server_verify.py's target
RUBRIC = "9f2c4e1a7b3d5e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f"
PG_ADMIN = os.environ.get("FIELDMARK_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
HEADERS = {"Fieldmark-Protocol": "1"}
COUNTY = "420381"            # the demo tree's county: the inspectors' scope
UNIT_IN_TOWNSHIP = "DJK001"  # a unit inside it


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- the store and the server processes ---------------------------------------------------------

@contextmanager
def postgres_database() -> Iterator[str]:
    """A new database on the PostgreSQL of FIELDMARK_BENCH_PG, dropped afterwards."""
    import psycopg
    from sqlalchemy import make_url

    name = f"fm_bench_{secrets.token_hex(6)}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass(frozen=True)
class Laptop:
    token: str
    device_id: str
    inspector_id: str


def prepare_store(data_dir: Path, database: str | None, clients: int) -> tuple[list[Laptop], str]:
    """The demo tree, one inspector account per client with a token; the data folder's server.json.
    Returns the laptops and the unit their visits are at."""
    from sqlalchemy import select

    from server import accounts
    from server.config import load_config, save_config
    from server.store.database import migrate, open_engine
    from server.store.schema import units
    from server.units_import import import_units

    config = load_config(data_dir, database=database)
    save_config(config)
    engine = open_engine(config.database_url)
    migrate(engine)
    laptops = []
    with engine.begin() as conn:
        import_units(conn, ROOT / "resources" / "server" / "demo-units.csv")
        unit = str(conn.execute(select(units.c.id).where(units.c.code == UNIT_IN_TOWNSHIP)).scalar_one())
        for i in range(clients):
            account = accounts.add_account(conn, login=f"inspector{i}", password=secrets.token_urlsafe(12),
                                           role="inspector", scope_code=COUNTY)
            laptops.append(Laptop(accounts.issue_token(conn, config, account).token, str(uuid.uuid4()), account.id))
    engine.dispose()
    return laptops, unit


class ServerProcess:
    """``python -m server.cli serve`` on the data folder, its log in a file beside it."""

    def __init__(self, data_dir: Path, index: int) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = data_dir / f"server{index}.log"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "serve", "--data-dir", str(data_dir), "--port", str(self.port)],
            cwd=ROOT, stdout=self.log.open("wb"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited: {self.log.read_text(encoding='utf-8')[-2000:]}")
            try:
                if httpx.get(self.url + "/readyz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("the server did not start within 60 s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# --- the changesets -----------------------------------------------------------------------------

def stamp(ms: int, device: str, counter: int = 0) -> str:
    return f"{ms:015d}-{counter:06d}-{device}"


def visit_changeset(laptop: Laptop, seq: int, unit: str) -> bytes:
    """One new visit and its first 49 answers, as a laptop pushes them after a morning's work."""
    from app.sync.ids import response_key

    device, visit = laptop.device_id, str(uuid.uuid4())
    base_ms = 1_764_000_000_000 + seq * 10_000
    rows: list[dict[str, Any]] = [{
        "table": "visits", "key": visit, "rev": stamp(base_ms, device), "base_rev": None,
        "values": {"unit_id": unit, "assignment_id": None, "visit_type": "routine", "status": "in_progress",
                   "starts_on": "2026-11-24", "ends_on": "2026-11-24", "team_id": None,
                   "created_at": "2026-11-24T09:00:00.000+08:00", "finalized_at": None, "content_hash": None}}]
    for i in range(1, ROWS):
        item = f"{'ABCDE'[i % 5]}.{i // 5 + 1}.{i % 7 + 1}"
        rows.append({
            "table": "responses", "key": response_key(visit, RUBRIC, item),
            "rev": stamp(base_ms + i, device, i), "base_rev": None,
            "values": {"visit_id": visit, "rubric_hash": RUBRIC, "item_code": item,
                       "value": ("yes", "partial", "no")[i % 3], "na": 0,
                       "evidence_methods": json.dumps(["observe", "document"][: 1 + i % 2]),
                       "note": "消毒记录缺两天，已当场指出" if i % 4 == 0 else "", "reason": "",
                       "answered_by": laptop.inspector_id,
                       "answered_at": f"2026-11-24T10:{i % 60:02d}:11.000+08:00"}})
    body = {"changeset_id": str(uuid.uuid4()), "device_id": device, "device_seq": seq,
            "created_at": "2026-11-24T17:45:12.004+08:00", "rows": rows, "blobs": []}
    return json.dumps(body, ensure_ascii=False).encode()


def register(client: httpx.Client, laptop: Laptop) -> None:
    from app.sync import keys

    answer = client.put(f"/api/v1/devices/{laptop.device_id}", json={
        "device_id": laptop.device_id, "algorithm": "ed25519",
        "public_key": keys.public_key_text(keys.generate_device_key()), "label": "BENCH-LAPTOP"})
    if answer.status_code not in (200, 201):
        raise RuntimeError(f"device registration refused: {answer.status_code} {answer.text[:300]}")


# --- one run --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Result:
    name: str
    changesets: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rate(self) -> float:
        return self.changesets / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def push_load(name: str, urls: list[str], laptops: list[Laptop], unit: str, warmup: int,
              measured: int, settle: Callable[[], None] | None = None) -> Result:
    """Every laptop registers its device, pushes ``warmup`` changesets, waits for the others at a
    barrier (where ``settle`` runs), then pushes ``measured`` more (alternating between ``urls``)
    while the clock runs."""
    bodies = [[visit_changeset(lap, seq, unit) for seq in range(1, warmup + measured + 1)] for lap in laptops]
    barrier = threading.Barrier(len(laptops) + 1, action=settle)
    latencies: list[list[float]] = [[] for _ in laptops]
    failures: list[str] = []

    def laptop_thread(index: int, laptop: Laptop) -> None:
        headers = HEADERS | {"Authorization": f"Bearer {laptop.token}", "Content-Type": "application/json"}
        clients = [httpx.Client(base_url=url, headers=headers, timeout=120) for url in urls]
        try:
            register(clients[0], laptop)
            for n, body in enumerate(bodies[index]):
                if n == warmup:
                    barrier.wait()
                started = time.perf_counter()
                answer = clients[(index + n) % len(clients)].post("/api/v1/changesets", content=body)
                elapsed = (time.perf_counter() - started) * 1000
                if answer.status_code != 200:
                    raise RuntimeError(f"push refused: {answer.status_code} {answer.text[:300]}")
                if n >= warmup:
                    latencies[index].append(elapsed)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread, which must not hang
            failures.append(repr(exc))
            barrier.abort()
        finally:
            for client in clients:
                client.close()

    threads = [threading.Thread(target=laptop_thread, args=(i, lap), daemon=True) for i, lap in enumerate(laptops)]
    for thread in threads:
        thread.start()
    try:
        barrier.wait()
    except threading.BrokenBarrierError:
        pass
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"{name}: {len(failures)} client(s) failed; first: {failures[0]}")
    flat = [ms for per in latencies for ms in per]
    return Result(name, len(flat), seconds, flat)


@contextmanager
def sampled(pids: list[int], out: Path | None) -> Iterator[None]:
    """With ``out``: py-spy samples the server processes meanwhile (every thread: the push runs in
    the server's thread pool, where cProfile would not see it), written as collapsed stacks."""
    if out is None:
        yield
        return
    import shutil
    import signal

    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(spy).is_file():
        print("--profile needs py-spy (pip install py-spy); running without it", file=sys.stderr)
        yield
        return
    out.mkdir(parents=True, exist_ok=True)
    samplers = [subprocess.Popen([spy, "record", "--pid", str(pid), "--rate", "250", "--format", "raw",
                                  "--output", str(out / f"server-{pid}.txt")], stdout=subprocess.DEVNULL)
                for pid in pids]
    try:
        time.sleep(1)  # attached before the first push
        yield
    finally:
        for sampler in samplers:
            sampler.send_signal(signal.SIGINT)
            sampler.wait(timeout=60)
        print(f"py-spy samples (collapsed stacks) in {out}", file=sys.stderr)


def analyze(database: str) -> None:
    """Table statistics, as autovacuum keeps them on a server in use. Tables filled from empty
    within seconds have none, and PostgreSQL's planner then reads a push's rows by the table name
    alone, scanning every row of that table: a cold-start effect, not the server's speed."""
    import psycopg

    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute("ANALYZE")


def run_setup(name: str, database: str | None, processes: int, clients: int, warmup: int,
              measured: int, profile: Path | None = None) -> Result:
    with tempfile.TemporaryDirectory(prefix="fm-bench-server-") as tmp:
        data_dir = Path(tmp)
        laptops, unit = prepare_store(data_dir, database, clients)
        servers: list[ServerProcess] = []
        try:
            for i in range(processes):
                servers.append(ServerProcess(data_dir, i))
            with sampled([s.process.pid for s in servers], profile):
                result = push_load(name, [s.url for s in servers], laptops, unit, warmup, measured,
                                   settle=partial(analyze, database) if database else None)
        finally:
            for server in servers:
                server.stop()
    return result


def verify_figures(quick: bool) -> list[Figure]:
    """GET /verify/{code} on PostgreSQL, measured by bench/server_verify.py (its own database)."""
    try:
        from bench.server_verify import measure_verify
    except ImportError as exc:
        print(f"verify: bench/server_verify.py cannot be imported ({exc}); no verify figure", file=sys.stderr)
        return []
    print("running verify on PostgreSQL", file=sys.stderr, flush=True)
    got = measure_verify(PG_ADMIN, **({"visits": 10_000, "requests": 300} if quick else {}))
    where = f"PostgreSQL, {got['visits']:,} visits, {got['requests']} requests"
    return [Figure(f"verify: GET /verify/{{code}} p50, {where}", got["p50_ms"], "ms", float("inf")),
            Figure(f"verify: GET /verify/{{code}} p95, {where}", got["p95_ms"], "ms", VERIFY_P95_MS),
            Figure(f"verify: GET /verify/{{code}} p99, {where}", got["p99_ms"], "ms", float("inf"))]


def run(quick: bool = False, clients: int = CLIENTS, only: str | None = None,
        profile: Path | None = None) -> list[Figure]:
    warmup, measured = (1, 5) if quick else (WARMUP, MEASURED)
    setups = [("SQLite, 1 process", None, 1), ("PostgreSQL, 1 process", "pg", 1),
              ("PostgreSQL, 2 processes", "pg", 2)]
    figures: list[Figure] = []
    results: list[Result] = []
    for name, database, processes in setups:
        if only and only.lower() not in name.lower():
            continue
        print(f"running {name}: {clients} clients x ({warmup} warm-up + {measured}) changesets of {ROWS} rows",
              file=sys.stderr, flush=True)
        if database == "pg":
            with postgres_database() as url:
                result = run_setup(name, url, processes, clients, warmup, measured, profile)
        else:
            result = run_setup(name, None, processes, clients, warmup, measured, profile)
        results.append(result)
        target = TARGET_SQLITE if database is None else 0.0  # PostgreSQL: reported, no target
        figures += [
            Figure(f"push: {name}, {clients} clients x {ROWS} rows", result.rate, "cs/s", target, sense="min"),
            Figure(f"push: {name}, latency p50", result.percentile(50), "ms", float("inf")),
            Figure(f"push: {name}, latency p95", result.percentile(95), "ms", float("inf")),
        ]
    print(f"\n{'set-up':<26} {'changesets':>10} {'seconds':>8} {'cs/s':>8} {'p50 ms':>8} {'p95 ms':>8}")
    for r in results:
        print(f"{r.name:<26} {r.changesets:>10} {r.seconds:>8.2f} {r.rate:>8.1f} "
              f"{r.percentile(50):>8.1f} {r.percentile(95):>8.1f}")
    print()
    if not only or "verify" in only.lower():
        figures += verify_figures(quick)
    print("blob upload (100 photos of 3 MB, files and SeaweedFS): run `python bench/blob_upload.py`",
          file=sys.stderr)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a short run: 1 warm-up and 5 measured pushes per client")
    parser.add_argument("--clients", type=int, default=CLIENTS)
    parser.add_argument("--only", default=None, help="run the set-ups whose name contains this (e.g. sqlite, verify)")
    parser.add_argument("--profile", type=Path, default=None,
                        help="sample the server processes with py-spy into this folder")
    args = parser.parse_args(argv)
    print_table(run(args.quick, args.clients, args.only, args.profile))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
