"""The exported rubric workbook printed: its page set-up, and the standardized-school rubric
opened in LibreOffice Calc, printed to PDF and saved again as .xlsx.

LibreOffice runs twice per test session (module fixture): once to print, once to re-save. Without
``soffice`` the LibreOffice tests skip, saying how to install it, except where
FIELDMARK_REQUIRE_TOOLS is set (.ci/run sets it and installs libreoffice-calc-nogui): there a
missing tool is a failure, never a silent skip.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pypdfium2
import pytest
from pypdf import PdfReader

from app.rubric import load_rubric
from app.rubric.validate import build_rubric
from app.rubric.xlsx import read_json, read_xlsx_located, write_xlsx
from app.rubric.xlsx_columns import ITEM_COLUMNS, PRINTED_ITEM_COLUMNS
from tests.system_tools import require_tool

ROOT = Path(__file__).resolve().parents[2]
STANDARDIZED = ROOT / "resources" / "rubrics" / "standardized-school.json"
FONTS = ROOT / "resources" / "fonts"
PRINTED = ITEM_COLUMNS[:PRINTED_ITEM_COLUMNS]
# The standardized-school items sheet is 58 items under 14 section headings, 72 rows. Printed
# landscape at the page width, a page holds well over ten such rows even when each wraps to
# three or four lines, so eight pages is the most a table one hands to a school may take (before
# the print set-up it came out as 31 pages, its columns split across them). With the rule in words
# in one 评分标准 column instead of the levels and deductions columns it prints as 4.
MAX_ITEM_PAGES = 8


def _soffice() -> str:
    return require_tool("soffice", "libreoffice", package="libreoffice-calc-nogui")


def _convert(soffice: str, book: Path, fmt: str, folder: Path, work: Path) -> Path:
    """``book`` converted by LibreOffice headless into ``folder``; the bundled CJK font is
    offered through fontconfig, as the machine may have none."""
    conf = work / "fonts.conf"
    if not conf.exists():
        conf.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
                        '<fontconfig>\n  <include ignore_missing="yes">/etc/fonts/fonts.conf'
                        f"</include>\n  <dir>{FONTS}</dir>\n  <cachedir>{work / 'font-cache'}"
                        "</cachedir>\n</fontconfig>\n", encoding="utf-8")
    env = {**os.environ, "FONTCONFIG_FILE": str(conf), "HOME": str(work)}
    # A profile of its own: a desktop LibreOffice or a parallel run must not share one.
    profile = (work / "lo-profile").as_uri()
    result = subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore",
         "--convert-to", fmt, "--outdir", str(folder), str(book)],
        capture_output=True, text=True, timeout=180, env=env)
    out = folder / f"{book.stem}.{fmt}"
    assert result.returncode == 0 and out.is_file(), (result.stdout, result.stderr)
    return out


@dataclass(frozen=True)
class Printed:
    book: Path
    pdf: Path
    resaved: Path


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> Printed:
    soffice = _soffice()
    work = tmp_path_factory.mktemp("libreoffice")
    book = work / "standardized-school.xlsx"
    write_xlsx(read_json(STANDARDIZED), book)
    pdf = _convert(soffice, book, "pdf", work / "pdf", work)
    resaved = _convert(soffice, book, "xlsx", work / "resaved", work)
    return Printed(book, pdf, resaved)


def _item_pages(pdf: Path) -> list[str]:
    """The text of the pages that print the items sheet (those under its header row)."""
    pages = [page.extract_text() for page in PdfReader(pdf).pages]
    return [text for text in pages if "评估内容" in text and "text_zh" in text]


def test_the_items_sheet_prints_on_a_few_landscape_pages_with_every_column(printed: Printed) -> None:
    pages = _item_pages(printed.pdf)
    assert 1 <= len(pages) <= MAX_ITEM_PAGES, len(pages)
    for number, text in enumerate(pages, start=1):
        for column in PRINTED:  # the header row is repeated whole on every page
            assert column.zh in text and column.name in text, (number, column.name)
        for column in ITEM_COLUMNS[PRINTED_ITEM_COLUMNS:]:  # outside the print area
            assert f"{column.name}\n" not in text and not text.endswith(column.name), column.name
    everything = "\n".join(pages)
    doc = read_json(STANDARDIZED)
    codes = [item["code"] for section in doc["sections"] for sub in [section, *section.get(
        "sections", [])] for item in sub.get("items", [])]
    assert len(codes) == 58 and all(code in everything for code in codes)
    # The rule prints in words, as the self-assessment form says it, never in the machine syntax
    # of the levels and deductions columns (``met:达标:Meets the standard:25;``).
    assert "达标 25 分；基本达标 15 分；未达标 0 分" in everything  # A2.2, a level item
    assert "每缺一类功能教室，扣 5 分（最多 5 次）\n满分 25 分，扣完为止" in everything  # A2.3
    assert "met:" not in everything and "A2.3-a" not in everything
    box = PdfReader(printed.pdf).pages[0].mediabox
    assert float(box.width) > float(box.height)  # landscape
    assert round(float(box.width) / 72 * 25.4) == 297  # A4


def test_the_help_sheet_prints_every_line_whole_on_the_page(printed: Printed) -> None:
    from app.rubric.xlsx_write import HELP_LINES

    title = "".join(HELP_LINES[0][0].split())
    reader = PdfReader(printed.pdf)
    found = [(n, "".join(page.extract_text().split())) for n, page in enumerate(reader.pages)]
    [(number, text)] = [(n, text) for n, text in found if title in text]
    page = reader.pages[number]
    assert float(page.mediabox.width) < float(page.mediabox.height)  # portrait
    for line, _bold in HELP_LINES:
        assert "".join(line.split()) in text, line
    # Wrapped within the page, not cut at its edges: the margins hold no ink (a line running off
    # the page is drawn up to the paper's edge).
    image = pypdfium2.PdfDocument(printed.pdf)[number].render(scale=1).to_pil().convert("L")
    width, height = image.size
    for x in (*range(0, 12), *range(width - 12, width)):
        assert min(image.getpixel((x, y)) for y in range(height)) > 200, x


def test_resaved_by_libreoffice_the_workbook_imports_to_the_same_content_hash(printed: Printed) -> None:
    expected = load_rubric(read_json(STANDARDIZED)).content_hash
    doc, locator = read_xlsx_located(printed.resaved)
    assert build_rubric(doc).content_hash == expected
    assert locator.notes == []  # the 评分标准 words come back as written: nothing to say


# --------------------------------------------------------------------------- page set-up


def test_the_items_sheet_is_set_up_to_print_as_a_table(tmp_path: Path) -> None:
    book = tmp_path / "s.xlsx"
    write_xlsx(read_json(STANDARDIZED), book)
    ws = openpyxl.load_workbook(book)["items"]
    setup = ws.page_setup
    assert (setup.orientation, int(setup.paperSize)) == ("landscape", int(ws.PAPERSIZE_A4))
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (setup.fitToWidth, setup.fitToHeight) == (1, 0)
    assert ws.print_title_rows == "$1:$1"
    assert ws.print_area == "'items'!$A$1:$G$1048576"  # to the end: rows added later print
    assert ws.freeze_panes == "C2"
    assert "义务教育标准化学校评估验收评分细则" in ws.oddHeader.center.text
    assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
    headings = [row for row in ws.iter_rows(min_row=2) if row[1].value is None]
    assert [row[0].value for row in headings[:3]] == ["A", "A1", "A2"]
    assert headings[0][2].value == "校园校舍"
    for row in headings:
        assert all(cell.font.b and cell.fill.fgColor.rgb.endswith(("C9D6EE", "E4EBF6"))
                   for cell in row[:PRINTED_ITEM_COLUMNS])
    first = next(row for row in ws.iter_rows(min_row=2) if row[1].value == "A1.1")
    text = first[2]
    assert text.value.startswith("学校布局合理") and text.alignment.wrap_text
    # A row whose text wraps is as tall as its lines.
    assert ws.row_dimensions[text.row].height >= 2 * 14.5
    widths = [ws.column_dimensions[openpyxl.utils.get_column_letter(i)].width
              for i in range(1, PRINTED_ITEM_COLUMNS + 1)]
    assert widths == [c.width for c in PRINTED]
