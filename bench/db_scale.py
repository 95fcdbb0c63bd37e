"""Local database at scale: 10,000 visits and 1,000,000 responses.

Measures what an inspector waits for: one page of the visit list (filtered by status, newest
first) and answering one item durably (one committed transaction, synchronous=FULL).

    python bench/db_scale.py            # builds the profile in a temporary folder
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.ids import new_id  # noqa: E402
from app.profile import Profile  # noqa: E402
from app.rubric_store import import_document  # noqa: E402
from app.sync.ids import derived_key  # noqa: E402
from app.visits import NewVisit, VisitFilter, answer_item, create_visit, list_visits  # noqa: E402
from bench.common import Figure, median_ms, print_table  # noqa: E402

VISITS = 10_000
ITEMS = 100  # items per visit: 10,000 x 100 = 1,000,000 responses
STATUSES = ("in_progress", "finalized", "amended", "cancelled")


def rubric_doc() -> dict:
    items = [{"code": f"I{i:03d}", "kind": "points", "max": 10, "text": {"zh": f"检查项{i}", "en": f"Item {i}"}}
             for i in range(ITEMS)]
    return {"format": "fieldmark.rubric/1", "id": "bench-100", "version": "1",
            "name": {"zh": "基准检查表", "en": "Benchmark rubric"},
            "sections": [{"code": "S", "name": {"zh": "全部", "en": "All"}, "items": items}]}


def build(profile: Profile) -> tuple[str, str]:
    ref, _ = import_document(profile, rubric_doc())
    rnd = random.Random(7)
    with profile.transaction() as tx:
        meta = tx.meta
        db = tx.db
        db.execute("INSERT INTO admin_areas (id, level, code, name, rev, device_id) VALUES ('a', 'county', '1', '县', ?, ?)",
                   (meta.rev, meta.device_id))
        units = [new_id() for _ in range(400)]
        db.conn.executemany(
            "INSERT INTO units (id, area_id, code, name, unit_type, rev, device_id) VALUES (?, 'a', ?, ?, 'primary', ?, ?)",
            [(u, f"U{i:04d}", f"第{i}小学", meta.rev, meta.device_id) for i, u in enumerate(units)])
        visits = []
        for _ in range(VISITS):
            day = f"202{rnd.randint(2, 6)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
            visits.append((new_id(), rnd.choice(units), rnd.choice(STATUSES), day, day, tx.now, meta.rev, meta.device_id))
        db.conn.executemany(
            "INSERT INTO visits (id, unit_id, visit_type, status, starts_on, ends_on, created_at, rev, device_id) "
            "VALUES (?, ?, 'routine', ?, ?, ?, ?, ?, ?)", visits)
        db.conn.executemany(
            "INSERT INTO visit_rubrics (id, visit_id, rubric_hash, position, rev, device_id) VALUES (?, ?, ?, 0, ?, ?)",
            [(derived_key("visit_rubrics", v[0], ref.hash), v[0], ref.hash, meta.rev, meta.device_id) for v in visits])

        def responses():
            for v in visits:
                for i in range(ITEMS):
                    yield (derived_key("responses", v[0], ref.hash, f"I{i:03d}"), v[0], ref.hash, f"I{i:03d}", str(rnd.randint(0, 10)), tx.now, meta.rev, meta.device_id)

        db.conn.executemany(
            "INSERT INTO responses (id, visit_id, rubric_hash, item_code, value, answered_at, rev, device_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", responses())
    db = profile.db
    db.execute("ANALYZE")
    unit = units[0]
    visit = create_visit(profile, NewVisit(unit_id=unit, visit_type="routine", starts_on="2026-11-24",
                                           rubric_hashes=[ref.hash])).id
    return visit, ref.hash


def run() -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="fieldmark-bench-") as tmp:
        with Profile.open(Path(tmp) / "profile") as profile:
            start = time.perf_counter()
            visit, rubric_hash = build(profile)
            build_s = time.perf_counter() - start
            n = profile.db.execute("SELECT count(*) FROM responses").fetchone()[0]
            print(f"built {VISITS} visits and {n} responses in {build_s:.1f} s", file=sys.stderr)

            flt = VisitFilter(status="finalized")
            page = median_ms(lambda: list_visits(profile, flt, limit=50), repeat=200)
            deep = median_ms(lambda: list_visits(profile, flt, limit=50, offset=1000), repeat=100)
            values = iter(range(10**9))

            def answer() -> None:
                answer_item(profile, visit, rubric_hash=rubric_hash, item_code=f"I{next(values) % ITEMS:03d}",
                            value=next(values) % 11, evidence_methods=["site"])

            durable = median_ms(answer, repeat=300)
    return [
        Figure("db: list 50 visits by status, newest first (1M responses)", page, "ms", 20),
        Figure("db: same, page 21 (offset 1000)", deep, "ms", 20),
        Figure("db: answer one item durably, median", durable, "ms", 5),
    ]


if __name__ == "__main__":
    print_table(run())
