"""Visits to print: a banded rubric with a veto, answers, findings, photos; and PDF helpers."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

from PIL import Image, ImageStat
from pypdf import PdfReader

from app.evidence import import_bytes
from app.findings import add_finding, add_good_practice
from app.profile import Profile
from app.rubric_store import import_document
from app.visits import NewVisit, answer_item, create_visit
from tests.app.photo_factory import jpeg

BANDED_RUBRIC = {
    "format": "fieldmark.rubric/1",
    "id": "banded-check",
    "version": "2026.2",
    "name": {"zh": "办学条件督导评分表", "en": "School conditions checklist"},
    "rounding": {"places": 1},
    "bands_basis": "total",
    "sections": [
        {"code": "A", "name": {"zh": "安全管理", "en": "Safety"}, "items": [
            {"code": "A1", "kind": "points", "text": {"zh": "消防器材配备", "en": "Fire equipment"}, "max": 10, "step": 0.5},
            {"code": "A2", "kind": "passfail", "text": {"zh": "无D级危房", "en": "No D-class building"}, "max": 5},
        ]},
        {"code": "B", "name": {"zh": "教育教学", "en": "Teaching"}, "items": [
            {"code": "B1", "kind": "level", "text": {"zh": "作业管理", "en": "Homework"}, "levels": [
                {"code": "met", "label": {"zh": "达标", "en": "Met"}, "points": 5},
                {"code": "basic", "label": {"zh": "基本达标", "en": "Basic"}, "points": 3},
                {"code": "unmet", "label": {"zh": "未达标", "en": "Unmet"}, "points": 0}]},
            {"code": "B2", "kind": "text", "text": {"zh": "总体评价", "en": "Overall"}, "required": False},
        ]},
    ],
    "vetoes": [{"code": "V1", "label": {"zh": "存在D级危房并继续使用", "en": "A D-class building still in use"},
                "trigger": {"item": "A2", "equals": False}, "effect": "fail"}],
    "bands": [
        {"code": "good", "label": {"zh": "优秀", "en": "Excellent"}, "min": 17, "min_inclusive": True},
        {"code": "pass", "label": {"zh": "合格", "en": "Qualified"}, "min": 12, "min_inclusive": True},
        {"code": "fail", "label": {"zh": "不合格", "en": "Not qualified"}},
    ],
}

FINDINGS = [
    ("实验室危化品未实行双人双锁管理。", "立即整改，建立危化品领用台账。", "2026-12-24", "分管副校长", "major"),
    ("课后服务签到台账缺少家长签字。", "完善课后服务签到制度。", "2027-01-15", "德育处主任", "general"),
]


def banded_rubric_hash(profile: Profile) -> str:
    return import_document(profile, BANDED_RUBRIC)[0].hash


def new_visit(seeded, rubric_hash: str, assignment_id: str | None = None) -> str:
    return create_visit(seeded.profile, NewVisit(
        unit_id=seeded.unit_id, visit_type="routine", starts_on="2026-11-24",
        rubric_hashes=[rubric_hash], team_id=seeded.team_id, assignment_id=assignment_id)).id


def banded_visit(seeded, *, answers: bool = True, photos: int = 2,
                 assignment_id: str | None = None) -> tuple[str, str]:
    """(visit id, rubric hash): A1 8.5, A2 pass, B1 basic -> 16.5 of 20, band 合格; two findings."""
    profile: Profile = seeded.profile
    ref, _ = import_document(profile, BANDED_RUBRIC)
    vid = new_visit(seeded, ref.hash, assignment_id)
    if answers:
        for code, value in (("A1", 8.5), ("A2", True), ("B1", "basic")):
            answer_item(profile, vid, rubric_hash=ref.hash, item_code=code, value=value,
                        evidence_methods=["site"], note=f"{code} 现场查看", reason="有不足" if code != "A2" else "")
    for desc, req, deadline, who, sev in FINDINGS:
        add_finding(profile, vid, description=desc, requirement=req, deadline=deadline, responsible=who,
                    severity=sev)
    add_good_practice(profile, vid, "建立家校共育微信群，每周推送安全提示。")
    for i in range(photos):
        import_bytes(profile, jpeg((320, 240), seed=i), f"IMG_{i:04d}.jpg", visit_id=vid)
    return vid, ref.hash


def big_rubric(sections: int = 10, items: int = 30) -> dict:
    return {
        "format": "fieldmark.rubric/1", "id": "big-check", "version": "1",
        "name": {"zh": "大型评分表", "en": "Big checklist"},
        "sections": [
            {"code": f"S{s}", "name": {"zh": f"第{s}部分", "en": f"Part {s}"}, "items": [
                {"code": f"S{s}.{i}", "kind": "points", "max": 2, "step": 0.5,
                 "text": {"zh": f"第{s}部分第{i}项 检查内容说明", "en": f"Part {s} item {i}"}}
                for i in range(items)]}
            for s in range(sections)
        ],
    }


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


def squeeze(text: str) -> str:
    """Text without any whitespace: wrapped lines extract with breaks where the line ended."""
    return re.sub(r"\s+", "", text)


def pdffonts(path: Path) -> list[dict[str, str]]:
    """pdffonts' table as dicts; columns are sliced by the dashed rule (names contain spaces)."""
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    header, rule, *rows = out.splitlines()
    spans = [(m.start(), m.end()) for m in re.finditer(r"-+", rule)]
    names = [header[a:b].strip() for a, b in spans]
    return [{n: row[a:b].strip() for n, (a, b) in zip(names, spans, strict=True)} for row in rows if row.strip()]


def page_variances(path: Path, tmp: Path) -> list[float]:
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(path), str(tmp / "page")], check=True)
    result = []
    for png in sorted(tmp.glob("page*.png")):
        with Image.open(png) as img:
            result.append(sum(ImageStat.Stat(img.convert("L")).var))
    return result
