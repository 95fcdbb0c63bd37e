"""The self-assessment form (自评表): ``fieldmark rubric print`` and ``app.reports.self_assessment``."""

from __future__ import annotations

import errno
import io
import os
from decimal import Decimal
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader
from reportlab.lib.units import mm

from app.cli import main
from app.reports import OutputError
from app.reports.common import MARGIN_BOTTOM, MARGIN_X
from app.reports.fonts import uncovered
from app.reports.self_assessment import COLUMNS, build_self_assessment, write_self_assessment
from app.rubric import load_rubric, score
from app.rubric.samples import load_sample, sample_ids
from app.rubric.wording import band_lines, item_standard, veto_lines
from tests.app.report_factory import (
    big_rubric,
    page_rows,
    page_texts,
    page_variances,
    pdf_fonts,
    pdf_text,
    squeeze,
)
from tests.conftest import SMALL_RUBRIC

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

# Every kind of item and rule the form words: a capped section, a bounded points range, a
# conditional N/A item, a count, a deduction with a limit, a rate; a cap-band veto and a fail
# veto; bands by percentage with an exclusive boundary.
RULES_RUBRIC = {
    "format": "fieldmark.rubric/1", "id": "rules-check", "version": "3",
    "name": {"zh": "规则检查表", "en": "Rules checklist"},
    "bands_basis": "percent",
    "sections": [
        {"code": "A", "name": {"zh": "条件", "en": "Conditions"}, "cap": 12, "items": [
            {"code": "A1", "kind": "points", "text": {"zh": "场地", "en": "Grounds"}, "min": 2, "max": 10, "step": 0.5},
            {"code": "A2", "kind": "passfail", "text": {"zh": "围墙", "en": "Wall"}, "max": 5, "photo_required": True},
        ]},
        {"code": "B", "name": {"zh": "管理", "en": "Management"}, "items": [
            {"code": "B1", "kind": "level", "text": {"zh": "制度", "en": "Rules"}, "levels": [
                {"code": "met", "label": {"zh": "达标", "en": "Met"}, "points": 6},
                {"code": "unmet", "label": {"zh": "未达标", "en": "Unmet"}, "points": 0}]},
            {"code": "B2", "kind": "indicator", "text": {"zh": "签约率", "en": "Signing rate"}, "max": 10,
             "indicator": {"numerator": {"zh": "签约人数", "en": "Signed"}, "denominator": {"zh": "应签人数", "en": "Due"},
                           "rate": True, "comparator": ">=", "target": 98}},
            {"code": "B3", "kind": "count", "text": {"zh": "获奖", "en": "Awards"}, "points_each": 2, "max": 4},
            {"code": "B4", "kind": "deduction", "text": {"zh": "台账", "en": "Ledgers"}, "max": 8, "deductions": [
                {"code": "B4-a", "label": {"zh": "每缺一本台账", "en": "Each missing ledger"}, "points": 2,
                 "max_count": 3}]},
            {"code": "B5", "kind": "points", "text": {"zh": "整改落实", "en": "Fixes done"}, "max": 4,
             "when": {"item": "B1", "equals": "unmet"}, "na_allowed": True},
            {"code": "B6", "kind": "text", "text": {"zh": "其他", "en": "Other"}, "required": False},
        ]},
    ],
    "vetoes": [
        {"code": "V1", "label": {"zh": "签约率未达标", "en": "Signing rate missed"},
         "trigger": {"item": "B2", "not_met": True}, "effect": {"cap_band": "pass"}},
        {"code": "V2", "label": {"zh": "场地严重不足", "en": "Grounds far too small"},
         "trigger": {"item": "A1", "award_below": 3}, "effect": "fail"},
    ],
    "bands": [
        {"code": "good", "label": {"zh": "优秀", "en": "Excellent"}, "min": 90, "min_inclusive": True},
        {"code": "pass", "label": {"zh": "合格", "en": "Qualified"}, "min": 60, "min_inclusive": False},
        {"code": "fail", "label": {"zh": "不合格", "en": "Not qualified"}},
    ],
}


