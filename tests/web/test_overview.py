"""The campaigns list and a campaign's overview, in a real browser on data pushed by a real
laptop: every figure in the page's tables is the figure query's value, the 30% shortfall is
flagged, the charts are drawn, and a county's account sees only its county."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from server.dashboard import figures
from server.store.database import reading
from server.store.schema import admin_areas
from tests.web.conftest import ADMIN_PASSWORD, log_in
from tests.web.dashboard_support import (
    B_CAMPAIGN,
    CAMPAIGN,
    COUNTY_A,
    SPOT_CAMPAIGN,
    dash,
    figure_text,
    rows,
)

__all__ = ["dash"]
WORDS = {
    "zh": {"coverage": "覆盖情况（按县）", "total": "合计", "shortfall": "不足：还需抽查 1 家", "met": "达到",
           "no_spot": "本项目不含抽查", "not_found": "不在您的范围内"},
    "en": {"coverage": "Coverage by county", "total": "Total", "shortfall": "Shortfall: 1 more to sample",
           "met": "Reached", "no_spot": "This campaign has no spot checks", "not_found": "outside your scope"},
}
LOCALES = {"zh": "zh-CN", "en": "en-US"}


def scope_of(dash, code: str | None) -> str:
    if code is None:
        return "/"
    with dash.site.engine.connect() as conn:
        return str(conn.execute(select(admin_areas.c.path).where(admin_areas.c.code == code)).scalar_one())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_overview_shows_each_figure_as_its_query_gives_it(dash, new_page, lang):
    page = log_in(new_page(LOCALES[lang]), dash.site, "admin", ADMIN_PASSWORD, next="/campaigns")
    words = WORDS[lang]
    listed = rows(page, "#campaigns")
    assert {r["campaign"] for r in listed} == {dash.seeded.campaign_id, dash.seeded.spot_campaign_id,
                                               dash.seeded.b_campaign_id}
    page.click(f"#campaigns a:text('{CAMPAIGN}')")
    page.wait_for_url(f"**/campaigns/{dash.seeded.campaign_id}")
    assert page.locator("h1").inner_text() == CAMPAIGN
    assert page.locator("#coverage-h").inner_text() == words["coverage"]
    campaign = dash.seeded.campaign_id
    with reading(dash.site.engine) as conn:
        coverage = figures.campaign_coverage(conn, "/", campaign)
        bands = figures.band_counts(conn, "/", campaign)
        [average] = figures.average_scores(conn, "/", campaign)
    shown = rows(page, "#coverage")
    assert [(r["county"], int(r["assigned"]), int(r["visited"]), int(r["finalized"])) for r in shown] == \
        [(c.county_code, c.assigned, c.visited, c.finalized) for c in coverage]
    # 丹江口市: six assigned, DJK006 not visited; 郧西县: YX016 visited, not finalized.
    assert [(r["county"], r["assigned"], r["visited"], r["finalized"]) for r in shown] == \
        [("420322", "4", "4", "3"), ("420381", "6", "5", "5")]
    total = page.locator("#coverage tfoot tr")
    assert total.locator("th").inner_text() == words["total"]
    assert total.locator("[data-figure=assigned]").inner_text() == str(sum(c.assigned for c in coverage))
    assert total.locator("[data-figure=finalized]").inner_text() == str(sum(c.finalized for c in coverage))
    band_rows = rows(page, "table.bands[data-rubric='study-habits']")
    assert [(r["band"], int(r["units"])) for r in band_rows] == [(b.band_code, b.units) for b in bands]
    assert [r["units"] for r in band_rows] == ["2", "4", "2"]
    figures_shown = page.locator("dl.figures[data-rubric='study-habits']")
    assert figures_shown.locator("[data-figure=units]").inner_text() == str(average.units) == "8"
    assert figures_shown.locator("[data-figure=average_total]").inner_text() == figure_text(average.average_total, 2)
    assert figures_shown.locator("[data-figure=average_percentage]").inner_text() == \
        figure_text(average.average_percentage, 1) + "%"
    # Two charts (coverage and bands), each an inline SVG with a name and its numbers written.
    charts = page.locator("figure.chart svg[role=img]")
    assert charts.count() == 2
    assert charts.nth(0).locator("rect").count() >= 6 and "6" in charts.nth(0).locator("text").all_text_contents()
    # No spot checks in this campaign: the rule is said not to apply.
    assert words["no_spot"] in page.locator("section[aria-labelledby=spot-h]").inner_text()
    # Links into the ranking and the rectification tracker, filtered to the campaign.
    page.click(f"ul.links a[href*='/ranking?campaign={campaign}']")
    page.wait_for_url(f"**/ranking?campaign={campaign}&rubric=study-habits")
    assert page.locator("#ranking tbody tr").count() == 8
    page.go_back()
    assert page.locator(f"ul.links a[href='/rectifications?campaign={campaign}']").count() == 1
    # And to the campaign's bulletin and exports.
    link = page.locator(f"ul.links a[href='/campaigns/{campaign}/bulletin.pdf']").get_attribute("href")
    bulletin = page.request.get(f"{dash.site.url}{link}")
    assert bulletin.status == 200 and bulletin.body().startswith(b"%PDF")
    page.click(f"ul.links a[href='/exports?campaign={campaign}']")
    page.wait_for_url(f"**/exports?campaign={campaign}")
    assert page.locator(f"a[href='/exports/{campaign}/visits.csv']").count() == 1


def test_a_county_sampled_below_30_percent_is_flagged(dash, page):
    log_in(page, dash.site, "admin", ADMIN_PASSWORD, next=f"/campaigns/{dash.seeded.spot_campaign_id}")
    assert page.locator("h1").inner_text() == SPOT_CAMPAIGN
    with reading(dash.site.engine) as conn:
        expected = figures.spot_check_share(conn, "/", dash.seeded.spot_campaign_id)
    shown = rows(page, "#spot-check")
    assert [(r["county"], int(r["checked"]), int(r["planned"]), int(r["sampled"])) for r in shown] == \
        [(s.county_code, s.checked, s.planned, s.sampled) for s in expected]
    by_county = {r["county"]: r for r in shown}
    # 丹江口市: the routine campaign checked five units, the spot checks sampled one (20%).
    assert (by_county[COUNTY_A]["checked"], by_county[COUNTY_A]["sampled"], by_county[COUNTY_A]["share"]) == \
        ("5", "1", "20.0%")
    assert by_county[COUNTY_A]["rule"] == WORDS["zh"]["shortfall"]
    assert page.locator(f"#spot-check tr[data-county='{COUNTY_A}'].shortfall .flag.shortfall").count() == 1
    # 郧西县: two of three, enough.
    assert (by_county["420322"]["share"], by_county["420322"]["rule"]) == ("66.7%", WORDS["zh"]["met"])
    assert [s.shortfall for s in expected] == [False, True]


def test_a_county_account_sees_only_its_county(dash, page):
    login, password = dash.county_a
    log_in(page, dash.site, login, password, next="/campaigns")
    listed = {r["campaign"] for r in rows(page, "#campaigns")}
    # The campaign of county B alone is not listed, and its address is not found.
    assert listed == {dash.seeded.campaign_id, dash.seeded.spot_campaign_id}
    assert B_CAMPAIGN not in page.content()
    answer = page.goto(f"{dash.site.url}/campaigns/{dash.seeded.b_campaign_id}")
    assert answer is not None and answer.status == 404
    assert WORDS["zh"]["not_found"] in page.locator("main").inner_text()
    page.goto(f"{dash.site.url}/campaigns/{dash.seeded.campaign_id}")
    scope = scope_of(dash, COUNTY_A)
    with reading(dash.site.engine) as conn:
        coverage = figures.campaign_coverage(conn, scope, dash.seeded.campaign_id)
        [average] = figures.average_scores(conn, scope, dash.seeded.campaign_id)
    assert [(r["county"], r["assigned"], r["finalized"]) for r in rows(page, "#coverage")] == \
        [(c.county_code, str(c.assigned), str(c.finalized)) for c in coverage] == [(COUNTY_A, "6", "5")]
    assert page.locator("dl.figures [data-figure=units]").inner_text() == str(average.units) == "5"
    text = page.locator("main").inner_text()
    assert "郧西" not in text and "YX0" not in text
    page.goto(f"{dash.site.url}/campaigns/{dash.seeded.spot_campaign_id}")
    assert [r["county"] for r in rows(page, "#spot-check")] == [COUNTY_A]
    assert "郧西" not in page.locator("main").inner_text()


def test_an_unknown_campaign_is_not_found_in_words(dash, page):
    log_in(page, dash.site, "admin", ADMIN_PASSWORD)
    answer = page.goto(f"{dash.site.url}/campaigns/no-such-campaign")
    assert answer is not None and answer.status == 404
    assert WORDS["zh"]["not_found"] in page.locator("main").inner_text()


def test_a_campaign_not_yet_visited_shows_its_plan_and_says_what_is_missing(dash, new_page):
    page = log_in(new_page("en-US"), dash.site, "admin", ADMIN_PASSWORD,
                  next=f"/campaigns/{dash.seeded.b_campaign_id}")
    assert page.locator("h1").inner_text() == B_CAMPAIGN
    assert [(r["county"], r["assigned"], r["visited"], r["finalized"]) for r in rows(page, "#coverage")] == \
        [("420322", "1", "0", "0")]
    text = page.locator("main").inner_text()
    assert "No finalized results of this campaign in your scope yet." in text
    assert WORDS["en"]["no_spot"] in text
    # The coverage chart only: no bands to draw.
    assert page.locator("figure.chart svg").count() == 1
    assert page.locator("ul.links a[href^='/ranking']").count() == 0
