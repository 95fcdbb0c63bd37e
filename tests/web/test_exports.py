"""A campaign's exports (CSV, XLSX) and bulletin (PDF), downloaded through the exports page in a
real browser from data a real laptop pushed: the files open (csv module, openpyxl, pypdf) and say
what the figures say, in Chinese first, within the account's scope; a file the server cannot
write is said in words and leaves nothing behind."""

from __future__ import annotations

import json
import shutil
import tempfile
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import delete, insert

from server.dashboard import figures
from server.dashboard.exports import ITEMS, TABLES, csv_chunks, write_xlsx
from server.store.database import reading
from server.store.schema import sync_rows, units
from server.web.dashboard_demo import (
    B_CAMPAIGN,
    B_ONLY_UNIT,
    CAMPAIGN,
    SCORES,
    SCRIPT_NAME,
    SPOT_CAMPAIGN,
)
from tests.web.conftest import ADMIN_PASSWORD, log_in, web_client
from tests.web.dashboard_support import dash
from tests.web.exports_support import download, pdf_text, read_csv, read_xlsx

__all__ = ["dash"]
LOCALES = {"zh": "zh-CN", "en": "en-US"}
B_UNITS = ("YX013", "YX014", "YX015", "YX016", B_ONLY_UNIT)


def test_the_exports_page_lists_each_download_of_the_chosen_campaign(dash, new_page):
    page = log_in(new_page("zh-CN"), dash.site, "admin", ADMIN_PASSWORD, next="/")
    page.click("nav a[href='/exports']")
    page.wait_for_url("**/exports")
    assert page.locator("h1").inner_text() == "导出"
    page.select_option("#e-campaign", label=CAMPAIGN)
    page.click("#exports-campaign button[type=submit]")
    page.wait_for_url(f"**/exports?campaign={dash.seeded.campaign_id}")
    assert page.locator("#campaign-h").inner_text() == CAMPAIGN
    links = page.eval_on_selector_all("#downloads a.download", "as => as.map(a => a.getAttribute('href'))")
    campaign = dash.seeded.campaign_id
    assert links == [f"/exports/{campaign}/{name}.{fmt}" for name in TABLES for fmt in ("csv", "xlsx")] + \
        [f"/campaigns/{campaign}/bulletin.pdf?lang=zh", f"/campaigns/{campaign}/bulletin.pdf?lang=en"]
    assert "带 BOM 的 UTF-8" in page.locator("#exports-notes").inner_text()
    assert page.locator(f"a[href='/campaigns/{campaign}']").count() == 1


def test_each_export_downloads_in_the_browser_and_says_what_the_figures_say(dash, new_page, tmp_path):
    page = log_in(new_page("zh-CN"), dash.site, "admin", ADMIN_PASSWORD,
                  next=f"/exports?campaign={dash.seeded.campaign_id}")
    files = {}
    for name in TABLES:
        for fmt in ("csv", "xlsx"):
            suggested, data = download(page, f"tr[data-export={name}] a[data-format={fmt}]", tmp_path)
            assert suggested.startswith(CAMPAIGN) and suggested.endswith(f".{fmt}")
            files[name, fmt] = read_csv(data) if fmt == "csv" else read_xlsx(data)
    campaign = dash.seeded.campaign_id
    with reading(dash.site.engine) as conn:
        results = figures.campaign_results(conn, "/", campaign)
        items = figures.campaign_item_scores(conn, "/", campaign)
        found = figures.open_findings(conn, "/", today=date.today(), campaign_id=campaign, include_closed=True)
    for fmt in ("csv", "xlsx"):
        visits = files["visits", fmt]
        assert visits.header[:3] == ["单位代码 Unit code", "单位名称 Unit", "所属县区 County"]
        assert visits.column("单位代码") == [r.unit_code for r in results]
        # Eight finalized visits; DJK006 not visited and YX016 not finalized are not in it.
        assert sorted(visits.column("单位代码")) == sorted(SCORES)
        totals = [Decimal(str(v)) for v in visits.column("实得分")]
        assert totals == [Decimal(r.total) for r in results]
        assert set(visits.column("状态")) == {"已定稿"} and set(visits.column("哈希核验")) == {"一致"}
        assert set(visits.column("督导类型")) == {"常规督导"}
        # Text stays text: the unit named with markup is written as it was typed.
        assert SCRIPT_NAME in visits.column("单位名称")
        scores = files["items", fmt]
        assert len(scores.rows) == len(items) and scores.header == [c.header for c in ITEMS.columns]
        assert {str(v) for v in scores.column("指标代码")} == {i.item_code for i in items}
        assert all(text for text in scores.column("指标内容"))
        assert sum(Decimal(str(v)) for v in scores.column("实得分")) == sum(Decimal(i.awarded) for i in items)
        findings = files["findings", fmt]
        assert findings.column("问题编号") == [f.finding_id for f in found] and len(found) == 2
        assert findings.column("逾期") == ["是" if f.overdue else "否" for f in found] == ["是", "否"]
        assert findings.column("严重程度") == ["一般", "重大"]
    # Numbers are numbers in the workbook, and its header row is frozen, filtered and wide enough.
    assert all(isinstance(v, (int, float)) for v in files["visits", "xlsx"].column("实得分"))
    suggested, data = download(page, "tr[data-export=visits] a[data-format=xlsx]", tmp_path)
    ws = load_workbook(tmp_path / suggested).worksheets[0]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:Q{len(results) + 1}"
    assert ws.column_dimensions["B"].width >= 30 and ws.title == "督导记录"
    # The bulletin, as the browser's session fetches it from the page's link.
    answer = page.request.get(dash.site.url + page.get_attribute("a[data-format=pdf][data-lang=zh]", "href"))
    assert answer.status == 200 and answer.headers["content-type"] == "application/pdf"
    text = pdf_text(answer.body())
    assert f"关于{CAMPAIGN}情况的通报" in text and "红旗单位（前两名）" in text


