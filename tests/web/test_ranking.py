"""The unit ranking in a real browser on data pushed by a real laptop: its rows are the ranking
query's, the top two carry a red flag and the bottom two a yellow one, the columns sort on the
server (by links, so without JavaScript), the filters and pages work, a county's account never
sees another county, and a unit's name is shown as text, never run."""

from __future__ import annotations

import pytest

from server.areas import area_by_code
from server.dashboard import figures
from server.store.database import reading
from tests.web.conftest import ADMIN_PASSWORD, log_in
from tests.web.dashboard_support import (
    COUNTY_A,
    COUNTY_B,
    SCRIPT_NAME,
    SCRIPT_UNIT,
    dash,
    rows,
)

__all__ = ["dash"]
LOCALES = {"zh": "zh-CN", "en": "en-US"}
WORDS = {
    "zh": {"red": "红旗", "yellow": "黄旗", "unit": "单位", "score": "得分", "legend": "排名前两位",
           "bad_sort": "不能按此列排序", "not_found": "不在您的范围内"},
    "en": {"red": "Red flag", "yellow": "Yellow flag", "unit": "Unit", "score": "Score", "legend": "the top two",
           "bad_sort": "cannot be sorted by that column", "not_found": "outside your scope"},
}


def expected(dash, scope: str = "/", **filters) -> list[tuple[str, str, str, str]]:
    with reading(dash.site.engine) as conn:
        ranked = figures.unit_ranking(conn, scope, rubric_id="study-habits", **filters)
    return [(str(u.rank), u.unit_code, u.total, u.flag or "") for u in ranked]


def shown(page, lang: str) -> list[tuple[str, str, str, str]]:
    flag = {WORDS[lang]["red"]: "red", WORDS[lang]["yellow"]: "yellow", "": ""}
    return [(r["rank"], r["unit"], r["total"], flag[r["flag"].replace("⚑", "").strip()]) for r in rows(page, "#ranking")]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_ranking_is_the_querys_with_red_and_yellow_flags(dash, new_page, lang):
    campaign = dash.seeded.campaign_id
    page = log_in(new_page(LOCALES[lang]), dash.site, "admin", ADMIN_PASSWORD, next=f"/ranking?campaign={campaign}")
    want = expected(dash, campaign_id=campaign)
    assert shown(page, lang) == want
    assert want == [("1", "DJK001", "9.5", "red"), ("2", "DJK002", "9", "red"), ("3", "DJK003", "8.5", ""),
                    ("4", "YX013", "8", ""), ("5", "DJK004", "7", ""), ("6", "DJK005", "6", ""),
                    ("7", "YX014", "5.5", "yellow"), ("8", "YX015", "5", "yellow")]
    # The flags are said in words (not only in colour) and explained in the legend.
    assert page.locator("tr.flagged-red").count() == 2 and page.locator("tr.flagged-yellow").count() == 2
    assert WORDS[lang]["legend"] in page.locator("#flag-legend").inner_text()
    # Each unit links to its page, each date to the visit's page.
    link = page.locator("tr[data-unit=DJK001] [data-figure=name] a")
    assert link.get_attribute("href") == f"/units/{dash.seeded.unit_ids['DJK001']}"
    assert page.locator("tr[data-unit=DJK001] [data-figure=visit_date] a").get_attribute("href").startswith("/visits/")


def test_columns_sort_on_the_server_both_ways(dash, page):
    campaign = dash.seeded.campaign_id
    log_in(page, dash.site, "admin", ADMIN_PASSWORD, next=f"/ranking?campaign={campaign}")
    page.click("th[data-column=unit] a")
    page.wait_for_url("**sort=unit**")
    assert page.locator("th[data-column=unit]").get_attribute("aria-sort") == "ascending"
    assert shown(page, "zh") == expected(dash, campaign_id=campaign, sort="unit")
    page.click("th[data-column=unit] a")
    page.wait_for_url("**dir=desc**")
    assert page.locator("th[data-column=unit]").get_attribute("aria-sort") == "descending"
    assert shown(page, "zh") == expected(dash, campaign_id=campaign, sort="unit", reverse=True)
    # Another column starts in its own order: the best total first; the flags stay with their units.
    page.click("th[data-column=total] a")
    page.wait_for_url("**sort=total**")
    assert "dir=desc" not in page.url
    by_total = shown(page, "zh")
    assert by_total == expected(dash, campaign_id=campaign, sort="total")
    assert [r[1] for r in by_total][:2] == ["DJK001", "DJK002"] and by_total[0][3] == "red"
    # The county column: grouped by county, in rank order within each.
    page.goto(f"{dash.site.url}/ranking?campaign={campaign}&sort=county&dir=desc")
    assert shown(page, "zh") == expected(dash, campaign_id=campaign, sort="county", reverse=True)
    # A link is the page: a colleague opening it sees the same order.
    answer = page.goto(f"{dash.site.url}/ranking?campaign={campaign}&sort=visit_date")
    assert answer is not None and answer.status == 200
    assert shown(page, "zh") == expected(dash, campaign_id=campaign, sort="visit_date")


