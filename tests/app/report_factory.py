"""Visits to print: a banded rubric with a veto, answers, findings, photos; and PDF helpers."""

from __future__ import annotations

import io
import re

import pypdfium2 as pdfium
from PIL import ImageStat
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

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


def banded_visit(seeded, *, answers: bool = True, photos: int = 2, assignment_id: str | None = None,
                 findings: list[tuple[str, str, str, str, str]] = FINDINGS) -> tuple[str, str]:
    """(visit id, rubric hash): A1 8.5, A2 pass, B1 basic -> 16.5 of 20, band 合格; two findings."""
    profile: Profile = seeded.profile
    ref, _ = import_document(profile, BANDED_RUBRIC)
    vid = new_visit(seeded, ref.hash, assignment_id)
    if answers:
        for code, value in (("A1", 8.5), ("A2", True), ("B1", "basic")):
            answer_item(profile, vid, rubric_hash=ref.hash, item_code=code, value=value,
                        evidence_methods=["site"], note=f"{code} 现场查看", reason="有不足" if code != "A2" else "")
    for desc, req, deadline, who, sev in findings:
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


def red_pixels(pdf: bytes, dpi: int = 100) -> int:
    """Pixels printed in the documents' alert red (a draft's watermark is far lighter)."""
    document = pdfium.PdfDocument(pdf)
    try:
        count = 0
        for page in document:
            image = page.render(scale=dpi / 72).to_pil().convert("RGB")
            data = image.tobytes()
            count += sum(1 for i in range(0, len(data), 3) if data[i] > 150 and data[i + 1] < 90 and data[i + 2] < 90)
            page.close()
        return count
    finally:
        document.close()


def page_rows(pdf: bytes) -> list[list[tuple[float, str]]]:
    """Per page, the text at each height (points from the bottom), top to bottom.

    Pieces drawn at the same height are joined (a line split between font subsets, or the
    cells of a table row), so the last row of a page is what sits lowest on it.
    """
    pages = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        rows: dict[float, str] = {}

        def visit(text: str, cm: list, tm: list, _font: object, _size: object, rows: dict = rows) -> None:
            if text.strip():
                y = round(cm[5] + tm[5] * cm[3], 0)
                rows[y] = rows.get(y, "") + text.strip()

        page.extract_text(visitor_text=visit)
        pages.append(sorted(rows.items(), key=lambda r: -r[0]))
    return pages


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


def squeeze(text: str) -> str:
    """Text without any whitespace: wrapped lines extract with breaks where the line ended."""
    return re.sub(r"\s+", "", text)


def _font_embedded(font: DictionaryObject) -> bool:
    """Whether a font dictionary carries its program; Type 0 fonts carry it in their descendant."""
    if font.get("/Subtype") == "/Type3":
        return True  # glyphs are drawn by content streams inside the PDF itself
    if font.get("/Subtype") == "/Type0":
        return all(_font_embedded(d.get_object()) for d in font["/DescendantFonts"])
    descriptor = font.get("/FontDescriptor")
    if descriptor is None:
        return False  # one of the standard 14: the reader substitutes whatever it has
    descriptor = descriptor.get_object()
    return any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def _collect_fonts(resources: DictionaryObject | None, found: dict[str, bool], seen: set[int]) -> None:
    if resources is None:
        return
    resources = resources.get_object()
    fonts = resources.get("/Font")
    for ref in (fonts.get_object().values() if fonts is not None else ()):
        font = ref.get_object()
        found[str(font.get("/BaseFont", "?"))] = _font_embedded(font)
    xobjects = resources.get("/XObject")
    # Form XObjects (a watermark, a repeated header) have resources of their own.
    for ref in (xobjects.get_object().values() if xobjects is not None else ()):
        xobject = ref.get_object()
        if xobject.get("/Subtype") == "/Form" and id(xobject) not in seen:
            seen.add(id(xobject))
            _collect_fonts(xobject.get("/Resources"), found, seen)


def pdf_fonts(pdf: bytes) -> dict[str, bool]:
    """Every font the pages use, by base name, and whether its program is embedded in the file."""
    found: dict[str, bool] = {}
    seen: set[int] = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        _collect_fonts(page.get("/Resources"), found, seen)
    return found


def page_variances(pdf: bytes, dpi: int = 50) -> list[float]:
    """Grey-level variance of each page as PDFium renders it: a blank page is close to 0."""
    document = pdfium.PdfDocument(pdf)
    try:
        result = []
        for page in document:
            image = page.render(scale=dpi / 72).to_pil().convert("L")
            result.append(sum(ImageStat.Stat(image).var))
            page.close()
        return result
    finally:
        document.close()