def test_the_english_exports_label_their_values_in_english(dash):
    client = web_client(dash.site, "admin", ADMIN_PASSWORD).client
    answer = client.get(f"/exports/{dash.seeded.campaign_id}/findings.csv?lang=en")
    assert answer.status_code == 200 and answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert "filename*=UTF-8''" in answer.headers["content-disposition"]
    sheet = read_csv(answer.content)
    assert sheet.column("严重程度") == ["General", "Major"] and sheet.column("逾期") == ["yes", "no"]
    assert client.get(f"/exports/{dash.seeded.campaign_id}/visits.csv?lang=fr").status_code == 400
    assert "zh 或 en" in client.get(f"/exports/{dash.seeded.campaign_id}/visits.csv?lang=fr").text
    assert client.get(f"/exports/{dash.seeded.campaign_id}/units.csv").status_code == 404
    assert client.get(f"/exports/{dash.seeded.campaign_id}/visits.pdf").status_code == 404
    assert client.get("/exports/no-such-campaign/visits.csv").status_code == 404


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_county_a_downloads_nothing_of_county_b(dash, fmt):
    a = web_client(dash.site, *dash.county_a).client
    campaign = dash.seeded.campaign_id
    with dash.site.engine.connect() as conn:
        names = {r.code: r.name for r in conn.execute(units.select())}
    admin = web_client(dash.site, "admin", ADMIN_PASSWORD).client
    with county_b_finding(dash):
        # The whole tree's export holds county B's finding; county A's does not.
        assert B_FINDING in admin.get(f"/exports/{campaign}/findings.csv").text
        check_county_a(dash, a, campaign, names, fmt)
        assert B_FINDING not in pdf_text(a.get(f"/campaigns/{campaign}/bulletin.pdf").content)


def check_county_a(dash, a, campaign: str, names: dict[str, str], fmt: str) -> None:
    for name in TABLES:
        answer = a.get(f"/exports/{campaign}/{name}.{fmt}")
        assert answer.status_code == 200, answer.text
        sheet = read_csv(answer.content) if fmt == "csv" else read_xlsx(answer.content)
        assert sheet.rows, name
        flat = " ".join(str(v) for r in sheet.rows for v in r.values())
        assert not any(code in flat or names[code] in flat for code in B_UNITS), name
        assert "郧西县" not in flat
    visits = read_csv(a.get(f"/exports/{campaign}/visits.csv").content) if fmt == "csv" else \
        read_xlsx(a.get(f"/exports/{campaign}/visits.xlsx").content)
    assert set(visits.column("所属县区")) == {"丹江口市"}
    # County B's own campaign, its exports and its bulletin are not found for county A.
    b_campaign = dash.seeded.b_campaign_id
    assert a.get(f"/exports/{b_campaign}/visits.{fmt}").status_code == 404
    assert a.get(f"/campaigns/{b_campaign}/bulletin.pdf").status_code == 404
    assert a.get(f"/exports?campaign={b_campaign}").status_code == 404
    assert B_CAMPAIGN not in a.get("/exports").text


B_FINDING = "郧西县城关中心小学：消防通道堆放杂物（县外问题）"


