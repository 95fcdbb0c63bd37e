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

from sqlalchemy import event  # noqa: E402
from starlette.testclient import TestClient  # noqa: E402

from bench.common import Figure, median_ms, print_table  # noqa: E402
from bench.dashboard import _serial_plans, cpu_ms, load  # noqa: E402
from bench.server import postgres_database  # noqa: E402
from server import accounts  # noqa: E402
from server.app import create_app  # noqa: E402
from server.config import Config, normalise_database_url  # noqa: E402
from server.store.database import migrate, open_engine  # noqa: E402

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


def run(quick: bool = False) -> list[Figure]:
    with postgres_database() as url, tempfile.TemporaryDirectory(prefix="fm-bench-pages-") as folder:
        database = normalise_database_url(url)
        engine = open_engine(database)
        try:
            migrate(engine)
            started = time.perf_counter()
            facts = load(engine, units_per_township=3 if quick else 25)
            print(f"loaded {facts['visits']:,} visits, {facts['item_scores']:,} item scores, {facts['units']:,} "
                  f"units in {time.perf_counter() - started:.1f} s", file=sys.stderr)
            county_code = facts["county_path"].rstrip("/").rsplit("/", 1)[1]
            with engine.begin() as conn:
                accounts.add_account(conn, login="bench-admin", password=PASSWORD, role="admin", scope_code=None)
                accounts.add_account(conn, login="bench-county", password=PASSWORD, role="office_staff",
                                     scope_code=county_code)
        finally:
            engine.dispose()
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a tenth of the data")
    args = parser.parse_args(argv)
    print_table(run(quick=args.quick))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
