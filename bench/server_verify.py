"""The public verify page: GET /verify/{code} with 100,000 visits on PostgreSQL, p95 <= 20 ms.

A fresh database ``fm_bench_<random>`` on the PostgreSQL server of the given URL is migrated and
filled with 1,000 units and the finalized versions of 100,000 visits (one in ten amended once, so
its first paper is superseded). A real server process (``python -m server.cli serve``) answers a
client in this process, one request after another on a keep-alive connection, with a mix of
codes: the latest version's in either printed form, superseded papers' and wrong ones. The time
is measured at the client, so it includes HTTP. The database is dropped afterwards.

The verify limit is raised through the server's config so that the benchmark is never refused;
requests come from many addresses (X-Forwarded-For, which the server trusts from loopback as it
would from its proxy), so each address's hit count stays what phones make, not 2,000.

    python bench/server_verify.py [postgresql://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402
import psycopg  # noqa: E402
from sqlalchemy import make_url  # noqa: E402

from app.sync.codes import qr_payload, short_code  # noqa: E402
from bench.common import Figure, print_table  # noqa: E402
from server.config import normalise_database_url  # noqa: E402
from server.store.database import migrate, open_engine  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
TARGET_P95_MS = 20.0
UNITS = 1000
AMENDED_SHARE = 0.1
WARMUP = 100
# Of the requests: the latest version's code (long and short form alike), a superseded paper's,
# and a code no record has.
MIX = (("matches", 0.7, 200), ("superseded", 0.15, 200), ("unknown", 0.15, 404))
# A canonical record of a modest visit; the page never reads it, but it is in the table's rows.
RECORD_FILL = "x" * 600


def _digest(*parts: object) -> str:
    return hashlib.sha256("/".join(map(str, parts)).encode()).hexdigest()


@contextlib.contextmanager
def _fresh_database(server_url: str) -> Iterator[str]:
    name = f"fm_bench_{secrets.token_hex(6)}"
    admin = make_url(normalise_database_url(server_url)).set(drivername="postgresql")
    admin_url = admin.render_as_string(hide_password=False)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield normalise_database_url(admin.set(database=name).render_as_string(hide_password=False))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _fill(url: str, visits: int, rng: random.Random) -> dict[str, list[str]]:
    """Migrate and fill the database; the codes to ask for, by expected outcome."""
    engine = open_engine(url)
    migrate(engine)
    engine.dispose()
    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    now = time.time()
    area = str(uuid.uuid4())
    account = str(uuid.uuid4())
    unit_ids = [str(uuid.uuid4()) for _ in range(UNITS)]
    codes: dict[str, list[str]] = {"matches": [], "superseded": []}
    columns = ("visit_id, amendment_no, content_hash, replaces, finalized_at, unit_id, visit_date, record, "
               "stated_total, stated_maximum, stated_band, server_total, server_maximum, server_band, "
               "server_vetoes, score_matches, code, changeset_id, device_id, account_id, received_at, server_seq")
    with psycopg.connect(plain) as conn:
        conn.execute("INSERT INTO admin_areas (id, parent_id, level, code, name, path, updated_at) "
                     "VALUES (%s, NULL, 'county', '420381', '丹江口市', '/420381/', %s)", (area, now))
        with conn.cursor().copy("COPY units (id, area_id, code, name, unit_type, updated_at) FROM STDIN") as copy:
            for i, unit in enumerate(unit_ids):
                copy.write_row((unit, area, f"U{i:05d}", f"第{i}中心小学", "primary", now))
        conn.execute("INSERT INTO accounts (id, login, role, password_hash, created_at) "
                     "VALUES (%s, 'bench', 'admin', 'x', %s)", (account, now))
        seq = 0
        with conn.cursor().copy(f"COPY finalized_versions ({columns}) FROM STDIN") as copy:
            for n in range(visits):
                visit = str(uuid.UUID(int=rng.getrandbits(128), version=4))
                unit = unit_ids[n % UNITS]
                hashes = [_digest(visit, 0)]
                if rng.random() < AMENDED_SHARE:
                    hashes.append(_digest(visit, 1))
                for number, digest in enumerate(hashes):
                    seq += 1
                    copy.write_row((
                        visit, number, digest, hashes[number - 1] if number else None,
                        f"2026-11-{10 + number:02d}T17:30:00.000+08:00", unit, "2026-11-10",
                        json.dumps({"visit": visit, "fill": RECORD_FILL}), "86.5", "100", "良好", "86.5", "100",
                        "良好", "[]", True, short_code(visit, digest).replace("-", "").lower(),
                        str(uuid.uuid4()), str(uuid.uuid4()), account, now, seq))
                latest = hashes[-1]
                codes["matches"].append(qr_payload(visit, latest) if n % 2 else short_code(visit, latest))
                if len(hashes) > 1:
                    codes["superseded"].append(qr_payload(visit, hashes[0]) if n % 2 else short_code(visit, hashes[0]))
        conn.commit()
        conn.execute("ANALYZE")
    return codes


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def _server(url: str, limit: int) -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="fm-bench-verify-") as folder:
        (Path(folder) / "server.json").write_text(json.dumps({
            "database": url, "verify_max_per_address": limit}), encoding="utf-8")
        port = _free_port()
        with (Path(folder) / "server.log").open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "server.cli", "serve", "--data-dir", folder, "--port", str(port)],
                cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
            base = f"http://127.0.0.1:{port}"
            try:
                deadline = time.monotonic() + 60
                while True:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError("the server did not start: "
                                           + (Path(folder) / "server.log").read_text(errors="replace")[-2000:])
                    with contextlib.suppress(httpx.TransportError):
                        if httpx.get(base + "/readyz", timeout=1).status_code == 200:
                            break
                    time.sleep(0.1)
                yield base
            finally:
                process.terminate()
                process.wait(timeout=30)


def _plan(codes: dict[str, list[str]], count: int, rng: random.Random) -> list[tuple[str, int]]:
    plan = []
    for kind, share, status in MIX:
        n = round(count * share)
        if kind == "unknown":
            picked = [f"{rng.getrandbits(64):016x}" for _ in range(n)]
        else:
            picked = rng.sample(codes[kind], min(n, len(codes[kind])))
        plan += [(code, status) for code in picked]
    rng.shuffle(plan)
    return plan


def measure_verify(database_url: str, visits: int = 100_000, requests: int = 2000) -> dict:
    """p50/p95/p99 in ms of GET /verify/{code} against a server process over a fresh database
    of ``visits`` visits, made on the PostgreSQL server of ``database_url`` and dropped after."""
    rng = random.Random(20261127)
    with _fresh_database(database_url) as url:
        started = time.perf_counter()
        codes = _fill(url, visits, rng)
        fill_s = time.perf_counter() - started
        plan = _plan(codes, WARMUP + requests, rng)
        samples: list[float] = []
        with _server(url, limit=10 * (WARMUP + requests)) as base, httpx.Client(base_url=base, timeout=30) as client:
            for i, (code, status) in enumerate(plan):
                # Twenty checks per phone: each address's count stays small, as in use.
                headers = {"X-Forwarded-For": f"10.{i // 5120 % 256}.{i // 20 % 256}.{i % 20 + 1}",
                           "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}
                begin = time.perf_counter()
                answer = client.get(f"/verify/{code}", headers=headers)
                elapsed = (time.perf_counter() - begin) * 1000.0
                if answer.status_code != status:
                    raise RuntimeError(f"/verify/{code}: {answer.status_code}, expected {status}")
                if i >= WARMUP:
                    samples.append(elapsed)
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return {"visits": visits, "requests": len(samples), "fill_s": round(fill_s, 1),
            "p50_ms": round(cuts[49], 2), "p95_ms": round(cuts[94], 2), "p99_ms": round(cuts[98], 2)}


def main(argv: list[str]) -> int:
    result = measure_verify(argv[0] if argv else DEFAULT_SERVER)
    print(f"{result['visits']:,} visits (filled in {result['fill_s']} s), {result['requests']} requests: "
          f"p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms", file=sys.stderr)
    print_table([Figure(f"GET /verify/{{code}} p95, {result['visits']:,} visits, PostgreSQL", result["p95_ms"],
                        "ms", TARGET_P95_MS)])
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
