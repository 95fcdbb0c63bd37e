"""One unit's page (``/units/{id}``): its profile numbers, its finalized visits with their scores
(each linking to the visit's page), the combined scores of rubrics that combine checks (a
class's yearly study-habits score is the mean of its 8 monthly checks), the score trend, and
its open rectifications. A unit outside the viewer's scope is 'not found'.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from fastapi import Request
from markupsafe import Markup
from sqlalchemy import select
from starlette.responses import Response

from server.dashboard import choices, figures
from server.dashboard.figures import UnitVisit
from server.errors import NotFound
from server.store.database import reading
from server.store.schema import campaigns
from server.web.charts import Series, line_chart
from server.web.i18n import Translator, request_language
from server.web.pages.dashboard_parts import Labels, not_found, url
from server.web.pages.overview import TRACKER
from server.web.render import render
from server.web.routing import page_router
from server.web.session import OFFICE, Viewer

router = page_router()
# How a rubric combines its checks (app.rubric.model.COMBINE_METHODS), in words.
METHODS = {"mean": "unitpage.method.mean", "min": "unitpage.method.min", "max": "unitpage.method.max",
           "median": "unitpage.method.median"}


def trend_charts(t: Translator, labels: Labels, visits: list[UnitVisit]) -> list[Markup]:
    """One chart per rubric: each finalized visit's total, oldest first, on the rubric's scale."""
    by_rubric: dict[str, list[UnitVisit]] = defaultdict(list)
    for v in visits:
        by_rubric[v.rubric_id].append(v)
    charts = []
    for rubric_id, rows in sorted(by_rubric.items()):
        top = max(float(v.maximum) for v in rows) or 1.0
        charts.append(line_chart(t("unitpage.trend_chart", rubric=labels.rubric(rubric_id)),
                                 [v.visit_date for v in rows],
                                 [Series(t("unitpage.total"), [float(v.total) for v in rows])], top=top))
    return charts


@router.get("/units/{unit_id}")
def unit_page(request: Request, unit_id: str, viewer: Viewer = OFFICE) -> Response:
    lang = request_language(request)
    t = Translator(lang)
    with reading(request.app.state.engine) as conn:
        try:
            unit = choices.unit_record(conn, viewer.scope, unit_id)
            history = figures.unit_history(conn, viewer.scope, unit_id)
        except NotFound:
            raise not_found() from None
        # The unit's county narrows what the query reads; the unit's own are kept.
        findings = [f for f in figures.open_findings(conn, viewer.scope, today=date.today(), county_id=unit.county_id)
                    if f.unit_id == unit_id]
        wanted = sorted({v.campaign_id for v in history.visits if v.campaign_id})
        campaign_names = dict(conn.execute(select(campaigns.c.id, campaigns.c.name)
                                           .where(campaigns.c.id.in_(wanted))).tuples().all()) if wanted else {}
        labels = Labels(lang, choices.rubric_names(conn))
    return render(request, "units/unit.html", unit=unit, history=history, findings=findings,
                  campaign_names=campaign_names, labels=labels, tracker_url=url(TRACKER, unit=unit_id), methods=METHODS,
                  newest_first=list(reversed(history.visits)),
                  charts=trend_charts(t, labels, history.visits))
