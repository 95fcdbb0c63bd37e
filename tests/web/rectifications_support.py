"""Findings for the rectification tracker's tests, made the way they are made in use: the office
plans a campaign on the server, an inspector's laptop pulls it through the sync engine, records
findings on its visits (and two follow-ups of one of them that found it not fixed) with the
app's own operations and pushes them back.

``seed_findings(site, profile, session)`` builds, on the demo tree (two counties):

- the campaign ``CAMPAIGN`` visiting DJK001, DJK002 (丹江口市, county A) and YX013 (郧西县,
  county B) on 2026-10-12;
- on DJK001: ``overdue`` (deadline 2026-10-20, general) and ``plan`` (a major finding whose
  plan the office already received, deadline 2027-01-31);
- on DJK002: ``escalate`` (deadline 2026-12-31, major), found not fixed by two follow-up
  visits (2026-11-05 and 2026-11-19), and ``open`` (no deadline);
- on YX013: ``elsewhere`` (deadline 2026-11-15, general), in the other county.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from app.findings import add_finding, set_finding_status
from app.profile import Profile
from app.sync.device import Session
from app.sync.engine import sync
from app.visits import NewVisit, create_visit, create_visit_from_assignment
from db.rows import fetch_all
from server.assignments import NewAssignments, assign
from server.rubrics import publish_rubric, read_rubric
from server.store.schema import campaigns
from tests.server.conftest import ROOT
from tests.server.sync_support import QUICK

STUDY_HABITS = ROOT / "resources" / "rubrics" / "study-habits.json"
CAMPAIGN = "2026年秋季学风督导"
UNITS = ("DJK001", "DJK002", "YX013")
COUNTY_A, COUNTY_B = "420381", "420322"
INSPECTOR = ("rect-inspector", "password-123")


@dataclass(frozen=True)
class Seeded:
    campaign_id: str
    # label -> finding id
    findings: dict[str, str]
    # label -> the finding's visit id
    visits: dict[str, str]


def plan(site: Any) -> str:
    """The office's campaign; returns the inspector's login (made here, in 湖北省)."""
    inspector, _ = site.make_account("inspector", "42", login=INSPECTOR[0], password=INSPECTOR[1], name="刘督学")
    with site.engine.begin() as conn:
        publish_rubric(conn, *read_rubric(STUDY_HABITS))
        assign(conn, NewAssignments(campaign=CAMPAIGN, team="第一督导组", unit_codes=list(UNITS),
                                    window_start=date(2026, 10, 8), window_end=date(2026, 10, 31),
                                    rubrics=["study-habits"], members=[inspector]))
    return inspector


def seed_findings(site: Any, profile: Profile, session: Session) -> Seeded:
    pulled = sync(profile, session, retry=QUICK)
    assert pulled.reason is None, pulled.message
    planned = {a["code"]: a for a in fetch_all(
        profile.db, "SELECT a.id, a.unit_id, a.rubric_hashes, u.code FROM assignments a JOIN units u ON u.id = a.unit_id")}
    assert set(planned) == set(UNITS), planned
    visits = {code: create_visit_from_assignment(profile, planned[code]["id"], starts_on="2026-10-12").id
              for code in UNITS}
    findings = {
        "overdue": add_finding(profile, visits["DJK001"], description="晚自习教室地面有垃圾，桌椅摆放杂乱。",
                               requirement="一周内整改到位。", deadline="2026-10-20", responsible="班主任").id,
        "plan": add_finding(profile, visits["DJK001"], description="课堂考勤记录缺两周。",
                            requirement="补齐记录并建立每日检查制度，月底前报送整改方案。", deadline="2027-01-31",
                            responsible="教务处", severity="major").id,
        "escalate": add_finding(profile, visits["DJK002"], description="个别学生上课玩手机，教师未制止。",
                                requirement="加强课堂管理，学期末前报送整改报告。", deadline="2026-12-31",
                                responsible="德育处", severity="major").id,
        "open": add_finding(profile, visits["DJK002"], description="走廊宣传栏内容过期。", requirement="及时更新。").id,
        "elsewhere": add_finding(profile, visits["YX013"], description="课间操缺勤学生未登记。",
                                 requirement="建立课间操考勤登记。", deadline="2026-11-15", responsible="体育组").id,
    }
    set_finding_status(profile, findings["plan"], "plan_received", note="学校已报送整改方案。")
    rubric_hash = planned["DJK002"]["rubric_hashes"].strip('[]"')
    for day, note in (("2026-11-05", "第一次复查：仍有学生上课玩手机。"), ("2026-11-19", "第二次复查：问题依旧。")):
        follow = create_visit(profile, NewVisit(unit_id=planned["DJK002"]["unit_id"], visit_type="follow_up",
                                                starts_on=day, rubric_hashes=[rubric_hash])).id
        set_finding_status(profile, findings["escalate"], "reopened", note=note, visit_id=follow)
    pushed = sync(profile, session, retry=QUICK)
    assert pushed.reason is None, pushed.message
    with site.engine.connect() as conn:
        campaign_id = conn.execute(select(campaigns.c.id).where(campaigns.c.name == CAMPAIGN)).scalar_one()
    where = {"overdue": "DJK001", "plan": "DJK001", "escalate": "DJK002", "open": "DJK002", "elsewhere": "YX013"}
    return Seeded(campaign_id, findings, {label: visits[code] for label, code in where.items()})
