"""The demo profile: a county education office's autumn term, with units, a team and visits.

Names follow the source documents (a city in Hubei with its county-level city and a county);
the numbers are made up but plausible. The build is deterministic for a given ``today``.
"""

from __future__ import annotations

import json
import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from app.demo_photos import CAMERA, PHONE, Camera, demo_jpeg
from app.evidence import (
    AnnotationLayer,
    Arrow,
    Rect,
    Text,
    import_bytes,
    save_annotations,
    set_caption,
)
from app.finalize import amend_response, finalize_visit
from app.findings import add_finding, add_good_practice, set_finding_status
from app.ids import new_id
from app.people import set_profile_inspector
from app.profile import Profile
from app.rubric.model import Item, Rubric
from app.rubric.samples import sample_paths
from app.rubric_store import get_rubric, import_document
from app.settings import set_setting
from app.visits import NewVisit, answer_item, create_visit, list_responses
from db import rows
from db.queries import people

AREAS = {
    "丹江口市": ["均州路街道", "大坝街道", "丹赵路街道", "六里坪镇", "习家店镇", "浪河镇"],
    "郧西县": ["城关镇", "上津镇", "夹河镇", "店子镇", "关防乡"],
}

# (name suffix, unit type, profile numbers or None)
UNIT_KINDS = [
    ("中心小学", "primary", {"enrolment_primary": (420, 1300), "staff": (28, 80)}),
    ("初级中学", "middle", {"enrolment_middle": (380, 1500), "staff": (35, 110)}),
    ("中心幼儿园", "kindergarten", {"enrolment_kindergarten": (120, 380), "staff": (12, 30)}),
    ("九年一贯制学校", "nine_year", {"enrolment_primary": (300, 800), "enrolment_middle": (200, 600), "staff": (40, 90)}),
]
EXTRA_UNITS = [
    ("丹江口市第一中学", "complete_secondary", "丹江口市", "均州路街道"),
    ("丹江口市职业技术学校", "vocational", "丹江口市", "丹赵路街道"),
    ("郧西县第二中学", "complete_secondary", "郧西县", "城关镇"),
    ("丹江口市人民医院", "hospital", "丹江口市", "大坝街道"),
    ("六里坪镇卫生院", "hospital", "丹江口市", "六里坪镇"),
    ("湖北汉江化工有限公司", "enterprise", "丹江口市", "六里坪镇"),
    ("丹江口市华新水泥有限公司", "enterprise", "丹江口市", "习家店镇"),
    ("郧西县天河电镀厂", "enterprise", "郧西县", "夹河镇"),
    ("郧西县上津镇人民政府", "office", "郧西县", "上津镇"),
    ("丹江口市教育局机关", "office", "丹江口市", "均州路街道"),
]
INSPECTORS = [
    ("张建华", "专职督学", "leader"),
    ("李秀梅", "兼职督学", "member"),
    ("王德明", "评估专家", "member"),
]
# The office that issues the demo's papers (落款) and runs its campaign.
OFFICE = "丹江口市人民政府教育督导室"
HEADS = ["刘志强", "陈丽", "杨国庆", "赵敏", "黄海波", "周红", "吴俊", "徐静", "孙立新", "胡晓燕"]


def _insert(profile: Profile, table: str, row: dict[str, Any]) -> str:
    with profile.transaction() as tx:
        rows.insert(tx.db, table, row, tx.meta)
    return str(row["id"])