@contextmanager
def county_b_finding(dash):
    """An overdue finding on county B's visit of the campaign, as a push stores it; removed after."""
    with dash.site.engine.begin() as conn:
        visit = next(r for r in figures.campaign_results(conn, "/", dash.seeded.campaign_id) if r.unit_code == "YX013")
        values = {"id": "b-finding", "visit_id": visit.visit_id, "unit_id": visit.unit_id, "description": B_FINDING,
                  "requirement": "清理", "deadline": "2026-10-01", "responsible": "校长", "severity": "major"}
        conn.execute(insert(sync_rows).values(table_name="findings", key="b-finding", rev="9" * 16, device_id="dev",
                                              deleted=False, row_values=json.dumps(values, ensure_ascii=False),
                                              visit_id=visit.visit_id, unit_id=visit.unit_id, server_seq=999_999))
    try:
        yield
    finally:
        with dash.site.engine.begin() as conn:
            conn.execute(delete(sync_rows).where(sync_rows.c.key == "b-finding"))


def test_county_a_bulletin_names_its_own_units_only(dash):
    a = web_client(dash.site, *dash.county_a).client
    answer = a.get(f"/campaigns/{dash.seeded.campaign_id}/bulletin.pdf")
    assert answer.status_code == 200
    text = pdf_text(answer.content)
    assert "丹江口市" in text and "郧西县" not in text
    with dash.site.engine.connect() as conn:
        theirs = [r.name for r in conn.execute(units.select()) if r.code in B_UNITS]
    assert not any(name in text for name in theirs)
    spot = pdf_text(a.get(f"/campaigns/{dash.seeded.spot_campaign_id}/bulletin.pdf").content)
    assert f"关于{SPOT_CAMPAIGN}情况的通报" in spot and "抽查比例不足30%的：丹江口市。" in spot


def test_a_workbook_the_server_cannot_write_is_said_in_words_and_leaves_nothing(dash):
    client = web_client(dash.site, "admin", ADMIN_PASSWORD).client
    folder = Path(str(dash.site.engine.url.database)).parent / "exports"
    if folder.is_dir():
        shutil.rmtree(folder)
    # A file where the workbooks' folder should be: the server cannot make the workbook there.
    folder.write_text("not a folder")
    try:
        answer = client.get(f"/exports/{dash.seeded.campaign_id}/visits.xlsx")
        assert answer.status_code == 503
        assert "服务器暂时无法生成该文件" in answer.text and answer.headers["content-type"].startswith("text/html")
    finally:
        folder.unlink()
    answer = client.get(f"/exports/{dash.seeded.campaign_id}/visits.xlsx")
    assert answer.status_code == 200 and read_xlsx(answer.content).rows
    # Sent and removed: no workbook stays in the folder.
    assert list(folder.iterdir()) == []


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    table = TABLES["findings"]
    row = ["DJK001", "=HYPERLINK(\"http://evil\")", "丹江口市", "+1 地面有垃圾", "-整改", "一般", "2026-10-20",
           "@班主任", "待整改", "是", 0, "否", "v", "f"]
    data = b"".join(csv_chunks([row], table))
    sheet = read_csv(data)
    assert sheet.rows[0]["单位名称 Unit"] == "'=HYPERLINK(\"http://evil\")"
    assert sheet.rows[0]["问题描述 Description"] == "'+1 地面有垃圾"
    assert sheet.rows[0]["复查次数 Follow-ups"] == "0"
    path = tmp_path / "findings.xlsx"
    assert write_xlsx([row], table, path, sheet="整改问题") == 1
    ws = load_workbook(path).worksheets[0]
    assert ws["B2"].data_type == "s" and ws["B2"].value == "=HYPERLINK(\"http://evil\")"
    assert ws["K2"].value == 0


def test_a_workbook_that_cannot_be_saved_raises_the_reason(tmp_path):
    from server.dashboard.exports import ExportFailed

    target = tmp_path / "missing-folder" / "visits.xlsx"
    before = set(Path(tempfile.gettempdir()).glob("openpyxl.*"))
    with pytest.raises(ExportFailed, match="cannot write the workbook visits.xlsx"):
        write_xlsx([["DJK001"] * 17], TABLES["visits"], target, sheet="督导记录")
    assert not target.exists()
    # The sheet's own temporary file went with it.
    assert set(Path(tempfile.gettempdir()).glob("openpyxl.*")) <= before



def test_a_large_csv_is_sent_in_pieces_as_its_rows_are_read():
    table = TABLES["items"]
    sent = []

    def rows():
        for n in range(1000):
            # Each row is read only once the pieces before it have gone.
            sent.append(n)
            yield [f"v{n}", "DJK001", "单位", "2026-10-10", "细则", "A 出勤", "A1", "出勤", Decimal("4.5"), Decimal(5), "否"]

    pieces = csv_chunks(rows(), table)
    first = next(pieces)
    assert first.startswith("\ufeff".encode()) and "单位代码 Unit code".encode() in first
    assert len(sent) < 1000
    rest = list(pieces)
    assert len(rest) >= 4 and len(read_csv(first + b"".join(rest)).rows) == 1000
