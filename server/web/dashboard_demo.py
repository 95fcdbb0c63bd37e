"""Dashboard data made the way it is made in use, for the dashboard pages' tests and
screenshots: the office plans campaigns on the server, an inspector's laptop pulls them through
the sync engine, works the visits (answers, findings, finalization) with the app's own
operations and pushes them back, so every figure the pages show comes from results the server
wrote at push time.

``seed(url, engine, laptop, inspector, password)`` builds, on the demo tree (two counties):

- the routine campaign ``CAMPAIGN`` (study-habits rubric, 10 units: DJK001–DJK006 in 丹江口市,
  YX013–YX016 in 郧西县) with scores ``SCORES``; DJK006 not visited, YX016 visited but not
  finalized;
- the spot-check campaign ``SPOT_CAMPAIGN`` sampling DJK001 in 丹江口市 (1 of the 5 units the
  routine campaign checked there: a shortfall) and YX013, YX014 in 郧西县 (2 of 3: enough);
- eight monthly checks of DJK001 in 2025 (a combined yearly score) and findings on DJK002,
  one overdue;
- the campaign ``B_CAMPAIGN``, assigning one unit of 郧西县 only (not yet visited);
- with ``script_name``, DJK004 renamed to a name holding ``<script>`` (``SCRIPT_NAME``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select, update

from app.finalize import finalize_visit
from app.findings import add_finding
from app.profile import Profile
from app.sync.client import Retry
from app.sync.device import login
from app.sync.engine import SyncResult, sync
from app.visits import NewVisit, answer_item, create_visit, create_visit_from_assignment
from db.rows import fetch_all
from server.assignments import NewAssignments, assign
from server.rubrics import publish_rubric, read_rubric
from server.store.schema import campaigns, units
from server.sync.sequence import stamp

ROOT = Path(__file__).resolve().parents[2]
# The server is on this machine: no waiting between tries.
RETRY = Retry(attempts=3, first_wait=0.0, longest_wait=0.0, timeout=30.0)
STUDY_HABITS = ROOT / "resources" / "rubrics" / "study-habits.json"
CAMPAIGN = "2026年秋季学风督导"
SPOT_CAMPAIGN = "2026年市级学风抽查"
# A campaign of county B only: county A's accounts must not see it.
B_CAMPAIGN = "2026年郧西县专项督导"
B_ONLY_UNIT = "YX017"
COUNTY_A, COUNTY_B = "420381", "420322"
# The routine campaign's finalized totals (of 10).
SCORES = {"DJK001": "9.5", "DJK002": "9", "DJK003": "8.5", "DJK004": "7", "DJK005": "6",
          "YX013": "8", "YX014": "5.5", "YX015": "5"}
NOT_VISITED, IN_PROGRESS = "DJK006", "YX016"
SPOT_SCORES = {"DJK001": "9", "YX013": "7.5", "YX014": "6.5"}
# DJK001's eight monthly checks in 2025 (the yearly score is their mean: 8.25).
MONTHLY = ("8", "8.5", "9", "7.5", "8", "9", "8.5", "7.5")
SCRIPT_UNIT = "DJK004"
SCRIPT_NAME = "<script>alert(1)</script>大坝初级中学"


@dataclass(frozen=True)
class Seeded:
    campaign_id: str
    spot_campaign_id: str
    b_campaign_id: str
    unit_ids: dict[str, str]


def _answers(total: Decimal) -> dict[str, Any]:
    """Study-habits answers worth ``total`` of 10: whole points off by absence, a half by lateness."""
    off = Decimal(10) - total
    whole, half = int(off), int((off - int(off)) * 2)
    return {"A1": {"A1-a": whole, "A1-b": half}, "A2": 40, "A3": 40 - whole, "B1": {}, "C1": {}}


def _work(profile: Profile, visit_id: str, rubric_hash: str, total: str) -> None:
    for code, value in _answers(Decimal(total)).items():
        answer_item(profile, visit_id, rubric_hash=rubric_hash, item_code=code, value=value,
                    evidence_methods=["site"], reason="现场检查记录扣分。")


def plan(engine: Engine, inspector: str, *, script_name: bool = False) -> None:
    """The office's side: the rubric published, the three campaigns assigned (the inspector in
    the teams that visit), and with ``script_name`` DJK004 renamed to ``SCRIPT_NAME``."""
    with engine.begin() as conn:
        publish_rubric(conn, *read_rubric(STUDY_HABITS))
        routine = [*SCORES, NOT_VISITED, IN_PROGRESS]
        assign(conn, NewAssignments(campaign=CAMPAIGN, team="第一督导组", unit_codes=routine,
                                    window_start=date(2026, 10, 8), window_end=date(2026, 10, 31),
                                    rubrics=["study-habits"], members=[inspector]))
        assign(conn, NewAssignments(campaign=SPOT_CAMPAIGN, team="市级抽查组", unit_codes=list(SPOT_SCORES),
                                    window_start=date(2026, 11, 2), window_end=date(2026, 11, 20),
                                    rubrics=["study-habits"], visit_type="spot_check", members=[inspector]))
        assign(conn, NewAssignments(campaign=B_CAMPAIGN, team="郧西县督导组", unit_codes=[B_ONLY_UNIT],
                                    window_start=date(2026, 12, 1), window_end=date(2026, 12, 15),
                                    rubrics=["study-habits"], visit_type="themed"))
        if script_name:
            conn.execute(update(units).where(units.c.code == SCRIPT_UNIT)
                         .values(name=SCRIPT_NAME, server_seq=stamp(conn)))


def seed(url: str, engine: Engine, laptop: Path, inspector: str, password: str, *,
         script_name: bool = False) -> Seeded:
    """The data above on the server at ``url`` (whose store ``engine`` opens), the inspector's
    laptop profile made in the folder ``laptop``. The inspector's account (scope: the province)
    must exist, and the keychain must be one this process may write (the laptop's token goes
    there)."""
    plan(engine, inspector, script_name=script_name)
    profile = Profile.open(laptop)
    try:
        session = login(profile, url, inspector, password, retry=RETRY)
        _synced(sync(profile, session, retry=RETRY), "pulling the campaigns")
        work_visits(profile)
        _synced(sync(profile, session, retry=RETRY), "pushing the visits")
    finally:
        profile.close()
    with engine.connect() as conn:
        ids = {r.name: r.id for r in conn.execute(select(campaigns.c.name, campaigns.c.id))}
        unit_ids = {r.code: r.id for r in conn.execute(select(units.c.code, units.c.id))}
    return Seeded(ids[CAMPAIGN], ids[SPOT_CAMPAIGN], ids[B_CAMPAIGN], unit_ids)


def _synced(result: SyncResult, doing: str) -> None:
    if result.reason is not None:
        raise RuntimeError(f"the demo laptop's sync failed {doing}: {result.reason}: {result.message}")


def work_visits(profile: Profile) -> None:
    """The inspector's side: each assigned visit worked to its score (findings on DJK002), all
    finalized but YX016's, DJK006 not started; DJK001's monthly checks of 2025."""
    planned = fetch_all(profile.db, "SELECT a.id, a.rubric_hashes, a.visit_type, u.code, u.id AS unit_id "
                                    "FROM assignments a JOIN units u ON u.id = a.unit_id")
    if not planned:
        raise RuntimeError("the demo laptop pulled no assignments")
    rubric_hash = planned[0]["rubric_hashes"].strip('[]"')
    for day, a in enumerate(sorted(planned, key=lambda a: (a["visit_type"], a["code"]))):
        spot = a["visit_type"] == "spot_check"
        if spot:
            starts = f"2026-11-{3 + day % 10:02}"
            total = SPOT_SCORES[a["code"]]
        elif a["code"] == NOT_VISITED:
            continue
        else:
            starts = f"2026-10-{10 + day:02}"
            total = SCORES.get(a["code"], "7")
        visit_id = create_visit_from_assignment(profile, a["id"], starts_on=starts).id
        _work(profile, visit_id, rubric_hash, total)
        if a["code"] == "DJK002" and not spot:
            _findings(profile, visit_id)
        if a["code"] != IN_PROGRESS or spot:
            finalize_visit(profile, visit_id, accept_gaps=True)
    djk001 = next(a["unit_id"] for a in planned if a["code"] == "DJK001")
    for month, total in enumerate(MONTHLY, start=3):
        visit_id = create_visit(profile, NewVisit(unit_id=djk001, visit_type="routine",
                                                  starts_on=f"2025-{month:02}-15", rubric_hashes=[rubric_hash])).id
        _work(profile, visit_id, rubric_hash, total)
        finalize_visit(profile, visit_id, accept_gaps=True)


def _findings(profile: Profile, visit_id: str) -> None:
    add_finding(profile, visit_id, description="晚点名教室地面有垃圾，桌椅摆放杂乱。", requirement="一周内整改到位。",
                deadline="2026-10-20", responsible="班主任", severity="general")
    add_finding(profile, visit_id, description="个别学生上课玩手机。", requirement="加强课堂管理，月底前报送整改报告。",
                deadline="2030-06-30", responsible="教务处", severity="major")