@pytest.fixture(scope="module")
def school():
    return load_rubric(load_sample("standardized-school"))


@pytest.fixture(scope="module")
def school_forms(school):
    return {lang: build_self_assessment(school, lang=lang).pdf for lang in ("zh", "en")}


def cells(pdf: bytes) -> list[list[tuple[float, float, str]]]:
    """Per page, each piece of text with where it starts (x, y in points)."""
    pages = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        found: list[tuple[float, float, str]] = []

        def visit(text: str, cm: list, tm: list, _font: object, _size: object, found: list = found) -> None:
            if text.strip():
                found.append((cm[4] + tm[4] * cm[0], round(cm[5] + tm[5] * cm[3], 0), text.strip()))

        page.extract_text(visitor_text=visit)
        pages.append(found)
    return pages


def column_of(x: float, page_width: float) -> int:
    """Which column of the items table the x position falls in."""
    left = MARGIN_X
    for n, (_, share) in enumerate(COLUMNS):
        right = left + share * (page_width - 2 * MARGIN_X)
        if left <= x < right:
            return n
        left = right
    return -1


def points_by_code(pdf: bytes) -> dict[str, str]:
    """Item code -> what the 分值 column prints on the item's row."""
    width = float(PdfReader(io.BytesIO(pdf)).pages[0].mediabox.width)
    out: dict[str, str] = {}
    for page in cells(pdf):
        rows: dict[float, list[tuple[float, str]]] = {}
        for x, y, text in page:
            rows.setdefault(y, []).append((x, text))
        for pieces in rows.values():
            code = [text for x, text in pieces if column_of(x, width) == 0]
            points = [text for x, text in pieces if column_of(x, width) == 2]
            if code and points and code[0] not in ("编号", "Code"):  # not the header row
                out[code[0]] = points[0]
    return out


def test_the_form_prints_every_item_with_its_points_in_both_languages(school, school_forms):
    for lang, pdf in school_forms.items():
        printed = points_by_code(pdf)
        for item in school.items.values():
            expected = "—" if item.maximum == 0 else format(item.maximum.normalize(), "f")
            assert printed.get(item.code) == expected, (lang, item.code, printed.get(item.code))
        text = squeeze(pdf_text(pdf))
        for head in ("编号", "评估内容", "分值", "评分标准", "评估方式", "自评得分", "说明") if lang == "zh" else (
                "Code", "Whatisassessed", "Points", "Scoringstandard", "Method", "Self-score", "Notes"):
            assert head in text, (lang, head)


def test_each_section_has_its_subtotal_line_and_the_form_its_total(school, school_forms):
    maxima = {code: r.maximum for code, r in score(school, {}).sections.items()}
    zh = [squeeze(text) for page in page_rows(school_forms["zh"]) for _, text in page]
    en = [squeeze(text) for page in page_rows(school_forms["en"]) for _, text in page]
    for code, section in school.sections_by_code.items():
        if maxima[code] == 0:  # the veto checks add nothing up: no subtotal line
            assert not any(line.startswith(f"{code}{section.name.zh}小计") for line in zh)
            continue
        value = format(maxima[code].normalize(), "f")
        assert f"{code}{squeeze(section.name.zh)}小计{value}" in zh, code
        assert f"{code}{squeeze(section.name.en)}:subtotal{value}" in en, code
    assert "合计1000" in zh and "Total1000" in en
    # Sub-sections add up to their section: A1..A4 are 60 + 100 + 50 + 40 = A's 250.
    assert [maxima[c] for c in ("A1", "A2", "A3", "A4", "A")] == [60, 100, 50, 40, 250]


