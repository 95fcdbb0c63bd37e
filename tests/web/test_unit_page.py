"""A unit's page in a real browser on data pushed by a real laptop: its visits and combined
scores are the history query's, the trend is drawn, its open rectifications are the findings
query's (the overdue one marked), its profile numbers are the units table's, and a unit outside
the account's scope is 'not found'."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from server.dashboard import figures
from server.store.database import reading
from server.store.schema import units
from tests.web.conftest import ADMIN_PASSWORD, log_in
from tests.web.dashboard_support import MONTHLY, SCRIPT_NAME, SCRIPT_UNIT, dash, rows

__all__ = ["dash"]
LOCALES = {"zh": "zh-CN", "en": "en-US"}
WORDS = {
    "zh": {"combined": "综合得分", "incomplete": "次数不足", "overdue": "已逾期", "staff": "教职工",
           "no_findings": "没有未销号的整改问题", "not_found": "不在您的范围内", "mean": "平均"},
    "en": {"combined": "Combined scores", "incomplete": "Not all checks made", "overdue": "Overdue", "staff": "Staff",
           "no_findings": "No open rectifications", "not_found": "outside your scope", "mean": "Mean"},
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_visits_combined_scores_trend_and_profile(dash, new_page, lang):
    unit_id = dash.seeded.unit_ids["DJK001"]
    page = log_in(new_page(LOCALES[lang]), dash.site, "admin", ADMIN_PASSWORD, next=f"/units/{unit_id}")
    words = WORDS[lang]
    with reading(dash.site.engine) as conn:
        history = figures.unit_history(conn, "/", unit_id)
        stored = conn.execute(select(units).where(units.c.id == unit_id)).one()
    assert page.locator("h1").inner_text() == stored.name
    # The visits, newest first, each linking to its visit's page.
    shown = rows(page, "#visits")
    assert [(r["visit"], r["total"]) for r in shown] == [(v.visit_id, v.total) for v in reversed(history.visits)]
    assert len(shown) == 10
    for visit in history.visits:
        assert page.locator(f"tr[data-visit='{visit.visit_id}'] a[href='/visits/{visit.visit_id}']").count() == 1
    # The yearly study-habits score: the mean of the eight monthly checks of 2025, and 2026's two so far.
    assert page.locator("#combined-h").inner_text() == words["combined"]
    combined = rows(page, "#combined")
    assert [(r["year"], r["checks"].split(" ")[0] + " / 8", r["total"]) for r in combined] == \
        [(c.year, f"{c.checks} / {c.expected}", c.total) for c in history.combined]
    assert combined[0]["total"] == "8.25" == f"{sum(float(m) for m in MONTHLY) / 8:g}"
    assert words["incomplete"] in combined[1]["checks"] and words["incomplete"] not in combined[0]["checks"]
    assert words["mean"] in page.locator("#combined tbody tr").first.inner_text()
    # The trend: one point per finalized visit, oldest first, with its score written.
    chart = page.locator("section[aria-labelledby=trend-h] svg[role=img]")
    assert chart.count() == 1
    assert chart.locator("circle").count() == len(history.visits)
    assert [c.split(": ")[-1] for c in chart.locator("circle title").all_text_contents()] == \
        [f"{float(v.total):g}" for v in history.visits]
    # The profile numbers as imported (enrolment and staff).
    profile = json.loads(stored.profile)
    assert profile == {"enrolment_primary": 457, "staff": 50}
    assert page.locator("[data-profile=staff] dt").inner_text() == words["staff"]
    assert page.locator("[data-profile=staff] dd").inner_text() == "50"
    assert page.locator("[data-profile=enrolment_primary] dd").inner_text() == "457"
    assert stored.head_name in page.locator("#profile").inner_text()
    assert words["no_findings"] in page.locator("section[aria-labelledby=findings-h]").inner_text()


def test_open_rectifications_are_the_findings_querys(dash, page):
    unit_id = dash.seeded.unit_ids["DJK002"]
    log_in(page, dash.site, "admin", ADMIN_PASSWORD, next=f"/units/{unit_id}")

    with reading(dash.site.engine) as conn:
        found = [f for f in figures.open_findings(conn, "/", today=date.today()) if f.unit_id == unit_id]
    shown = rows(page, "#findings")
    assert [r["finding"] for r in shown] == [f.finding_id for f in found]
    assert len(shown) == 2
    overdue = [f for f in found if f.overdue]
    assert [f.deadline for f in overdue] == ["2026-10-20"]
    row = page.locator(f"tr[data-finding='{overdue[0].finding_id}']")
    assert "overdue" in (row.get_attribute("class") or "")
    assert WORDS["zh"]["overdue"] in row.inner_text()
    assert page.locator("tr.overdue").count() == 1
    assert page.locator("#to-tracker").get_attribute("href") == f"/rectifications?unit={unit_id}"


def test_a_unit_outside_the_scope_is_not_found(dash, page):
    login, password = dash.county_a
    log_in(page, dash.site, login, password)
    own = page.goto(f"{dash.site.url}/units/{dash.seeded.unit_ids['DJK001']}")
    assert own is not None and own.status == 200
    for unit_id in (dash.seeded.unit_ids["YX013"], dash.seeded.unit_ids["YX015"], "no-such-unit"):
        answer = page.goto(f"{dash.site.url}/units/{unit_id}")
        assert answer is not None and answer.status == 404
        text = page.locator("main").inner_text()
        assert WORDS["zh"]["not_found"] in text
        assert "郧西" not in page.content()


def test_a_units_name_is_escaped_on_its_page(dash, page):
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    log_in(page, dash.site, "admin", ADMIN_PASSWORD, next=f"/units/{dash.seeded.unit_ids[SCRIPT_UNIT]}")
    assert page.locator("h1").inner_text() == SCRIPT_NAME
    assert "<h1 id=\"unit-name\">&lt;script&gt;alert(1)&lt;/script&gt;" in page.content()
    assert dialogs == []


def test_a_unit_not_yet_visited_says_so(dash, new_page):
    page = log_in(new_page("en-US"), dash.site, "admin", ADMIN_PASSWORD,
                  next=f"/units/{dash.seeded.unit_ids['DJK006']}")
    text = page.locator("main").inner_text()
    assert "This unit has no finalized visits yet." in text
    assert "None of this unit's rubrics combines several checks." in text
    assert page.locator("svg").count() == 0 and page.locator("#visits").count() == 0
    assert page.locator("[data-profile=enrolment_middle] dd").inner_text() == "719"
