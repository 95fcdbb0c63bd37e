"""数据上下一致、表表相符: the same figure agrees wherever it is shown.

A campaign built through real pushes (tests/web/dashboard_support.py: a laptop pulls the office's
assignments, works and finalizes the visits, pushes them back) is read five ways: the figure
functions (server.dashboard.figures), the CSV and the XLSX exports, the bulletin PDF's text
(pypdf), and the overview and ranking pages in a real browser. Each figure — coverage by county,
counts by band, the average score, the ranking with its red and yellow flags, the spot-check
share, the overdue rectifications — must be the same in all of them, for the whole tree and for
a county's account.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

import pytest
from sqlalchemy import select

from server.dashboard import figures
from server.store.database import reading
from server.store.schema import admin_areas
from tests.web.conftest import ADMIN_PASSWORD, log_in, web_client
from tests.web.dashboard_support import COUNTY_A, dash, rows
from tests.web.exports_support import Sheet, pdf_text, read_csv, read_xlsx

__all__ = ["dash"]


def scope_of(dash: Any, code: str) -> str:
    with dash.site.engine.connect() as conn:
        return str(conn.execute(select(admin_areas.c.path).where(admin_areas.c.code == code)).scalar_one())


def two(value: Decimal | float) -> str:
    """Two places, as the pages and the bulletin write an average."""
    return f"{Decimal(str(value)).quantize(Decimal('0.01'), ROUND_HALF_EVEN):,}"


def percent(part: int, whole: int) -> str:
    return f"{part / whole * 100:.1f}%"


class Figures:
    """Every figure of one campaign as the figure functions give it, in one transaction."""

    def __init__(self, dash: Any, scope: str, campaign: str) -> None:
        with reading(dash.site.engine) as conn:
            self.coverage = figures.campaign_coverage(conn, scope, campaign)
            self.spot = figures.spot_check_share(conn, scope, campaign)
            self.bands = figures.band_counts(conn, scope, campaign)
            [self.average] = figures.average_scores(conn, scope, campaign)
            self.ranking = figures.unit_ranking(conn, scope, rubric_id=self.average.rubric_id, campaign_id=campaign)
            self.findings = figures.open_findings(conn, scope, today=date.today(), campaign_id=campaign,
                                                  include_closed=True)


def exports(client: Any, campaign: str, fmt: str) -> dict[str, Sheet]:
    read = read_csv if fmt == "csv" else read_xlsx
    out = {}
    for name in ("visits", "items", "findings"):
        answer = client.get(f"/exports/{campaign}/{name}.{fmt}")
        assert answer.status_code == 200, answer.text
        out[name] = read(answer.content)
    return out


def check_exports(f: Figures, files: dict[str, Sheet]) -> None:
    """The exports hold the figures: the rows marked as counted are the ranking's, their bands
    add up to the band counts, their mean is the average, the finalized units per county are the
    coverage's, the items add up to the totals, and the overdue findings are the figures'."""
    visits = files["visits"]
    counted = [r for r in visits.rows if r["计入排名 Counted"] == "是"]
    by_unit = {r["单位代码 Unit code"]: Decimal(str(r["实得分 Total"])) for r in counted}
    assert by_unit == {u.unit_code: Decimal(u.total) for u in f.ranking}
    assert {r["单位代码 Unit code"]: _text(r["得分率(%) Percentage"]) for r in counted} == \
        {u.unit_code: _text(f"{u.percentage:.1f}") for u in f.ranking}
    assert len(counted) == f.average.units == sum(b.units for b in f.bands) == len(f.ranking)
    assert two(sum(by_unit.values()) / len(by_unit)) == two(f.average.average_total)
    assert Counter(r["评定等级 Band"] for r in counted) == {b.band_zh: b.units for b in f.bands}
    assert sum(1 for r in counted if r["一票否决 Vetoes"]) == f.average.vetoed
    finalized = Counter()
    for county, _unit in {(r["所属县区 County"], r["单位代码 Unit code"]) for r in visits.rows}:
        finalized[county] += 1
    assert finalized == {c.county_name: c.finalized for c in f.coverage if c.finalized}
    per_visit: Counter[str] = Counter()
    for r in files["items"].rows:
        per_visit[r["督导记录编号 Visit ID"]] += Decimal(str(r["实得分 Awarded"]))
    assert per_visit == {r["督导记录编号 Visit ID"]: Decimal(str(r["实得分 Total"])) for r in visits.rows}
    overdue = [r["问题编号 Finding ID"] for r in files["findings"].rows if r["逾期 Overdue"] == "是"]
    assert overdue == [x.finding_id for x in f.findings if x.overdue]


def check_bulletin(f: Figures, text: str) -> None:
    assigned = sum(c.assigned for c in f.coverage)
    visited = sum(c.visited for c in f.coverage)
    finalized = sum(c.finalized for c in f.coverage)
    assert f"本次督导计划{assigned}个单位，已督导{visited}个，已定稿{finalized}个，" \
           f"定稿率{percent(finalized, assigned)}。" in text
    for c in f.coverage:
        assert f"{c.county_name}{c.assigned}{c.visited}{c.finalized}{percent(c.finalized, c.assigned)}" in text
    assert f"合计{assigned}{visited}{finalized}{percent(finalized, assigned)}" in text
    a = f.average
    assert f"参评单位{a.units}个，平均分{two(a.average_total)}" in text
    assert a.average_percentage is not None and f"平均得分率{a.average_percentage:,.1f}%" in text
    assert f"最高{two(a.highest)}分，最低{two(a.lowest)}分；触发一票否决{a.vetoed}个。" in text
    for b in f.bands:
        assert f"{b.band_zh}{b.units}{percent(b.units, a.units)}" in text
    red = "、".join(f"{u.unit_name}（{u.total}分）" for u in f.ranking if u.flag == "red")
    yellow = "、".join(f"{u.unit_name}（{u.total}分）" for u in f.ranking if u.flag == "yellow")
    assert f"红旗单位（前两名）：{red}。" in text and f"黄旗单位（后两名）：{yellow}。" in text
    for u in f.ranking:
        flag = {"red": "红旗", "yellow": "黄旗", None: ""}[u.flag]
        assert f"{u.rank}{flag}{u.unit_name}" in text
    for s in f.spot:
        share = "–" if s.share is None else f"{float(s.share) * 100:.1f}%"
        assert f"{s.county_name}{s.checked}{s.planned}{s.sampled}{share}" in text
    overdue = sum(x.overdue for x in f.findings)
    if f.findings:
        assert f"其中逾期未整改{overdue}个" in text


def check_pages(f: Figures, page: Any, site_url: str, campaign: str) -> None:
    """The overview and ranking pages' tables (their cells name their figure: data-figure)."""
    page.goto(f"{site_url}/campaigns/{campaign}")
    shown = {r["county"]: r for r in rows(page, "#coverage")}
    assert {k: (int(r["assigned"]), int(r["visited"]), int(r["finalized"])) for k, r in shown.items()} == \
        {c.county_code: (c.assigned, c.visited, c.finalized) for c in f.coverage}
    if f.spot:
        spot = {r["county"]: r for r in rows(page, "#spot-check")}
        assert {k: (int(r["checked"]), int(r["planned"]), int(r["sampled"])) for k, r in spot.items()} == \
            {s.county_code: (s.checked, s.planned, s.sampled) for s in f.spot}
    average = page.locator(f"dl.figures[data-rubric='{f.average.rubric_id}']")
    assert average.locator("[data-figure=units]").inner_text() == str(f.average.units)
    assert average.locator("[data-figure=average_total]").inner_text() == two(f.average.average_total)
    assert average.locator("[data-figure=average_percentage]").inner_text() == \
        f"{f.average.average_percentage:,.1f}%"
    assert average.locator("[data-figure=vetoed]").inner_text() == str(f.average.vetoed)
    bands = rows(page, f"table.bands[data-rubric='{f.average.rubric_id}']")
    assert [(r["band"], int(r["units"])) for r in bands] == [(b.band_code, b.units) for b in f.bands]
    page.goto(f"{site_url}/ranking?campaign={campaign}&rubric={f.average.rubric_id}")
    ranked = rows(page, "#ranking")
    flags = {"红旗": "red", "黄旗": "yellow", "": None}
    assert [(r["unit"], int(r["rank"]), flags[r["flag"]], r["total"], r["percentage"]) for r in ranked] == \
        [(u.unit_code, u.rank, u.flag, u.total, f"{u.percentage:,.1f}") for u in f.ranking]


