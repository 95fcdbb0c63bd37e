"""Printed documents: what the PDF says, that it renders anywhere, and bad input."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from pypdf import PdfReader

from app.evidence import (
    AnnotationLayer,
    Rect,
    import_bytes,
    list_photos,
    photo_file,
    save_annotations,
)
from app.finalize import finalize_visit
from app.findings import add_finding
from app.reports import build_report
from app.reports.fonts import uncovered
from app.reports.renditions import SMALL, renditions
from app.reports.texts import TEXTS
from app.rubric_store import import_document
from app.visits import answer_item
from tests.app.photo_factory import jpeg
from tests.app.report_factory import (
    FINDINGS,
    banded_visit,
    big_rubric,
    new_visit,
    page_texts,
    page_variances,
    pdf_fonts,
    pdf_text,
    squeeze,
)


@pytest.fixture
def visit(seeded):
    vid, _ = banded_visit(seeded)
    return vid


@pytest.mark.parametrize("lang, words", [
    ("zh", {"title": "现场反馈意见书", "band": "合格", "safety": "安全管理", "teaching": "教育教学",
            "severity": "重大", "practice": "家校共育"}),
    ("en", {"title": "On-site Feedback Sheet", "band": "Qualified", "safety": "Safety", "teaching": "Teaching",
            "severity": "Major", "practice": "家校共育"}),
])
def test_feedback_sheet_carries_the_record(seeded, visit, lang, words):
    built = build_report(seeded.profile, visit, kind="feedback", lang=lang)
    text = pdf_text(built.pdf)
    flat = squeeze(text)
    assert "均州路中心小学" in text
    for word in words.values():
        assert squeeze(word) in flat, word
    # Section maximum and award: A 15 / 13.5, B 5 / 3, total 20 / 16.5.
    cells = set(text.split())
    for number in ("15", "13.5", "5", "3", "20", "16.5"):
        assert number in cells, number
    for desc, req, deadline, who, _ in FINDINGS:
        assert squeeze(desc) in flat and squeeze(req) in flat and squeeze(who) in flat
        assert deadline in text
    assert "张建华" in text and "李秀梅" in text
    assert built.pages <= 2
    assert built.warnings == ()


def test_veto_prints_with_its_reason(seeded):
    vid, rubric_hash = banded_visit(seeded)
    answer_item(seeded.profile, vid, rubric_hash=rubric_hash, item_code="A2", value=False)
    text = squeeze(pdf_text(build_report(seeded.profile, vid, lang="zh").pdf))
    assert "存在D级危房并继续使用" in text and "触发一票否决" in text


@pytest.mark.parametrize("kind", ["feedback", "rectification", "full"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_font_is_embedded_and_pages_are_not_blank(seeded, visit, kind, lang):
    pdf = build_report(seeded.profile, visit, kind=kind, lang=lang).pdf
    fonts = pdf_fonts(pdf)
    assert fonts and all(fonts.values()), fonts
    variances = page_variances(pdf)
    assert variances and all(v > 50 for v in variances), variances


def test_the_pdf_checks_see_a_missing_font_and_a_blank_page():
    """The checks above run on PyPI packages alone (no poppler) and can fail: a standard-14
    font is not embedded, and an empty page renders blank."""
    from reportlab.pdfgen.canvas import Canvas

    out = io.BytesIO()
    canvas = Canvas(out)
    canvas.setFont("Helvetica", 24)
    canvas.drawString(72, 720, "Not embedded")
    canvas.showPage()
    canvas.showPage()  # nothing drawn
    canvas.save()
    assert pdf_fonts(out.getvalue()) == {"/Helvetica": False}
    first, blank = page_variances(out.getvalue())
    assert first > 50 and blank == 0


def test_every_glyph_of_the_documents_is_in_the_font(seeded, visit):
    catalogue = "".join(zh + en for zh, en in TEXTS.values())
    assert uncovered(catalogue) == set()
    for lang in ("zh", "en"):
        for kind in ("feedback", "rectification", "full"):
            assert uncovered(pdf_text(build_report(seeded.profile, visit, kind=kind, lang=lang).pdf)) == set()


def test_draft_has_a_watermark_and_no_code_finalized_has_both(seeded, visit):
    draft = pdf_text(build_report(seeded.profile, visit).pdf)
    assert "草稿 DRAFT" in draft and "FM1-" not in draft
    finalize_visit(seeded.profile, visit, accept_gaps=True)
    final = pdf_text(build_report(seeded.profile, visit).pdf)
    assert "草稿 DRAFT" not in final and f"FM1-{visit}" in squeeze(final)


def test_pages_are_numbered_in_both_languages(seeded, visit):
    zh, en = build_report(seeded.profile, visit, lang="zh"), build_report(seeded.profile, visit, lang="en")
    for n in range(1, zh.pages + 1):
        assert f"第 {n} 页 共 {zh.pages} 页" in pdf_text(zh.pdf)
    for n in range(1, en.pages + 1):
        assert f"Page {n} of {en.pages}" in pdf_text(en.pdf)


@pytest.mark.parametrize("paper, size", [("a4", (595, 842)), ("letter", (612, 792))])
def test_paper_size(seeded, visit, paper, size):
    box = PdfReader(io.BytesIO(build_report(seeded.profile, visit, paper=paper).pdf)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == size


def test_office_name_and_logo_from_settings(seeded, visit, tmp_path):
    from app.settings import set_setting

    logo = tmp_path / "logo.png"
    logo.write_bytes(jpeg((120, 120)))
    set_setting(seeded.profile, "office_name", "丹江口市人民政府教育督导室")
    set_setting(seeded.profile, "office_logo", str(logo))
    built = build_report(seeded.profile, visit)
    assert "丹江口市人民政府教育督导室" in pdf_text(built.pdf)
    assert built.warnings == ()
    # A logo file moved away after it was chosen prints with a warning, never a crash.
    logo.unlink()
    assert any("logo.png" in w for w in build_report(seeded.profile, visit).warnings)


def test_rectification_notice_and_full_report_outline(seeded, visit):
    notice = squeeze(pdf_text(build_report(seeded.profile, visit, kind="rectification").pdf))
    assert "整改通知书" in notice and "2026-12-24" in notice and "2027-01-15" in notice
    assert "整改情况报告" in notice  # the reply expected
    full = squeeze(pdf_text(build_report(seeded.profile, visit, kind="full").pdf))
    for heading in ("基本情况", "主要做法", "得分情况", "存在问题", "整改要求", "逐项评分", "现场照片"):
        assert heading in full, heading
    # Every item with its answer, note and evidence method.
    assert "基本达标" in full and "A1现场查看" in full and "实地察看" in full


def test_missing_photo_prints_a_box_and_a_warning(seeded, visit):
    photo = list_photos(seeded.profile, visit)[0]
    photo_file(seeded.profile, photo.id).unlink()
    for kind in ("feedback", "full"):
        built = build_report(seeded.profile, visit, kind=kind)
        assert "照片缺失" in squeeze(pdf_text(built.pdf))
        assert len(built.warnings) == 1 and photo.original_name in built.warnings[0]


def test_damaged_photo_prints_a_box(seeded, visit):
    photo = list_photos(seeded.profile, visit)[0]
    path = photo_file(seeded.profile, photo.id)
    path.chmod(0o644)
    path.write_bytes(path.read_bytes()[:200])
    built = build_report(seeded.profile, visit, kind="full", lang="en")
    assert "Photo damaged" in pdf_text(built.pdf) and built.warnings


def test_unanswered_visit_prints_its_gaps(seeded):
    vid, _ = banded_visit(seeded, answers=False, photos=0)
    sheet = squeeze(pdf_text(build_report(seeded.profile, vid).pdf))
    assert "待补" in sheet and "A1未评" in sheet and "0/2待补" in sheet
    full = squeeze(pdf_text(build_report(seeded.profile, vid, kind="full", lang="en").pdf))
    assert "[gap:unanswered]" in full


def test_very_long_text_wraps_and_is_never_cut(seeded, visit):
    long_zh = "食堂从业人员健康证过期未及时更新，" * 60 + "结尾标记甲。"
    long_en = " ".join(["the canteen staff health certificates expired"] * 40) + " ENDMARK Supercalifragilistic" * 3
    add_finding(seeded.profile, visit, description=long_zh, requirement=long_en, deadline="2027-02-01")
    zh_chars, en_words = set(long_zh), set(long_en.split())
    for lang in ("zh", "en"):
        for kind in ("feedback", "rectification"):
            lines = [line.strip() for line in pdf_text(build_report(seeded.profile, visit, kind=kind, lang=lang).pdf)
                     .splitlines() if line.strip()]
            # The row is taller than a page: it splits between its lines, with the page's
            # furniture and the other cells in between. Its own lines, in order, are the text.
            assert "".join(x for x in lines if set(x) <= zh_chars) == long_zh
            assert " ".join(x for x in lines if set(x.split()) <= en_words) == long_en


def test_big_visit_paginates_with_repeated_table_header(seeded):
    profile = seeded.profile
    ref, _ = import_document(profile, big_rubric())
    vid = new_visit(seeded, ref.hash)
    for s in range(10):
        for i in range(30):
            answer_item(profile, vid, rubric_hash=ref.hash, item_code=f"S{s}.{i}", value=2, evidence_methods=["documents"])
    for n in range(40):
        import_bytes(profile, jpeg((400, 300), seed=n), f"P{n:03d}.jpg", visit_id=vid)
    built = build_report(profile, vid, kind="full")
    pages = page_texts(built.pdf)
    assert built.pages == len(pages) > 5
    assert all(f"共 {built.pages} 页" in page for page in pages)
    header_pages = [p for p in pages if "评估结果" in p and "评估方式" in p]
    assert len(header_pages) >= 3  # the item table's header on every page it spans
    assert "S9.29" in pdf_text(built.pdf)
    assert sum(len(page.images) for page in PdfReader(io.BytesIO(built.pdf)).pages) == 40  # every photo
    assert "600" in pages[0].split()  # 300 items x 2 points


def test_renditions_are_upright_annotated_and_cached(seeded, visit):
    profile = seeded.profile
    summary = import_bytes(profile, jpeg((400, 200), seed=9, orientation=6), "rotated.jpg", visit_id=visit)
    photo_id = summary.evidence_ids[0]
    photo = next(p for p in list_photos(profile, visit) if p.id == photo_id)
    first = renditions(profile, [photo], edge=SMALL)[0]
    # Stored rotated with EXIF orientation 6; printed upright: landscape, red top-left quadrant.
    assert first.ok and first.size == (400, 200)
    with Image.open(first.path) as img:
        r, g, b = img.convert("RGB").getpixel((20, 20))
        assert r > 150 and g < 90 and b < 90
    again = renditions(profile, [photo], edge=SMALL)[0]
    assert again.path == first.path
    save_annotations(profile, photo_id, AnnotationLayer((Rect((0.1, 0.1, 0.5, 0.5)),)))
    photo = next(p for p in list_photos(profile, visit) if p.id == photo_id)
    annotated = renditions(profile, [photo], edge=SMALL)[0]
    assert annotated.path != first.path and annotated.path.is_file()
