"""Layout: no heading alone at a page foot, no table printed twice, a signature line for the unit head."""

from __future__ import annotations

import io
from datetime import date

import pytest
from PIL import Image
from reportlab.lib.units import mm

from app.evidence import list_photos, set_caption
from app.findings import add_finding, add_good_practice
from app.reports import build_report
from app.reports.common import MARGIN_BOTTOM
from app.reports.texts import TEXTS
from app.settings import set_setting
from app.signatures import add_signature
from tests.app.report_factory import FINDINGS, banded_visit, page_rows, pdf_text, squeeze

HEADINGS = {squeezed for key in ("scores", "findings", "practices", "photos", "signatures", "full.basic",
                                 "full.practices", "full.scores", "full.findings", "full.requirements",
                                 "full.items", "full.photos")
            for squeezed in ("".join(TEXTS[key][0].split()), "".join(TEXTS[key][1].split()))}


def _lowest_content(rows: list[tuple[float, str]]) -> str:
    """The text lowest on the page above the footer (page number and code sit below the frame)."""
    content = [(y, text) for y, text in rows if y > MARGIN_BOTTOM - 1 * mm]
    return "".join(min(content)[1].split()) if content else ""


@pytest.mark.parametrize("kind", ["feedback", "full"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_heading_never_sits_alone_at_the_foot_of_a_page(seeded, kind, lang):
    """Findings are added one by one, so every heading after them passes the foot of page 1."""
    vid, _ = banded_visit(seeded, photos=0)
    checked = 0
    for n in range(16):
        add_finding(seeded.profile, vid, description=f"第{n}项问题：食堂从业人员健康证过期，未及时更新台账，需在限期内补办。",
                    requirement="限期补办健康证，建立定期复查制度。", deadline="2027-01-31", responsible="总务主任")
        if n % 3 == 0:
            add_good_practice(seeded.profile, vid, f"第{n}项做法：推行作业分层布置，学生作业负担明显减轻。")
        pages = page_rows(build_report(seeded.profile, vid, kind=kind, lang=lang).pdf)
        for number, rows in enumerate(pages[:-1], 1):
            lowest = _lowest_content(rows)
            assert lowest not in HEADINGS, f"{n + 1} findings: page {number} ends with the heading {lowest!r}"
            checked += 1
    assert checked >= 10  # the documents did run over a page


def test_the_full_report_prints_each_finding_and_requirement_once(seeded):
    vid, _ = banded_visit(seeded, photos=0)
    for lang in ("zh", "en"):
        text = squeeze(pdf_text(build_report(seeded.profile, vid, kind="full", lang=lang).pdf))
        for desc, req, deadline, who, _ in FINDINGS:
            assert text.count(squeeze(desc)) == 1, desc
            assert text.count(squeeze(req)) == 1, req
            assert text.count(squeeze(who)) == 1 and text.count(deadline) == 1
        # 四 names the findings and their severity; 五 says what to do, by when and who.
        problems, requirements = text.split(squeeze(TEXTS["full.requirements"][0 if lang == "zh" else 1]), 1)
        assert squeeze(FINDINGS[0][0]) in problems and squeeze(FINDINGS[0][1]) in requirements


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("L", (60, 20), 255).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize("kind", ["feedback", "rectification", "full"])
def test_the_unit_head_has_a_signature_line_with_name_and_date(seeded, kind):
    vid, _ = banded_visit(seeded, photos=0)
    blank = squeeze(pdf_text(build_report(seeded.profile, vid, kind=kind).pdf))
    unit_head = blank.split("受检单位负责人（签收）", 1)[1]
    assert unit_head.startswith("姓名：日期：年月日"), unit_head[:40]
    add_signature(seeded.profile, vid, role="unit_head", signer_name="刘志强", png=_png())
    signed = squeeze(pdf_text(build_report(seeded.profile, vid, kind=kind).pdf))
    today = date.today()
    assert f"受检单位负责人（签收）姓名：刘志强日期：{today.year}年{today.month}月{today.day}日" in signed
    english = " ".join(pdf_text(build_report(seeded.profile, vid, kind=kind, lang="en").pdf).split())
    assert f"Unit head (received) Name: 刘志强 Date: {today.day} {today.strftime('%B')} {today.year}" in english


def test_the_photos_heading_stays_with_its_first_row_of_photos(seeded):
    """A row of photos is taller than a few lines: the heading must not stay behind alone."""
    vid, _ = banded_visit(seeded, photos=3)
    for photo in list_photos(seeded.profile, vid):  # a caption shows where the row of photos is
        set_caption(seeded.profile, photo.id, "教学楼消防通道")
    seen_photo_pages = set()
    for n in range(14):
        add_good_practice(seeded.profile, vid, f"第{n}项做法：推行作业分层布置，学生作业负担明显减轻，家长满意度提升。")
        pdf = build_report(seeded.profile, vid).pdf
        pages = page_rows(pdf)
        for number, rows in enumerate(pages[:-1], 1):
            assert _lowest_content(rows) not in HEADINGS, f"{n + 1} practices: page {number}"
        seen_photo_pages.add(next(i for i, rows in enumerate(pages) if any("现场照片" in t for _, t in rows)))
    assert len(seen_photo_pages) == 2  # the photos did move from page 1 to page 2 on the way


@pytest.mark.parametrize("kind", ["feedback", "rectification", "full"])
def test_the_issuer_signatures_and_code_stay_on_one_page(seeded, kind):
    set_setting(seeded.profile, "office_name", "丹江口市人民政府教育督导室")
    vid, _ = banded_visit(seeded, photos=0)
    for n in range(14):
        add_finding(seeded.profile, vid, description=f"第{n}项问题：消防器材部分过期，疏散指示标志损坏，需在限期内更换。",
                    requirement="更换过期器材，修复疏散标志。", deadline="2027-01-31", responsible="总务主任")
        pages = [squeeze("".join(t for _, t in rows)) for rows in
                 page_rows(build_report(seeded.profile, vid, kind=kind).pdf)]
        foot = [i for i, text in enumerate(pages) if "受检单位负责人（签收）" in text]
        assert len(foot) == 1, n
        page = pages[foot[0]]
        # The office is in every page's header too: a second time, it is the 落款.
        assert page.count("丹江口市人民政府教育督导室") >= 2 and "校验码" in page, (n, kind)


@pytest.mark.parametrize("kind", ["feedback", "rectification"])
def test_a_short_visit_is_one_page(seeded, kind):
    """Keeping the foot together must not push it off a page that has room for it."""
    vid, _ = banded_visit(seeded, photos=0)
    assert build_report(seeded.profile, vid, kind=kind).pages == 1