@pytest.mark.parametrize("which", ["routine", "spot"])
def test_every_figure_agrees_across_queries_exports_bulletin_and_pages(dash, new_page, which):
    campaign = dash.seeded.campaign_id if which == "routine" else dash.seeded.spot_campaign_id
    f = Figures(dash, "/", campaign)
    assert f.ranking and any(u.flag == "red" for u in f.ranking) and any(u.flag == "yellow" for u in f.ranking)
    if which == "spot":
        assert any(s.shortfall for s in f.spot)
    else:
        assert any(x.overdue for x in f.findings)
    client = web_client(dash.site, "admin", ADMIN_PASSWORD).client
    csv_files, xlsx_files = exports(client, campaign, "csv"), exports(client, campaign, "xlsx")
    check_exports(f, csv_files)
    check_exports(f, xlsx_files)
    # The CSV and the workbook hold the same rows (the workbook's numbers as numbers).
    for name in csv_files:
        assert [[_text(v) for v in r.values()] for r in csv_files[name].rows] == \
            [[_text(v) for v in r.values()] for r in xlsx_files[name].rows]
    answer = client.get(f"/campaigns/{campaign}/bulletin.pdf")
    assert answer.status_code == 200
    check_bulletin(f, pdf_text(answer.content))
    page = log_in(new_page("zh-CN"), dash.site, "admin", ADMIN_PASSWORD, next="/")
    check_pages(f, page, dash.site.url, campaign)


def test_a_county_accounts_figures_agree_within_its_scope(dash, new_page):
    campaign = dash.seeded.campaign_id
    f = Figures(dash, scope_of(dash, COUNTY_A), campaign)
    assert [c.county_code for c in f.coverage] == [COUNTY_A]
    client = web_client(dash.site, *dash.county_a).client
    check_exports(f, exports(client, campaign, "csv"))
    check_exports(f, exports(client, campaign, "xlsx"))
    check_bulletin(f, pdf_text(client.get(f"/campaigns/{campaign}/bulletin.pdf").content))
    page = log_in(new_page("zh-CN"), dash.site, *dash.county_a, next="/")
    check_pages(f, page, dash.site.url, campaign)


def _text(value: Any) -> str:
    """A cell as text, whichever file it came from (80.0, 80 and "80.0" alike; None and "")."""
    if value is None:
        return ""
    try:
        return format(Decimal(str(value)).normalize(), "f")
    except InvalidOperation:
        return str(value)