def _build_places(profile: Profile, rnd: random.Random) -> dict[str, dict[str, Any]]:
    """Areas and units; returns units by name with their id and type."""
    province = _insert(profile, "admin_areas", {"id": new_id(), "parent_id": None, "level": "province", "code": "42", "name": "湖北省"})
    city = _insert(profile, "admin_areas", {"id": new_id(), "parent_id": province, "level": "city", "code": "4203", "name": "十堰市"})
    townships: dict[tuple[str, str], str] = {}
    units: dict[str, dict[str, Any]] = {}
    code_no = 0
    for c_index, (county, towns) in enumerate(AREAS.items()):
        county_id = _insert(profile, "admin_areas", {"id": new_id(), "parent_id": city, "level": "county", "code": f"42038{c_index + 1}", "name": county})
        for t_index, town in enumerate(towns):
            townships[(county, town)] = _insert(profile, "admin_areas", {
                "id": new_id(), "parent_id": county_id, "level": "township",
                "code": f"42038{c_index + 1}{t_index + 1:03d}", "name": town})
    prefix = {"丹江口市": "DJK", "郧西县": "YX"}
    for (county, town), area_id in townships.items():
        short = town.removesuffix("街道").removesuffix("镇").removesuffix("乡")
        # Every township has a central primary and a middle school; some also a kindergarten
        # or a nine-year school.
        kinds = UNIT_KINDS[:2] + [k for k, wanted in zip(UNIT_KINDS[2:], (rnd.random() < 0.35, rnd.random() < 0.25), strict=True) if wanted]
        for suffix, unit_type, ranges in kinds:
            code_no += 1
            name = f"{county}{short}{suffix}" if county == "郧西县" else f"{short}{suffix}"
            counts = {k: rnd.randint(lo, hi) for k, (lo, hi) in ranges.items()}
            units[name] = _unit(profile, area_id, f"{prefix[county]}{code_no:03d}", name, unit_type, counts, rnd)
    for name, unit_type, county, town in EXTRA_UNITS:
        code_no += 1
        numbers: dict[str, int] = {"staff": rnd.randint(60, 400)}
        if unit_type == "complete_secondary":
            numbers |= {"enrolment_middle": rnd.randint(900, 1600), "enrolment_high": rnd.randint(1000, 2400)}
        if unit_type == "vocational":
            numbers |= {"enrolment_high": rnd.randint(800, 2000)}
        units[name] = _unit(profile, townships[(county, town)], f"{prefix[county]}{code_no:03d}", name, unit_type, numbers, rnd)
    return units


def _unit(profile: Profile, area_id: str, code: str, name: str, unit_type: str, numbers: dict, rnd: random.Random) -> dict[str, Any]:
    unit_id = _insert(profile, "units", {
        "id": new_id(), "area_id": area_id, "code": code, "name": name, "unit_type": unit_type,
        "head_name": rnd.choice(HEADS), "phone": f"0719-{rnd.randint(5000000, 5999999)}",
        "address": "", "profile": json.dumps(numbers),
    })
    return {"id": unit_id, "type": unit_type, "name": name}


def _build_team(profile: Profile) -> tuple[str, list[str]]:
    ids = [_insert(profile, "inspectors", {"id": new_id(), "name": n, "title": t, "organisation": OFFICE, "phone": ""})
           for n, t, _ in INSPECTORS]
    team_id = _insert(profile, "teams", {"id": new_id(), "name": "市政府教育督导室第一督导组"})
    with profile.transaction() as tx:
        for inspector_id, (_, _, role) in zip(ids, INSPECTORS, strict=True):
            people.add_team_member(tx.db, team_id, inspector_id, role)
    return team_id, ids


def sample_value(item: Item, rnd: random.Random, quality: float) -> Any:
    """A plausible answer: ``quality`` near 1 answers at the top, near 0 lower."""
    good = rnd.random() < quality
    if item.kind == "points":
        top = item.max if item.max is not None else item.maximum
        if good:
            return _num(top)
        steps = int((top - item.min) / item.step)
        return _num(top - item.step * rnd.randint(1, max(1, min(steps, 3))))
    if item.kind == "deduction":
        if good or not item.deductions:
            return {}
        d = rnd.choice(item.deductions)
        return {d.code: 1}
    if item.kind == "passfail":
        return good or rnd.random() < 0.7
    if item.kind == "level":
        levels = sorted(item.levels, key=lambda lv: lv.points, reverse=True)
        return levels[0].code if good else levels[min(1, len(levels) - 1)].code
    if item.kind == "indicator":
        return _indicator_value(item, good)
    if item.kind == "count":
        most = item.max_count or 6
        return most if good else max(0, most - 1)
    return "资料齐全，台账规范。" if good else "部分资料不完整，需补充。"


def _indicator_value(item: Item, good: bool) -> dict[str, Any]:
    spec = item.indicator
    assert spec is not None
    if spec.denominator is None:
        target = spec.target
        met = {"==": target, ">=": target + 1, ">": target + 1, "<=": target, "<": target - 1}[spec.comparator]
        value = met if good else (target + 1 if spec.comparator in ("==", "<=", "<") else target - 1)
        return {"numerator": _num(max(Decimal(0), value))}
    # A rate is a share of 1000 (pupils, experiments). A ratio reads as the school's own
    # numbers: 25.2 books for each of 1000 pupils, or 9.9 pupils for each of 100 computers.
    denominator = 100 if not spec.rate and spec.comparator in ("<=", "<") else 1000
    share = spec.target / 100 if spec.rate else spec.target
    margin = Decimal("0.005") if spec.rate else Decimal("0.1")
    wanted = share + margin if good else share - 4 * margin
    if spec.comparator in ("<=", "<"):
        wanted = share - margin if good else share + 4 * margin
    numerator = max(0, int(wanted * denominator))
    if spec.rate:
        numerator = min(denominator, numerator)
    reported = Decimal(numerator * 100) / denominator if spec.rate else Decimal(numerator) / denominator
    return {"numerator": numerator, "denominator": denominator, "reported": _num(reported.quantize(Decimal("0.1")))}


