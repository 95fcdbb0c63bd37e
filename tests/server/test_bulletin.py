"""The campaign bulletin (通报, server.dashboard.bulletin) and the exports' rows: what they print is what the figures
say, read back from the PDF's text (pypdf), in both languages, within an account's scope; on
SQLite and PostgreSQL (the ``server`` fixture)."""

from __future__ import annotations

import io
import re
from decimal import Decimal

from pypdf import PdfReader

from server.dashboard import figures
from server.dashboard.bulletin import bulletin_data, render_bulletin
from server.errors import NotFound
from server.office import set_settings
from server.store.blobs.files import FileBlobStore
from tests.server.conftest import COUNTY
from tests.server.test_dashboard_figures import TODAY, office, ranking_campaign

__all__ = ["office"]


def text_of(pdf: bytes) -> str:
    """The PDF's text, with the line breaks the layout put inside sentences taken out."""
    pages = PdfReader(io.BytesIO(pdf)).pages
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in pages))


def test_the_bulletin_prints_the_campaigns_figures(office):
    campaign = ranking_campaign(office)
    first = office.visit("DJK001", None)
    office.finding(first, "DJK001", deadline="2026-10-01", events=(("open", "2026-09-10T10:00", first),))
    data = bulletin_data(office.conn, office.scope(), campaign, lang="zh", today=TODAY)
    pdf, pages = render_bulletin(data)
    text = text_of(pdf)
    assert pages >= 1 and pdf.startswith(b"%PDF")
    assert "关于2026学风检查情况的通报" in text
    # No office named yet: the bulletin says "本室", and no 落款 line names one.
    assert "本室组织开展了2026学风检查" in text
    [average] = figures.average_scores(office.conn, office.scope(), campaign)
    assert f"参评单位{average.units}个，平均分{average.average_total:,.2f}" in text
    ranked = figures.unit_ranking(office.conn, office.scope(), rubric_id="study-habits", campaign_id=campaign)
    red = [u.unit_name for u in ranked if u.flag == "red"]
    yellow = [u.unit_name for u in ranked if u.flag == "yellow"]
    assert len(red) == 2 and len(yellow) == 2
    assert f"红旗单位（前两名）：{red[0]}（9.5分）、{red[1]}（9分）。" in text
    assert f"黄旗单位（后两名）：{yellow[0]}（6.5分）、{yellow[1]}（5.5分）。" in text
    coverage = figures.campaign_coverage(office.conn, office.scope(), campaign)
    assigned = sum(c.assigned for c in coverage)
    finalized = sum(c.finalized for c in coverage)
    assert f"本次督导计划{assigned}个单位" in text and f"已定稿{finalized}个" in text
    # This campaign plans no spot checks.
    assert "本次督导未安排抽查。" in text
    # The finding was made on a visit outside the campaign: none of the campaign's.
    assert "本次督导未发现问题。" in text


def test_the_spot_check_shortfall_and_the_overdue_rectifications(office):
    routine = office.assign("2026常规督导", ["DJK001", "DJK002", "DJK003", "DJK004", "YX013", "YX014"])
    for code, assignment in routine.items():
        office.visit(code, "8", "2026-09-15", assignment=assignment)
    spot = office.assign("2026抽查", ["DJK001", "YX013"], visit_type="spot_check", team="抽查组")
    sampled = office.visit("DJK001", "7", "2026-10-20", visit_type="spot_check", assignment=spot["DJK001"])
    office.visit("YX013", "9", "2026-10-21", visit_type="spot_check", assignment=spot["YX013"])
    late = office.finding(sampled, "DJK001", deadline="2026-11-01", events=(("open", "2026-10-20T10:00", sampled),))
    office.finding(sampled, "DJK001", deadline="2026-11-01", events=(
        ("open", "2026-10-20T10:00", sampled), ("closed", "2026-10-30T10:00", None)))
    campaign = office.campaign_id(spot["DJK001"])
    data = bulletin_data(office.conn, office.scope(), campaign, lang="zh", today=TODAY)
    text = text_of(render_bulletin(data)[0])
    shares = {s.county_name: s for s in figures.spot_check_share(office.conn, office.scope(), campaign)}
    # 丹江口市: 1 of 4 checked units sampled (25%: one more needed); 郧西县: 1 of 2 (50%).
    assert shares["丹江口市"].shortfall and not shares["郧西县"].shortfall
    assert "抽查比例不足30%的：丹江口市。" in text
    assert "丹江口市4" in text and "25.0%不足，尚差1个" in text and "50.0%达到" in text
    found = figures.open_findings(office.conn, office.scope(), today=TODAY, campaign_id=campaign, include_closed=True)
    assert [f.finding_id for f in found if f.overdue] == [late]
    assert "共发现问题2个，尚未销号1个，其中逾期未整改1个，需升级督办0个。" in text
    assert "消防通道堆放杂物" in text and "2026年11月1日" in text


