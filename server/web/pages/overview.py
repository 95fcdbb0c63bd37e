"""The campaigns (``/campaigns``) and one campaign's overview (``/campaigns/{id}``): coverage
against the plan by county, the ≥30% spot-check rule, counts by band and the average score,
each from its one query in server.dashboard.figures, within the viewer's scope.

A campaign that assigns no unit inside the scope is 'not found', as if it did not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from starlette.responses import Response

from server.dashboard import choices, figures
from server.dashboard.figures import SPOT_CHECK_SHARE, BandCount, CountyCoverage, SpotCheckShare
from server.errors import NotFound
from server.store.database import reading
from server.web.charts import Series, bar_chart
from server.web.i18n import Translator, request_language
from server.web.pages.dashboard_parts import Labels, not_found, url
from server.web.render import render
from server.web.routing import page_router
from server.web.session import OFFICE, Viewer

router = page_router()
# The rectification tracker's address (its own page), filtered to a campaign.
TRACKER = "/rectifications"


@dataclass(frozen=True)
class Totals:
    assigned: int
    visited: int
    finalized: int


def totals(rows: list[CountyCoverage]) -> Totals:
    return Totals(sum(r.assigned for r in rows), sum(r.visited for r in rows), sum(r.finalized for r in rows))


def share(part: int, whole: int) -> float | None:
    return None if not whole else part / whole


def still_needed(row: SpotCheckShare) -> int:
    """Units still to sample for the county to reach 30% of what was checked."""
    low, whole = SPOT_CHECK_SHARE
    return max(0, -(-low * row.checked // whole) - row.sampled)


def coverage_chart(t: Translator, rows: list[CountyCoverage]) -> object:
    names = [r.county_name or t("campaigns.no_county") for r in rows]
    return bar_chart(t("campaigns.coverage_chart"), names, [
        Series(t("campaigns.assigned"), [r.assigned for r in rows]),
        Series(t("campaigns.visited"), [r.visited for r in rows]),
        Series(t("campaigns.finalized"), [r.finalized for r in rows])])


def band_chart(t: Translator, labels: Labels, rubric_id: str, bands: list[BandCount]) -> object:
    names = [labels.band(b.band_zh, b.band_en) or t("campaigns.no_band") for b in bands]
    return bar_chart(t("campaigns.band_chart", rubric=labels.rubric(rubric_id)), names,
                     [Series(t("campaigns.units"), [b.units for b in bands])])


@router.get("/campaigns")
def campaign_list(request: Request, viewer: Viewer = OFFICE) -> Response:
    lang = request_language(request)
    with reading(request.app.state.engine) as conn:
        found = choices.campaigns_in_scope(conn, viewer.scope)
    return render(request, "campaigns/list.html", campaigns=found, labels=Labels(lang))


@router.get("/campaigns/{campaign_id}")
def campaign_page(request: Request, campaign_id: str, viewer: Viewer = OFFICE) -> Response:
    lang = request_language(request)
    t = Translator(lang)
    with reading(request.app.state.engine) as conn:
        try:
            campaign = choices.campaign_in_scope(conn, viewer.scope, campaign_id)
        except NotFound:
            raise not_found() from None
        coverage = figures.campaign_coverage(conn, viewer.scope, campaign_id)
        spot = figures.spot_check_share(conn, viewer.scope, campaign_id)
        bands = figures.band_counts(conn, viewer.scope, campaign_id)
        averages = figures.average_scores(conn, viewer.scope, campaign_id)
        labels = Labels(lang, choices.rubric_names(conn))
    by_rubric: dict[str, list[BandCount]] = {}
    for band in bands:
        by_rubric.setdefault(band.rubric_id, []).append(band)
    rubric_ids = sorted({a.rubric_id for a in averages} | set(by_rubric))
    return render(
        request, "campaigns/overview.html", campaign=campaign, coverage=coverage, total=totals(coverage),
        spot=spot, bands=by_rubric, averages={a.rubric_id: a for a in averages}, rubric_ids=rubric_ids,
        labels=labels, share=share, still_needed=still_needed,
        coverage_chart=coverage_chart(t, coverage) if coverage else None,
        band_charts={r: band_chart(t, labels, r, b) for r, b in by_rubric.items()},
        ranking_url=lambda rubric_id: url("/ranking", campaign=campaign_id, rubric=rubric_id),
        tracker_url=url(TRACKER, campaign=campaign_id),
        bulletin_url=f"/campaigns/{campaign_id}/bulletin.pdf", exports_url=url("/exports", campaign=campaign_id))