def _num(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _fill(profile: Profile, visit_id: str, rubric: Rubric, rnd: random.Random, *, share: float, quality: float, by: str) -> None:
    """Answer a share of the items, the way an inspector works through the list in order."""
    items = list(rubric.items.values())
    methods = ["documents", "site", "interview", "questionnaire", "spot_check"]
    for item in items[: max(1, int(len(items) * share))]:
        if item.na_allowed and rnd.random() < 0.05:
            answer_item(profile, visit_id, rubric_hash=rubric.content_hash, item_code=item.code, na=True, by=by)
            continue
        value = sample_value(item, rnd, quality)
        below = item.kind in ("points", "deduction", "level", "passfail") and not _is_top(item, value)
        answer_item(
            profile, visit_id, rubric_hash=rubric.content_hash, item_code=item.code, value=value,
            evidence_methods=list(item.evidence) or [rnd.choice(methods)],
            reason="现场查看发现不足，详见问题清单。" if below else "", by=by,
        )


def _is_top(item: Item, value: Any) -> bool:
    if item.kind == "deduction":
        return not value
    if item.kind == "passfail":
        return bool(value)
    if item.kind == "level":
        return value == max(item.levels, key=lambda lv: lv.points).code
    return Decimal(str(value)) >= item.maximum


FINDINGS = [
    ("学生作业批改记录不全，部分班级作业量超标。", "建立作业公示制度，控制书面作业总量。", "教务处主任", "general"),
    ("实验室危化品未实行双人双锁管理。", "立即整改，建立危化品领用台账。", "分管副校长", "major"),
    ("图书室生均图书不足，近三年新增图书偏少。", "制定购书计划，本学年补足生均图书。", "校长", "general"),
    ("消防器材部分过期，疏散指示标志损坏。", "更换过期器材，修复疏散标志。", "总务主任", "major"),
    ("课后服务签到台账缺少家长签字。", "完善课后服务自愿申请与签到制度。", "德育处主任", "general"),
]
# What the photo of each finding shows (app/demo_photos.py draws it).
FINDING_SCENES = {
    "学生作业批改记录不全，部分班级作业量超标。": "homework",
    "实验室危化品未实行双人双锁管理。": "lab",
    "图书室生均图书不足，近三年新增图书偏少。": "books",
    "消防器材部分过期，疏散指示标志损坏。": "fire",
    "课后服务签到台账缺少家长签字。": "sign-in",
}
# Where the demo's units are: photos carry GPS near them, as a phone's would.
DANJIANGKOU = (32.540, 111.508)
LIULIPING = (32.430, 111.060)
PRACTICES = [
    "学校推行“作业超市”分层布置，学生作业负担明显减轻。",
    "校园文化墙布置规范，体现“立德树人”主题。",
    "建立家校共育微信群，每周推送安全提示。",
]


def _by_id(refs: dict[str, Rubric], *candidates: str) -> Rubric:
    for c in candidates:
        if c in refs:
            return refs[c]
    return next(iter(refs.values()))


class _Photographer:
    """Takes the demo's photos and imports them the way the app imports a camera's."""

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        # A generator of its own: photos never shift the answers drawn from the main one.
        self.rnd = random.Random(20112)
        self.count = 0

    def take(self, visit_id: str, scene: str, caption: str, *, day: date, place: tuple[float, float],
             camera: Camera = PHONE, rubric: Rubric | None = None, item: str | None = None,
             finding: str | None = None, orientation: int = 1) -> str | None:
        if item is not None and (rubric is None or item not in rubric.items):
            return None  # a sample rubric without that item: no photo rather than a wrong link
        self.count += 1
        taken = datetime.combine(day, time(9, 0)) + timedelta(minutes=7 * self.count + self.rnd.randint(0, 5))
        here = (place[0] + self.rnd.uniform(-0.002, 0.002), place[1] + self.rnd.uniform(-0.002, 0.002))
        data = demo_jpeg(scene, self.rnd, taken=taken, camera=camera, place=here, orientation=orientation)
        summary = import_bytes(self.profile, data, f"IMG_{taken:%Y%m%d_%H%M%S}.jpg", visit_id=visit_id,
                               item_code=item, rubric_hash=rubric.content_hash if item and rubric else None,
                               finding_id=finding)
        evidence_id = summary.evidence_ids[0]
        set_caption(self.profile, evidence_id, caption)
        return evidence_id


def build_demo(profile: Profile, *, today: date) -> dict[str, Any]:
    rnd = random.Random(20111)
    rubrics: dict[str, Rubric] = {}
    for path in sample_paths():
        ref, _ = import_document(profile, json.loads(path.read_text(encoding="utf-8")))
        rubrics[ref.rubric_id] = get_rubric(profile, ref.hash)
    units = _build_places(profile, rnd)
    team_id, inspectors = _build_team(profile)
    leader = inspectors[0]
    # The demo laptop is the team leader's: every change it records is theirs.
    set_profile_inspector(profile, leader)
    # Its papers are issued by the office (the 落款 of the sheet and the notice).
    set_setting(profile, "office_name", OFFICE)
    standard = _by_id(rubrics, "standardized-school")
    monthly = _by_id(rubrics, "double-reduction-monthly")
    habits = _by_id(rubrics, "study-habits")
    safety = _by_id(rubrics, "enterprise-env-safety")

    campaign = _insert(profile, "campaigns", {
        "id": new_id(), "name": f"{today.year}年义务教育标准化学校评估验收", "office": OFFICE,
        "starts_on": (today - timedelta(days=30)).isoformat(), "ends_on": (today + timedelta(days=30)).isoformat(),
        "description": "对照《评分细则》开展县级初评，达标学校申报市级复核。"})
    schools = [u for u in units.values() if u["type"] in ("primary", "middle", "nine_year", "complete_secondary")]
    assignments = []
    for i, unit in enumerate(schools[:10]):
        start = today + timedelta(days=i - 3)
        assignments.append(_insert(profile, "assignments", {
            "id": new_id(), "campaign_id": campaign, "unit_id": unit["id"], "team_id": team_id,
            "visit_type": "preliminary_review", "window_start": start.isoformat(),
            "window_end": (start + timedelta(days=7)).isoformat(),
            "rubric_hashes": json.dumps([standard.content_hash])}))

    def visit(unit: dict, rubric: Rubric, vtype: str, day: date, assignment: str | None = None) -> str:
        return create_visit(profile, NewVisit(
            unit_id=unit["id"], visit_type=vtype, starts_on=day.isoformat(), rubric_hashes=[rubric.content_hash],
            team_id=team_id, assignment_id=assignment)).id

    made = {"finalized": 0, "amended": 0, "in_progress": 0}
    camera = _Photographer(profile)
    # Three acceptance reviews done earlier this month, one of them amended afterwards.
    for i in range(3):
        unit = schools[i]
        day = today - timedelta(days=3 - i)
        vid = visit(unit, standard, "preliminary_review", day, assignments[i])
        _fill(profile, vid, standard, rnd, share=1.0, quality=0.8 + 0.05 * i, by=leader)
        for desc, req, who, sev in rnd.sample(FINDINGS, 2):
            found = add_finding(profile, vid, description=desc, requirement=req, responsible=who, severity=sev,
                                deadline=(today + timedelta(days=30)).isoformat(), by=leader)
            if i == 0:  # the visit a newcomer opens first: its findings carry their photos
                camera.take(vid, FINDING_SCENES[desc], desc.rstrip("。"), day=day, place=DANJIANGKOU,
                            finding=found.id)
        add_good_practice(profile, vid, rnd.choice(PRACTICES))
        if i == 0:
            # A2.4 asks for a photo: without it the sheet would print a gap for it.
            camera.take(vid, "building", "教学楼及安全鉴定公示牌", day=day, place=DANJIANGKOU, rubric=standard,
                        item="A2.4")
            camera.take(vid, "fire", "教学楼一楼消防器材", day=day, place=DANJIANGKOU, rubric=standard, item="E2")
            # Taken with the phone upright: stored turned, shown upright through EXIF orientation.
            camera.take(vid, "books", "图书室书架", day=day, place=DANJIANGKOU, rubric=standard, item="B2.1",
                        orientation=6)
        finalize_visit(profile, vid, accept_gaps=True)
        made["finalized"] += 1
        if i == 0:
            # An item that lost points: the school's late evidence earns them back.
            stored = {r.item_code: r.value for r in list_responses(profile, vid)}
            item = next(it for it in standard.items.values()
                        if it.kind == "points" and stored.get(it.code) not in (None, it.maximum))
            amend_response(profile, vid, rubric_hash=standard.content_hash, item_code=item.code,
                           value=int(item.maximum) if item.maximum % 1 == 0 else float(item.maximum), by=leader,
                           reason_for_change="复核时学校补交了佐证材料，按材料重新评分。")
            made["amended"] += 1
            made["finalized"] -= 1
    # Two reviews under way today.
    for i in (3, 4):
        vid = visit(schools[i], standard, "preliminary_review", today, assignments[i])
        _fill(profile, vid, standard, rnd, share=0.4 + 0.2 * (i - 3), quality=0.85, by=inspectors[1])
        # Photos taken this morning, on both visits under way: whichever a newcomer opens has some.
        if i == 3:
            camera.take(vid, "gate", "校门及门卫室", day=today, place=DANJIANGKOU, rubric=standard, item="A1.3",
                        camera=CAMERA)
            camera.take(vid, "track", "运动场环形跑道", day=today, place=DANJIANGKOU, rubric=standard, item="A3.1",
                        camera=CAMERA)
        else:
            camera.take(vid, "building", "教学楼及安全鉴定公示牌", day=today, place=DANJIANGKOU, rubric=standard,
                        item="A2.4")
            camera.take(vid, "fire", "楼道消防器材", day=today, place=DANJIANGKOU, rubric=standard, item="E2")
        made["in_progress"] += 1
    # Monthly "double reduction" visits by the assigned inspector, and study-habits checks.
    for i, unit in enumerate(schools[5:9]):
        vid = visit(unit, monthly, "routine", today - timedelta(days=20 + i))
        _fill(profile, vid, monthly, rnd, share=1.0, quality=0.85, by=inspectors[2])
        finalize_visit(profile, vid, accept_gaps=True)
        made["finalized"] += 1
    for i in range(3):
        vid = visit(schools[0], habits, "routine", today - timedelta(days=60 - 20 * i))
        _fill(profile, vid, habits, rnd, share=1.0, quality=0.7, by=inspectors[1])
        finalize_visit(profile, vid, accept_gaps=True)
        made["finalized"] += 1
    # An enterprise safety inspection with a major finding, then its follow-up.
    plant = units["湖北汉江化工有限公司"]
    vid = visit(plant, safety, "themed", today - timedelta(days=14))
    _fill(profile, vid, safety, rnd, share=1.0, quality=0.75, by=leader)
    finding = add_finding(profile, vid, description="危险废物贮存场所未设置防渗漏设施，转移联单填写不全。",
                          requirement="限期15日内完成防渗改造，规范填写转移联单。", responsible="安全环保部经理",
                          severity="major", deadline=(today - timedelta(days=1)).isoformat(), by=leader).id
    # The items this checklist wants a photo of, then the finding's own, marked up.
    for scene, code, caption in (("dust", "A1", "布袋除尘器及排气筒运行正常"), ("wastewater", "B1", "污水处理站调节池、沉淀池"),
                                 ("outfall", "B3", "废水排放口及标志牌")):
        camera.take(vid, scene, caption, day=today - timedelta(days=14), place=LIULIPING, rubric=safety, item=code)
    store = camera.take(vid, "waste", "危废贮存间地面无防渗层，有渗漏痕迹", day=today - timedelta(days=14),
                        place=LIULIPING, rubric=safety, item="C2", finding=finding)
    if store is not None:
        # Marked up as an inspector would: the stain circled, an arrow and a word on it.
        save_annotations(profile, store, AnnotationLayer((
            Rect((0.35, 0.76, 0.78, 0.96)),
            Arrow((0.22, 0.2), (0.4, 0.76)),
            Text((0.05, 0.06), "地面无防渗层", size=0.07),
        )))
    finalize_visit(profile, vid, accept_gaps=True)
    made["finalized"] += 1
    set_finding_status(profile, finding, "reported_fixed", note="企业报告已完成防渗改造。")
    follow = visit(plant, safety, "follow_up", today)
    # The follow-up looks at what was fixed: the same store, its floor now lined.
    camera.take(follow, "waste-fixed", "整改后：危废贮存间地面已做防渗处理", day=today, place=LIULIPING,
                rubric=safety, item="C2")
    made["in_progress"] += 1
    return {
        "rubrics": len(rubrics), "units": len(units), "inspectors": len(inspectors),
        "assignments": len(assignments), "visits": sum(made.values()), **{f"visits {k}": v for k, v in made.items()},
        "photos": camera.count,
        "follow-up visit": follow,
    }
