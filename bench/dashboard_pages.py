"""The office dashboard's pages on PostgreSQL at scale (issue 13): the server time of
GET /campaigns/{id} and GET /ranking, 100,000 visits and 1,000,000 item scores.

The database is loaded by bench/dashboard.py's loader (the same data its figure timings use:
10,000 units in 40 counties, 9 routine campaigns and a spot check). The server is the real ASGI
app (server.app.create_app) called in this process through Starlette's test client, so what
is timed is the whole request on the server: the session check, the figure queries, the
template and its SVG charts; no network and no browser. Each page is asked by an administrator
of the whole province and by an office account of one county (its scope applied), signed in
through the login form as a person would.

    python bench/dashboard_pages.py           # the full load (about a minute to load)
    python bench/dashboard_pages.py --quick   # a tenth of it
    python bench/dashboard_pages.py --database postgresql://…/kept   # a database loaded earlier

Targets: campaign overview ≤ 300 ms, ranking ≤ 300 ms (median wall time of the request; the
CPU it costs, this process's and PostgreSQL's, is printed below each).
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Engine, event, func, select  # noqa: E402
from starlette.testclient import TestClient  # noqa: E402

from bench.common import Figure, median_ms, print_table  # noqa: E402
from bench.dashboard import _serial_plans, cpu_ms, load  # noqa: E402
from bench.server import postgres_database  # noqa: E402
from server import accounts  # noqa: E402
from server.app import create_app  # noqa: E402
from server.config import Config, normalise_database_url  # noqa: E402
from server.store.database import migrate, open_engine  # noqa: E402
from server.store.schema import accounts as account_rows  # noqa: E402
from server.store.schema import admin_areas, assignments, visit_results  # noqa: E402

TARGET_OVERVIEW_MS = 300.0
TARGET_RANKING_MS = 300.0
REPEAT = 15
PASSWORD = "bench-password-1"
_CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


def signed_in(app: Any, login: str) -> TestClient:
    """A client holding a session made through the login form."""
    client = TestClient(app, base_url="http://bench.local")
    form = client.get("/login")
    token = _CSRF.search(form.text)
    assert token, "no CSRF token on the login page"
    answer = client.post("/login", data={"login": login, "password": PASSWORD, "next": "/",
                                         "csrf_token": token.group(1)}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return client


def page(client: TestClient, path: str, must_show: str) -> Callable[[], object]:
    def run() -> object:
        answer = client.get(path)
        if answer.status_code != 200 or must_show not in answer.text:
            raise SystemExit(f"GET {path} answered {answer.status_code} without {must_show!r}:\n{answer.text[:2000]}")
        return answer
    return run


def calls(admin: TestClient, county: TestClient, facts: dict[str, Any]) -> list[tuple[str, Callable[[], object], float]]:
    campaign, rubric = facts["campaign"], facts["rubric_id"]
    ranking = f"/ranking?campaign={campaign}&rubric={rubric}"
    return [
        ("GET /campaigns/{id}, whole province", page(admin, f"/campaigns/{campaign}", 'id="coverage"'),
         TARGET_OVERVIEW_MS),
        ("GET /campaigns/{id}, one county's account", page(county, f"/campaigns/{campaign}", 'id="coverage"'),
         TARGET_OVERVIEW_MS),
        ("GET /ranking (a campaign, first page), whole province", page(admin, ranking, 'id="ranking"'),
         TARGET_RANKING_MS),
        ("GET /ranking sorted by unit, page 20, whole province",
         page(admin, f"{ranking}&sort=unit&dir=desc&page=20", 'id="ranking"'), TARGET_RANKING_MS),
        ("GET /ranking (a campaign), one county's account", page(county, ranking, 'id="ranking"'), TARGET_RANKING_MS),
        ("GET /ranking across all campaigns, whole province", page(admin, f"/ranking?rubric={rubric}", 'id="ranking"'),
         TARGET_RANKING_MS),
    ]


def _accounts(engine: Engine, county_path: str) -> None:
    """The two accounts the pages are asked by (left as they are when the database has them)."""
    county_code = county_path.rstrip("/").rsplit("/", 1)[1]
    with engine.begin() as conn:
        held = set(conn.execute(select(account_rows.c.login)).scalars())
        if "bench-admin" not in held:
            accounts.add_account(conn, login="bench-admin", password=PASSWORD, role="admin", scope_code=None)
        if "bench-county" not in held:
            accounts.add_account(conn, login="bench-county", password=PASSWORD, role="office_staff",
                                 scope_code=county_code)


def _facts_of(engine: Engine) -> dict[str, Any]:
    """What the timings ask for, read from a database bench/dashboard.py loaded earlier: its
    rubric, its first routine campaign and its first county."""
    with engine.connect() as conn:
        rubric_id = conn.execute(select(func.min(visit_results.c.rubric_id))).scalar_one()
        campaign = conn.execute(select(func.min(assignments.c.campaign_id))
                                .where(assignments.c.visit_type == "routine")).scalar_one()
        county_path = conn.execute(select(func.min(admin_areas.c.path))
                                   .where(admin_areas.c.level == "county")).scalar_one()
    return {"rubric_id": rubric_id, "campaign": campaign, "county_path": county_path}


def _time(database: str, facts: dict[str, Any], folder: str) -> list[Figure]:
    config = Config(data_dir=Path(folder), database_url=database)
    app = create_app(config, run_migrations=False)
    with signed_in(app, "bench-admin") as admin, signed_in(app, "bench-county") as county:
        walls = [Figure(name, median_ms(fn, repeat=REPEAT), "ms", target)
                 for name, fn, target in calls(admin, county, facts)]
    # The CPU of the same requests, on serial plans: a parallel worker's CPU cannot be read
    # after it exits.
    serial = create_app(config, run_migrations=False)
    event.listen(serial.state.engine, "connect", _serial_plans)
    with signed_in(serial, "bench-admin") as admin, signed_in(serial, "bench-county") as county:
        cpus = [Figure("  the same: CPU (server and PostgreSQL), serial plans", cpu_ms(serial.state.engine, fn),
                       "ms", target) for _name, fn, target in calls(admin, county, facts)]
    return [f for pair in zip(walls, cpus, strict=True) for f in pair]


def run(quick: bool = False, database: str | None = None) -> list[Figure]:
    """Load a scratch database and time the pages on it; or, given ``database`` (one that
    bench/dashboard.py's loader filled and that is kept), time them there without loading."""
    with tempfile.TemporaryDirectory(prefix="fm-bench-pages-") as folder:
        if database is not None:
            engine = open_engine(normalise_database_url(database))
            try:
                facts = _facts_of(engine)
                _accounts(engine, facts["county_path"])
            finally:
                engine.dispose()
            return _time(normalise_database_url(database), facts, folder)
        with postgres_database() as url:
            database = normalise_database_url(url)
            engine = open_engine(database)
            try:
                migrate(engine)
                started = time.perf_counter()
                facts = load(engine, units_per_township=3 if quick else 25)
                print(f"loaded {facts['visits']:,} visits, {facts['item_scores']:,} item scores, "
                      f"{facts['units']:,} units in {time.perf_counter() - started:.1f} s", file=sys.stderr)
                _accounts(engine, facts["county_path"])
            finally:
                engine.dispose()
            return _time(database, facts, folder)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a tenth of the data")
    parser.add_argument("--database", help="time on this database, loaded earlier by the same loader, "
                                           "instead of loading a scratch one")
    args = parser.parse_args(argv)
    print_table(run(quick=args.quick, database=args.database))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