def test_filters_by_county_unit_type_and_rubric(dash, page):
    campaign = dash.seeded.campaign_id
    log_in(page, dash.site, "admin", ADMIN_PASSWORD, next=f"/ranking?campaign={campaign}")
    county_b = dash.county(COUNTY_B)
    page.select_option("#f-county", county_b)
    page.click("#ranking-filters button[type=submit]")
    page.wait_for_url(f"**county={county_b}**")
    within_b = shown(page, "zh")
    # The flags are within what the filters show.
    assert within_b == expected(dash, campaign_id=campaign, county_id=county_b) == \
        [("1", "YX013", "8", "red"), ("2", "YX014", "5.5", "red"), ("3", "YX015", "5", "yellow")]
    page.select_option("#f-county", "")
    page.select_option("#f-type", "middle")
    page.click("#ranking-filters button[type=submit]")
    page.wait_for_url("**type=middle**")
    assert shown(page, "zh") == expected(dash, campaign_id=campaign, unit_type="middle")
    assert {r[1] for r in shown(page, "zh")} == {"DJK002", "DJK004", "YX014"}
    assert page.locator("#f-rubric option:checked").get_attribute("value") == "study-habits"
    # Across all campaigns: each unit's latest result (DJK001's spot check, 9).
    page.goto(f"{dash.site.url}/ranking")
    assert shown(page, "zh") == expected(dash)
    assert ("1", "DJK001", "9", "red") in shown(page, "zh")


def test_pages_of_the_ranking(dash, page):
    campaign = dash.seeded.campaign_id
    log_in(page, dash.site, "admin", ADMIN_PASSWORD)
    page.goto(f"{dash.site.url}/ranking?campaign={campaign}&size=3")
    assert [r[1] for r in shown(page, "zh")] == ["DJK001", "DJK002", "DJK003"]
    assert "共 8 家单位 · 第 1 / 3 页" in page.locator("#ranking-count").inner_text()
    page.click("nav.pager a[rel=next]")
    page.wait_for_url("**page=2**")
    assert shown(page, "zh") == expected(dash, campaign_id=campaign)[3:6]
    # Sorting keeps the page size and starts again at the first page.
    page.click("th[data-column=unit] a")
    page.wait_for_url("**sort=unit**")
    assert "size=3" in page.url and "page=" not in page.url
    assert shown(page, "zh") == expected(dash, campaign_id=campaign, sort="unit")[:3]
    page.goto(f"{dash.site.url}/ranking?campaign={campaign}&size=3&page=9")
    assert page.locator("#ranking").count() == 0
    assert "共 8 家单位" in page.locator("#ranking-count").inner_text()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_wrong_address_is_answered_in_words(dash, new_page, lang):
    page = log_in(new_page(LOCALES[lang]), dash.site, "admin", ADMIN_PASSWORD)
    for query in ("sort=password", "page=0", "page=x", "size=100000", "dir=sideways"):
        answer = page.goto(f"{dash.site.url}/ranking?{query}")
        assert answer is not None and answer.status == 400, query
    page.goto(f"{dash.site.url}/ranking?sort=password")
    assert WORDS[lang]["bad_sort"] in page.locator("main").inner_text()


def test_a_county_account_never_sees_another_county(dash, page):
    login, password = dash.county_a
    campaign = dash.seeded.campaign_id
    log_in(page, dash.site, login, password, next=f"/ranking?campaign={campaign}")
    with reading(dash.site.engine) as conn:
        scope = area_by_code(conn, COUNTY_A).path
    assert shown(page, "zh") == expected(dash, scope, campaign_id=campaign)
    assert {r[1] for r in shown(page, "zh")} == {"DJK001", "DJK002", "DJK003", "DJK004", "DJK005"}
    # Its county filter offers its own county only; the campaigns, only those reaching into it.
    assert page.locator("#f-county option").all_text_contents() == ["全部", "丹江口市"]
    assert dash.seeded.b_campaign_id not in page.locator("#f-campaign").inner_html()
    assert "郧西" not in page.content() and "YX0" not in page.locator("main").inner_text()
    # Asking for county B or B's campaign by address is 'not found'.
    for query in (f"county={dash.county(COUNTY_B)}", f"campaign={dash.seeded.b_campaign_id}"):
        answer = page.goto(f"{dash.site.url}/ranking?{query}")
        assert answer is not None and answer.status == 404
        assert WORDS["zh"]["not_found"] in page.locator("main").inner_text()
        assert "郧西" not in page.content()


def test_a_units_name_is_shown_as_text_never_run(dash, page):
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    log_in(page, dash.site, "admin", ADMIN_PASSWORD, next=f"/ranking?campaign={dash.seeded.campaign_id}")
    cell = page.locator(f"tr[data-unit={SCRIPT_UNIT}] [data-figure=name] a")
    assert cell.inner_text() == SCRIPT_NAME
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.content()
    assert page.locator("main script").count() == 0
    cell.click()
    page.wait_for_url(f"**/units/{dash.seeded.unit_ids[SCRIPT_UNIT]}")
    assert page.locator("h1").inner_text() == SCRIPT_NAME
    assert page.title().startswith(SCRIPT_NAME)
    assert dialogs == []