def test_the_bands_and_vetoes_are_stated_with_their_boundaries(school_forms):
    zh, en = squeeze(pdf_text(school_forms["zh"])), squeeze(pdf_text(school_forms["en"]))
    for phrase in ("按总分评定：", "900分及以上（含900分）：达标", "850分（含）至900分（不含）：基本达标",
                   "850分以下（不含850分）：不达标", "V1学校存在D类危房并继续使用（X1评为“不达标”）：一票否决",
                   "V3学校出现刑事案件或者重大违背师德的事件", "否决项V1：X1评为“不达标”即触发",
                   "单位负责人（签字）", "（单位盖章）", "单位名称", "自评日期", "填表人"):
        assert phrase in zh, phrase
    for phrase in ("Score900ormore(900included):Meetsthestandard", "Score850(included)to900(excluded)",
                   "Scorebelow850(850excluded):Doesnotmeetthestandard",
                   "V2Amajorsafetyaccidentendangeredstafforpupilsandtheschoolwasmainlyresponsible(X2is'Doesnotmeetthestandard')",
                   "Headofunit(signature)", "Filledinby"):
        assert phrase in en, phrase


@pytest.mark.parametrize("rubric_id", ["standardized-school", "civilized-unit"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_signature_never_stands_alone_on_the_last_page(rubric_id, lang):
    last = squeeze(page_texts(build_self_assessment(load_rubric(load_sample(rubric_id)), lang=lang).pdf)[-1])
    sign, veto = ("单位负责人（签字）", "V1") if lang == "zh" else ("Headofunit(signature)", "V1")
    assert sign in last and veto in last and last.index(veto) < last.index(sign)


def test_the_prorated_section_says_how(school_forms):
    zh, en = squeeze(pdf_text(school_forms["zh"])), squeeze(pdf_text(school_forms["en"]))
    assert "F教育教学质量（150分）完全中学：本部分得分按初中在校生÷(初中在校生+高中在校生)折算" in zh
    assert ("Completesecondaryschool:thissectionisproratedbyMiddle-schoolenrolment÷"
            "(Middle-schoolenrolment+High-schoolenrolment)") in en


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_bundled_font_is_embedded_and_pdfium_renders_every_page(school_forms, lang):
    pdf = school_forms[lang]
    fonts = pdf_fonts(pdf)
    assert fonts and all(fonts.values()), fonts
    assert all("WenQuanYiMicroHei" in name for name in fonts), fonts  # the bundled CJK font
    variances = page_variances(pdf)
    assert len(variances) >= 3 and all(v > 50 for v in variances), variances
    document = pdfium.PdfDocument(pdf)
    try:
        width, height = document[0].get_size()
        assert width > height  # landscape: the columns have room to write in
    finally:
        document.close()


@pytest.mark.parametrize("rubric_id", sample_ids())
def test_every_sample_prints_in_both_languages_with_every_glyph_in_the_font(rubric_id):
    rubric = load_rubric(load_sample(rubric_id))
    for lang in ("zh", "en"):
        pdf = build_self_assessment(rubric, lang=lang).pdf
        assert uncovered(pdf_text(pdf)) == set(), (rubric_id, lang)
        printed = points_by_code(pdf)
        for item in rubric.items.values():
            expected = "—" if item.maximum == 0 else format(item.maximum.normalize(), "f")
            assert printed.get(item.code) == expected, (rubric_id, lang, item.code)


@pytest.mark.parametrize("rubric_id", ["double-reduction-monthly", "standardized-school", "civilized-unit"])
def test_a_section_heading_never_ends_a_page_nor_a_subtotal_starts_one(rubric_id):
    rubric = load_rubric(load_sample(rubric_id))
    maxima = {code: r.maximum for code, r in score(rubric, {}).sections.items()}
    headings = {squeeze(f"{code}{sec.name.zh}（{format(maxima[code].normalize(), 'f')}分）")
                for code, sec in rubric.sections_by_code.items()}
    pages = page_rows(build_self_assessment(rubric, lang="zh").pdf)
    for n, rows in enumerate(pages, 1):
        content = [squeeze(text) for y, text in rows if y > MARGIN_BOTTOM - 1 * mm]
        assert content[-1] not in headings, (n, content[-1])
        if n > 1 and content[1].startswith("编号评估内容"):
            assert "小计" not in content[2], (n, content[2])


def test_long_items_wrap_and_paginate_with_the_header_on_every_page():
    doc = big_rubric(sections=3, items=12)
    long_text = "校园安全管理制度健全，" * 120  # about 1,300 characters: more than a page
    doc["sections"][1]["items"][3]["text"] = {"zh": long_text + "完。", "en": "long " * 400 + "end."}
    doc["sections"][1]["items"][3]["guidance"] = {"zh": "逐项查阅" * 60, "en": "check " * 100}
    rubric = load_rubric(doc)
    built = build_self_assessment(rubric, lang="zh")
    pages = page_texts(built.pdf)
    assert built.pages == len(pages) >= 4
    for n, text in enumerate(pages, 1):
        flat = squeeze(text)
        assert f"第{n}页共{len(pages)}页" in flat
        if n < len(pages):  # the last page may hold only the bands and the signature
            assert "编号评估内容分值评分标准评估方式自评得分说明" in flat, n
    # The long item is whole, its row split across pages: its content column, read page after
    # page, is the text, line after line.
    first = next(n for n, text in enumerate(pages) if "S1.3" in text)
    last = next(n for n, text in enumerate(pages) if "完。" in squeeze(text))
    assert last > first
    width = float(PdfReader(io.BytesIO(built.pdf)).pages[0].mediabox.width)
    content = "".join(text for page in cells(built.pdf) for x, _, text in page
                      if column_of(x, width) == 1 and text != "评估内容")  # less the repeated header
    assert squeeze(long_text + "完。") in squeeze(content)


def test_bonus_items_and_vetoes_of_the_civilized_unit_rubric():
    rubric = load_rubric(load_sample("civilized-unit"))
    zh = squeeze(pdf_text(build_self_assessment(rubric, lang="zh").pdf))
    for phrase in ("满分100分另设加分，最多5分", "加分项（最多5分，计入总分）", "J1", "J2", "每项2分，最高4分",
                   "加分小计（最多5分）", "总得分（含加分）", "按总分（含加分）评定：", "95分及以上（含95分）：文明单位标兵",
                   "V1科室卫生经抽查不合格累计达到3次（X1未达到目标）：一票否决，不论得分多少，等级为“不合格”",
                   "V2因保洁工作不到位受到市创建工作指挥部通报（X2评为“不达标”）"):
        assert phrase in zh, phrase
    en = squeeze(pdf_text(build_self_assessment(rubric, lang="en").pdf))
    for phrase in ("Bonusitems(atmost5points,addedtothetotal)", "2pointseach,atmost4points",
                   "Bonussubtotal(atmost5points)", "Totalwithbonus", "Bythetotalwithbonus:",
                   "thegradeis'Notqualified'whateverthescore(veto)"):
        assert phrase in en, phrase


def test_every_rule_is_worded_from_the_rubric():
    rubric = load_rubric(RULES_RUBRIC)
    zh = {code: squeeze(item_standard(item, rubric, "zh")) for code, item in rubric.items.items()}
    assert zh == {
        "A1": "在\ue0002–10\ue001分之间评分，以0.5分为单位否决项V2：A1得分低于\ue0003分\ue001即触发",
        "A2": "达标得\ue0005分\ue001，不达标不得分须附照片",
        "B1": "达标\ue0006分\ue001；未达标\ue0000分\ue001",
        "B2": "签约人数÷应签人数×100%\ue000≥98%\ue001得\ue00010分\ue001，未达到不得分否决项V1：B2未达到目标即触发",
        "B3": "每项\ue0002分\ue001，最高\ue0004分\ue001",
        "B4": "每缺一本台账，扣\ue0002分\ue001（最多3次）满分\ue0008分\ue001，扣完为止",
        "B5": "在\ue0000–4\ue001分之间评分仅当B1为“未达标”时评此项不适用时在说明栏注明，本项不计入应得分",
        "B6": "文字说明（不计分）",
    }
    plain = [line.replace("\ue000", "").replace("\ue001", "") for line in band_lines(rubric, "zh")]
    assert plain == ["得分率 90%及以上（含 90%）：优秀", "得分率 60%（不含）至 90%（不含）：合格",
                     "得分率 60%及以下（含 60%）：不合格"]
    english = [line.replace("\ue000", "").replace("\ue001", "") for line in band_lines(rubric, "en")]
    assert english[1] == "Percentage 60% (excluded) to 90% (excluded): Qualified"
    vetoes = [line.replace("\ue000", "").replace("\ue001", "") for line in veto_lines(rubric, "zh")]
    assert vetoes == ["V1 签约率未达标（B2 未达到目标）：等级最高为“合格”。",
                      "V2 场地严重不足（A1 得分低于 3 分）：一票否决，不论得分多少，等级为“不合格”。"]


def test_a_capped_section_says_its_cap_and_a_rubric_without_bands_or_vetoes_says_so():
    capped = squeeze(pdf_text(build_self_assessment(load_rubric(RULES_RUBRIC), lang="zh").pdf))
    assert "A条件（12分，各项合计超过时按12分计）" in capped and "A条件小计12" in capped
    plain = squeeze(pdf_text(build_self_assessment(load_rubric(SMALL_RUBRIC), lang="zh").pdf))
    assert "本细则不评定等级。" in plain and "本细则未设一票否决项。" in plain


def test_unknown_language_or_paper_is_refused(school):
    from app.errors import InvalidAnswer

    with pytest.raises(InvalidAnswer, match="language"):
        build_self_assessment(school, lang="fr")
    with pytest.raises(InvalidAnswer, match="paper"):
        build_self_assessment(school, paper="a3")
    assert build_self_assessment(school, paper="letter").pages >= 3


# --- the command -------------------------------------------------------------------------------


@pytest.fixture
def stored(tmp_path, capsys):
    """A data folder with the standardized-school rubric imported and an office name set."""
    data = tmp_path / "profile"
    sample = Path(__file__).resolve().parents[2] / "resources" / "rubrics" / "standardized-school.json"
    assert main(["rubric", "import", str(sample), "--data-dir", str(data)]) == 0
    assert main(["settings", "set", "office_name", "丹江口市人民政府教育督导室", "--data-dir", str(data)]) == 0
    capsys.readouterr()
    return data


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_command_prints_a_stored_rubric_by_id_or_hash(stored, tmp_path, capsys, school, lang):
    out = tmp_path / f"form-{lang}.pdf"
    assert main(["rubric", "print", "standardized-school", "--out", str(out), "--lang", lang,
                 "--data-dir", str(stored)]) == 0
    said = capsys.readouterr().out
    assert said.startswith(f"{out}: ") and "page(s)" in said and "standardized-school 2024.1" in said
    text = squeeze(pdf_text(out.read_bytes()))
    assert "丹江口市人民政府教育督导室" in text  # the office heads each page
    assert ("自评表" if lang == "zh" else "Self-assessmentform") in text
    by_hash = tmp_path / "by-hash.pdf"
    assert main(["rubric", "print", school.content_hash[:10], "--out", str(by_hash), "--data-dir", str(stored)]) == 0
    assert PdfReader(io.BytesIO(by_hash.read_bytes())).metadata.subject.endswith(school.content_hash[:12])


def test_the_command_prints_a_rubric_file(tmp_path, capsys):
    sample = Path(__file__).resolve().parents[2] / "resources" / "rubrics" / "civilized-unit.json"
    out = tmp_path / "cu.pdf"
    assert main(["rubric", "print", str(sample), "--out", str(out), "--paper", "letter"]) == 0
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    assert round(float(reader.pages[0].mediabox.width)) == 792  # Letter, landscape
    assert "civilized-unit 2011.1" in capsys.readouterr().out
    assert "文明单位考核验收评分细则" in squeeze(pdf_text(out.read_bytes()))


def test_the_command_prints_a_rubric_workbook(tmp_path, capsys):
    from app.rubric.xlsx import write_xlsx

    workbook = tmp_path / "civilized-unit.xlsx"
    write_xlsx(load_sample("civilized-unit"), workbook)
    out = tmp_path / "from-xlsx.pdf"
    assert main(["rubric", "print", str(workbook), "--out", str(out), "--lang", "en"]) == 0
    assert "civilized-unit 2011.1" in capsys.readouterr().out
    text = squeeze(pdf_text(out.read_bytes()))
    assert "Bonusitems(atmost5points,addedtothetotal)" in text and "J2" in text


def test_an_unknown_rubric_exits_1_saying_so_and_writes_nothing(stored, tmp_path, capsys):
    out = tmp_path / "form.pdf"
    assert main(["rubric", "print", "no-such-rubric", "--out", str(out), "--data-dir", str(stored)]) == 1
    err = capsys.readouterr().err.strip()
    assert err == "fieldmark: no stored rubric with id or hash 'no-such-rubric'; see `fieldmark rubric list`"
    assert not out.exists()
    assert main(["rubric", "print", str(tmp_path / "missing.json"), "--out", str(out)]) == 1
    assert "missing.json" in capsys.readouterr().err and not out.exists()


@pytest.mark.parametrize("where, reason", [
    ("missing/form.pdf", "the folder {tmp}/missing does not exist"),
    ("a-file.txt/form.pdf", "{tmp}/a-file.txt is a file, not a folder"),
    (".", "it is a folder"),
])
def test_an_output_that_cannot_take_the_file_exits_1_with_the_reason(stored, tmp_path, capsys, where, reason):
    (tmp_path / "a-file.txt").write_text("x")
    target = tmp_path / where
    code = main(["rubric", "print", "standardized-school", "--out", str(target), "--data-dir", str(stored)])
    err = capsys.readouterr().err.strip()
    assert code == 1
    assert err.startswith(f"fieldmark: cannot write {target}: ") and reason.format(tmp=tmp_path) in err
    assert not (tmp_path / "missing").exists()


def test_a_folder_that_refuses_the_file_says_permission_denied_and_leaves_nothing(stored, tmp_path, capsys,
                                                                                  monkeypatch):
    import app.reports.output as output

    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(output.tempfile, "mkstemp", refuse)
    out = tmp_path / "form.pdf"
    assert main(["rubric", "print", "standardized-school", "--out", str(out), "--data-dir", str(stored)]) == 1
    assert capsys.readouterr().err.strip() == f"fieldmark: cannot write {out}: permission denied"
    assert list(tmp_path.iterdir()) == [stored]


def test_write_refuses_before_laying_out(school, tmp_path, monkeypatch):
    import app.reports.self_assessment as form

    def never(*args, **kwargs):
        raise AssertionError("laid out although the target was refused")

    monkeypatch.setattr(form, "build_self_assessment", never)
    with pytest.raises(OutputError, match="does not exist"):
        write_self_assessment(school, tmp_path / "missing" / "form.pdf")


def test_screenshots_of_the_first_page(school_forms, tmp_path):
    """Page 1 in both languages as PNG: saved to docs/screenshots when SCREENSHOTS is set (``make
    screenshots``), else to a temporary folder."""
    folder = SHOTS if os.environ.get("SCREENSHOTS") else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    for lang, pdf in school_forms.items():
        document = pdfium.PdfDocument(pdf)
        try:
            image = document[0].render(scale=110 / 72).to_pil()
        finally:
            document.close()
        path = folder / f"self-assessment-{lang}.png"
        image.save(path, optimize=True)
        assert path.stat().st_size > 20_000 and image.width > image.height


def test_points_of_the_form_add_up_like_the_scorer(school):
    """The 分值 printed for a section is what the scorer counts as its maximum."""
    empty = score(school, {})
    assert empty.nominal_maximum == Decimal(1000) == sum(
        (empty.sections[s.code].maximum for s in school.sections), Decimal(0))
