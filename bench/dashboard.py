"""The office dashboard's figures on PostgreSQL at scale (issue 13): 100,000 visits, 1,000,000 item scores.

A scratch database on FIELDMARK_BENCH_PG (default postgresql://postgres@127.0.0.1:5432/postgres)
is migrated, loaded by COPY straight into the tables (not through pushes), analysed, timed and
dropped. What is timed is server time: the figure functions of server.dashboard.figures in one
read transaction each, median wall time of several runs after warm-up; beside it the mean CPU
time of the same call (this process and the PostgreSQL backends, read from /proc), which on a
machine busy with other work shows the cost without the wait for a core.

The data: a province of 5 cities, 40 counties, 400 townships and 10,000 units; 9 routine
campaigns that each assign every unit (95% finalized, 2% in progress), one spot-check campaign
of 2,500 units (2,000 finalized), and self-assessments outside any campaign, 100,000 finalized
visits in all, each scored on the standardized-school rubric with 10 item scores and 6 section
scores; a visits row in sync_rows for every visit.

- **Campaign overview** (coverage by county, spot-check share, band counts, average score, as
  the overview page calls them) of one routine campaign (10,000 units), for the whole province
  and for one county's account. Target: ≤ 300 ms.
- **Ranking** of that campaign's units under the rubric: a page of 50 and all 10,000 rows, whole
  province, and one county's; and of every unit's latest result across all campaigns. Target:
  ≤ 300 ms.

    python bench/dashboard.py           # the full load (about a minute to load)
    python bench/dashboard.py --quick   # a tenth of it
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Engine, event  # noqa: E402

from bench.common import Figure, median_ms, print_table  # noqa: E402
from bench.server import postgres_database  # noqa: E402
from server.config import normalise_database_url  # noqa: E402
from server.dashboard import figures  # noqa: E402
from server.rubrics import publish_rubric, read_rubric  # noqa: E402
from server.store.database import migrate, open_engine, reading  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RUBRIC = ROOT / "resources" / "rubrics" / "standardized-school.json"
TARGET_OVERVIEW_MS = 300.0
TARGET_RANKING_MS = 300.0
REPEAT = 15
PAGE = 50  # rows of the ranking a page shows
CITIES, COUNTIES_PER_CITY, TOWNSHIPS_PER_COUNTY = 5, 8, 10
ROUTINE_CAMPAIGNS = 9
UNIT_TYPES = ("primary", "middle", "nine_year", "complete_secondary", "kindergarten")
ITEMS_PER_VISIT = 10
SECTIONS = ("A", "B", "C", "D", "E", "F")


def _copy(raw: Any, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _band(total: float) -> tuple[str, str, str]:
    if total >= 900:
        return "met", "达标", "Meets the standard"
    if total >= 850:
        return "basic", "基本达标", "Basically meets the standard"
    return "unmet", "不达标", "Does not meet the standard"


def load(engine: Engine, units_per_township: int, seed: int = 13) -> dict[str, Any]:
    """Fill the store; returns what the timings ask for (campaign ids, a county's path, ...)."""
    rnd = random.Random(seed)
    doc, rubric = read_rubric(RUBRIC)
    with engine.begin() as conn:
        publish_rubric(conn, doc, rubric)
    items = list(rubric.items.values())[:ITEMS_PER_VISIT]
    now = time.time()
    areas: list[tuple[Any, ...]] = [("p", None, "province", "42", "湖北省", "/42/", now)]
    townships: list[tuple[str, str]] = []  # (township id, its county id)
    counties: list[tuple[str, str]] = []   # (county id, path)
    for c in range(1, CITIES + 1):
        city = f"42{c:02}"
        areas.append((f"c{c}", "p", "city", city, f"市{c}", f"/42/{city}/", now))
        for k in range(1, COUNTIES_PER_CITY + 1):
            county = f"{city}{k:02}"
            path = f"/42/{city}/{county}/"
            areas.append((f"k{county}", f"c{c}", "county", county, f"县{county}", path, now))
            counties.append((f"k{county}", path))
            for t in range(1, TOWNSHIPS_PER_COUNTY + 1):
                town = f"{county}{t:03}"
                areas.append((f"t{town}", f"k{county}", "township", town, f"镇{town}", f"{path}{town}/", now))
                townships.append((f"t{town}", f"k{county}"))
    units: list[tuple[Any, ...]] = []
    unit_county: dict[str, str] = {}
    for n, (town, county) in enumerate(t for t in townships for _ in range(units_per_township)):
        unit_id = str(uuid.UUID(int=rnd.getrandbits(128)))
        units.append((unit_id, town, f"U{n:05}", f"学校{n:05}", UNIT_TYPES[n % len(UNIT_TYPES)], "{}", now))
        unit_county[unit_id] = county
    unit_ids = [u[0] for u in units]
    county_ids = sorted({c for _, c in townships})
    teams = [(f"team-{c}", f"督导组{c}", now) for c in county_ids]
    campaigns = [(f"camp-{k}", f"2026年第{k + 1}轮常规督导", now) for k in range(ROUTINE_CAMPAIGNS)]
    campaigns.append(("camp-spot", "2026年市级抽查", now))
    hashes = json.dumps([rubric.content_hash])
    assignments: list[tuple[Any, ...]] = []
    results: list[tuple[Any, ...]] = []
    scores: list[tuple[Any, ...]] = []
    sections: list[tuple[Any, ...]] = []
    visits: list[tuple[Any, ...]] = []
    seq = [0]

    def visit(unit_id: str, day: str, visit_type: str, assignment: str | None, campaign: str | None,
              finalized: bool) -> None:
        seq[0] += 1
        visit_id = str(uuid.UUID(int=rnd.getrandbits(128)))
        values = {"id": visit_id, "unit_id": unit_id, "visit_type": visit_type, "starts_on": day, "ends_on": day,
                  "team_id": None, "assignment_id": assignment, "status": "finalized" if finalized else "in_progress"}
        visits.append(("visits", visit_id, f"{seq[0]:016}", "bench", False, json.dumps(values), visit_id, unit_id,
                       seq[0]))
        if not finalized:
            return
        awarded = [round(rnd.uniform(0.75, 1.0) * float(item.maximum) * 2) / 2 for item in items]
        total = round(rnd.gauss(890, 40) * 2) / 2
        total = max(600.0, min(1000.0, total))
        band = _band(total)
        results.append((visit_id, rubric.content_hash, 0, rubric.id, unit_id, assignment, campaign, visit_type, day,
                        0, f"{total:g}", "0", f"{total:g}", "1000", f"{total:g}", total, 1000.0, total / 10,
                        *band, "[]", False, False, seq[0], campaign is not None))
        for item, points in zip(items, awarded, strict=True):
            scores.append((visit_id, rubric.content_hash, item.code, item.section, f"{points:g}",
                           f"{item.maximum}", False))
        for code in SECTIONS:
            sections.append((visit_id, rubric.content_hash, code, f"{total / 6:.1f}", "166.5"))

    for k in range(ROUTINE_CAMPAIGNS):
        day = f"2026-{k + 1:02}-15"
        for unit_id in unit_ids:
            assignment = str(uuid.UUID(int=rnd.getrandbits(128)))
            assignments.append((assignment, f"camp-{k}", unit_id, f"team-{unit_county[unit_id]}", "routine",
                                day[:8] + "01", day[:8] + "28", hashes, now))
            roll = rnd.random()
            if roll < 0.97:
                visit(unit_id, day, "routine", assignment, f"camp-{k}", finalized=roll < 0.95)
    for unit_id in rnd.sample(unit_ids, len(unit_ids) // 4):
        assignment = str(uuid.UUID(int=rnd.getrandbits(128)))
        assignments.append((assignment, "camp-spot", unit_id, f"team-{unit_county[unit_id]}", "spot_check",
                            "2026-11-01", "2026-11-30", hashes, now))
        if rnd.random() < 0.8:
            visit(unit_id, "2026-11-10", "spot_check", assignment, "camp-spot", finalized=True)
    target = 10 * len(unit_ids)
    while len(results) < target:
        visit(rnd.choice(unit_ids), f"2026-{rnd.randint(1, 10):02}-05", "self_assessment", None, None, finalized=True)

    # Each unit's newest result of all (a campaign holds at most one visit of a unit here, so
    # every result of a campaign is its latest there).
    newest: dict[str, tuple[str, int, str]] = {}
    for r in results:
        key = (r[8], r[24], r[0])
        if r[4] not in newest or key > newest[r[4]]:
            newest[r[4]] = key
    results = [(*r, (r[8], r[24], r[0]) == newest[r[4]]) for r in results]
    raw = engine.raw_connection()
    try:
        driver = raw.driver_connection
        assert driver is not None
        _copy(driver, "admin_areas", ("id", "parent_id", "level", "code", "name", "path", "updated_at"), areas)
        _copy(driver, "units", ("id", "area_id", "code", "name", "unit_type", "profile", "updated_at"), units)
        _copy(driver, "teams", ("id", "name", "created_at"), teams)
        _copy(driver, "campaigns", ("id", "name", "created_at"), campaigns)
        _copy(driver, "assignments", ("id", "campaign_id", "unit_id", "team_id", "visit_type", "window_start",
                                      "window_end", "rubric_hashes", "created_at"), assignments)
        _copy(driver, "sync_rows", ("table_name", "key", "rev", "device_id", "deleted", "row_values", "visit_id",
                                    "unit_id", "server_seq"), visits)
        _copy(driver, "visit_results", (
            "visit_id", "rubric_hash", "position", "rubric_id", "unit_id", "assignment_id", "campaign_id",
            "visit_type", "visit_date", "amendment_no", "awarded", "bonus", "total", "maximum", "band_value",
            "total_num", "maximum_num", "percentage", "band_code", "band_zh", "band_en", "vetoes", "vetoed",
            "failed", "server_seq", "latest_in_campaign", "latest_of_unit"), results)
        _copy(driver, "item_scores", ("visit_id", "rubric_hash", "item_code", "section_code", "awarded", "maximum",
                                      "na"), scores)
        _copy(driver, "section_scores", ("visit_id", "rubric_hash", "section_code", "awarded", "maximum"), sections)
        driver.commit()
        driver.autocommit = True
        driver.execute("VACUUM ANALYZE")
        driver.autocommit = False
    finally:
        raw.close()
    county_id, county_path = counties[0]
    return {"rubric_id": rubric.id, "campaign": "camp-0", "spot": "camp-spot", "county_path": county_path,
            "visits": len(results), "item_scores": len(scores), "units": len(units), "assignments": len(assignments)}


def overview(engine: Engine, scope: str, campaign: str, rubric_id: str, spot: str) -> Callable[[], object]:
    def run() -> object:
        with reading(engine) as conn:
            return (figures.campaign_coverage(conn, scope, campaign), figures.spot_check_share(conn, scope, spot),
                    figures.band_counts(conn, scope, campaign, rubric_id),
                    figures.average_scores(conn, scope, campaign, rubric_id))
    return run


def ranking(engine: Engine, scope: str, campaign: str | None, rubric_id: str,
            limit: int | None = None) -> Callable[[], object]:
    def run() -> object:
        with reading(engine) as conn:
            return figures.unit_ranking(conn, scope, rubric_id=rubric_id, campaign_id=campaign, limit=limit)
    return run


def _backend_ticks(engine: Engine) -> int:
    """CPU clock ticks used so far by the PostgreSQL processes serving this database's clients
    (same host; not autovacuum, which may still be analysing the fresh load)."""
    with engine.connect() as conn:
        pids = [r[0] for r in conn.exec_driver_sql(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'client backend'").all()]
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks


def cpu_ms(engine: Engine, fn: Callable[[], object], runs: int = REPEAT) -> float:
    """Mean CPU time of ``fn``: this process's and PostgreSQL's. On a machine shared with other
    work this is what the call costs, where the wall time also holds the wait for a core."""
    fn()
    hertz = os.sysconf("SC_CLK_TCK")
    ticks, cpu = _backend_ticks(engine), time.process_time()
    for _ in range(runs):
        fn()
    used = (_backend_ticks(engine) - ticks) / hertz + (time.process_time() - cpu)
    return used * 1000.0 / runs


def _serial_plans(dbapi_conn: Any, _record: Any) -> None:
    with dbapi_conn.cursor() as cur:
        cur.execute("SET max_parallel_workers_per_gather = 0")
    dbapi_conn.commit()


def calls(engine: Engine, facts: dict[str, Any], units: int) -> list[tuple[str, Callable[[], object], float]]:
    """What is timed: (name, call, target)."""
    rubric_id, campaign, spot, county = facts["rubric_id"], facts["campaign"], facts["spot"], facts["county_path"]
    return [
        ("campaign overview, whole province (4 figures)", overview(engine, "/", campaign, rubric_id, spot),
         TARGET_OVERVIEW_MS),
        ("campaign overview, one county's account", overview(engine, county, campaign, rubric_id, spot),
         TARGET_OVERVIEW_MS),
        (f"ranking page ({PAGE} of {units:,} units), whole province",
         ranking(engine, "/", campaign, rubric_id, PAGE), TARGET_RANKING_MS),
        (f"ranking, all {units:,} units of a campaign, whole province",
         ranking(engine, "/", campaign, rubric_id), TARGET_RANKING_MS),
        ("ranking of a campaign, one county's account", ranking(engine, county, campaign, rubric_id),
         TARGET_RANKING_MS),
        ("ranking across all campaigns, whole province", ranking(engine, "/", None, rubric_id), TARGET_RANKING_MS),
    ]


def run(quick: bool = False) -> list[Figure]:
    with postgres_database() as url:
        engine = open_engine(normalise_database_url(url))
        try:
            migrate(engine)
            started = time.perf_counter()
            facts = load(engine, units_per_township=3 if quick else 25)
            print(f"loaded {facts['visits']:,} visits, {facts['item_scores']:,} item scores, {facts['units']:,} "
                  f"units, {facts['assignments']:,} assignments in {time.perf_counter() - started:.1f} s",
                  file=sys.stderr)
            ranked = ranking(engine, "/", facts["campaign"], facts["rubric_id"])()
            assert isinstance(ranked, list) and ranked, "the ranking is empty: the load went wrong"
            walls = [Figure(name, median_ms(fn, repeat=REPEAT), "ms", target)
                     for name, fn, target in calls(engine, facts, len(ranked))]
            # The CPU of the same calls, on serial plans: a parallel worker's CPU cannot be read
            # after it exits.
            serial = open_engine(normalise_database_url(url))
            event.listen(serial, "connect", _serial_plans)
            try:
                cpus = [Figure("  the same: CPU, serial plans", cpu_ms(serial, fn), "ms", target)
                        for _name, fn, target in calls(serial, facts, len(ranked))]
            finally:
                serial.dispose()
            return [f for pair in zip(walls, cpus, strict=True) for f in pair]
        finally:
            engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a tenth of the data")
    args = parser.parse_args(argv)
    print_table(run(quick=args.quick))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