def test_the_english_bulletin_and_the_issuing_office(office, tmp_path):
    campaign = ranking_campaign(office)
    set_settings(office.conn, FileBlobStore(tmp_path), name_zh="十堰市教育督导室", name_en="Shiyan Education Supervision Office")
    zh = text_of(render_bulletin(bulletin_data(office.conn, office.scope(), campaign, lang="zh", today=TODAY))[0])
    assert "十堰市教育督导室组织开展了" in zh and "本次督导未发现问题。十堰市教育督导室2026年11月27日" in zh
    en = render_bulletin(bulletin_data(office.conn, office.scope(), campaign, lang="en", today=TODAY))[0]
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(en)).pages)
    assert "Bulletin on 2026学风检查" in text and "Shiyan Education Supervision Office" in text
    assert "Red flag (top two):" in text and "Yellow flag (bottom two):" in text
    assert "The campaign plans no spot checks." in text


def test_a_county_account_sees_its_own_units_only(office):
    campaign = ranking_campaign(office)
    data = bulletin_data(office.conn, office.scope(COUNTY), campaign, lang="zh", today=TODAY)
    text = text_of(render_bulletin(data)[0])
    assert [c.county_code for c in data.coverage] == [COUNTY]
    theirs = [u for code, u in office.units.items() if code.startswith("YX")]
    assert not any(u.name in text for u in theirs) and "郧西县" not in text
    ours = [u.unit_name for u in data.results[0].ranking]
    assert ours and all(name in text for name in ours)
    # Its bottom two are named from its own ranking, not the whole campaign's.
    assert data.results[0].ranking[-1].flag == "yellow" and data.results[0].ranking[-1].county_name == "丹江口市"
    # A campaign of the other county only is not found, as if it did not exist.
    theirs_only = office.assign("2026郧西专项", ["YX013"])
    try:
        bulletin_data(office.conn, office.scope(COUNTY), office.campaign_id(theirs_only["YX013"]), lang="zh",
                      today=TODAY)
    except NotFound:
        pass
    else:
        raise AssertionError("a campaign outside the scope was printed")


def test_a_campaign_without_results_and_a_logo_that_cannot_be_drawn(office):
    plan = office.assign("2026未开始", ["DJK001"])
    data = bulletin_data(office.conn, office.scope(), office.campaign_id(plan["DJK001"]), lang="zh", today=TODAY)
    pdf, pages = render_bulletin(data, logo=b"not an image")
    text = text_of(pdf)
    assert pages == 1
    assert "本次督导计划1个单位，已督导0个，已定稿0个，定稿率0.0%。" in text
    assert text.count("尚无定稿的督导结果。") == 2 and "本次督导未发现问题。" in text


def test_the_offices_logo_heads_every_page(office):
    from PIL import Image

    campaign = ranking_campaign(office)
    logo = io.BytesIO()
    Image.new("RGB", (120, 40), (200, 30, 30)).save(logo, format="PNG")
    data = bulletin_data(office.conn, office.scope(), campaign, lang="zh", today=TODAY)
    pdf, pages = render_bulletin(data, logo.getvalue())
    images = [name for page in PdfReader(io.BytesIO(pdf)).pages
              for name in (page["/Resources"].get("/XObject") or {})]
    assert len(images) == pages


def test_the_exports_rows_are_the_figures_rows_on_either_store(office):
    """The exports read the same figures as the bulletin, on SQLite and PostgreSQL alike."""
    from server.dashboard.exports import export_rows

    campaign = ranking_campaign(office)
    visits = list(export_rows(office.conn, office.scope(), campaign, "visits", lang="zh", today=TODAY))
    results = figures.campaign_results(office.conn, office.scope(), campaign)
    assert [(r[0], r[7]) for r in visits] == [(r.unit_code, Decimal(r.total)) for r in results]
    counted = {r[0]: r[7] for r in visits if r[12] == "是"}
    ranked = figures.unit_ranking(office.conn, office.scope(), rubric_id="study-habits", campaign_id=campaign)
    assert counted == {u.unit_code: Decimal(u.total) for u in ranked}
    items = list(export_rows(office.conn, office.scope(), campaign, "items", lang="en", today=TODAY))
    assert len(items) == len(figures.campaign_item_scores(office.conn, office.scope(), campaign))
    assert all(row[7] for row in items) and {row[10] for row in items} <= {"yes", "no"}
    mine = list(export_rows(office.conn, office.scope(COUNTY), campaign, "visits", lang="zh", today=TODAY))
    assert mine and {r[2] for r in mine} == {"丹江口市"}
