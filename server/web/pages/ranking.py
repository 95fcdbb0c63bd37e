"""The unit ranking (``/ranking``): units ranked by their latest result under one rubric, in a
campaign or across all, with the top two flagged red and the bottom two yellow (as the source
documents do), filtered by county and unit type, sorted and paged on the server.

Everything the page shows is in its address (``?campaign=…&rubric=…&county=…&type=…&sort=…
&dir=desc&page=2``), so it works without JavaScript and a link shows the same page to a
colleague with the same scope. A campaign or county outside the viewer's scope is 'not found'.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from fastapi import Request
from sqlalchemy import Connection
from starlette.responses import Response

from server.dashboard import choices, figures
from server.dashboard.figures import RANKING_SORTS
from server.store.database import reading
from server.web.errors import PageError
from server.web.i18n import request_language
from server.web.pages.dashboard_parts import Labels, not_found, url
from server.web.render import render
from server.web.routing import page_router
from server.web.session import OFFICE, Viewer

router = page_router()
PAGE_SIZE = 50
# How many units a page may be asked to hold (?size=…).
SIZES = range(1, 501)
# The columns a person can sort by, in the table's order (each one of figures.RANKING_SORTS).
COLUMNS = ("rank", "unit", "county", "unit_type", "visit_date", "total", "percentage")
assert set(COLUMNS) <= set(RANKING_SORTS)
HEADINGS = {"rank": "ranking.col.rank", "unit": "ranking.col.unit", "county": "ranking.col.county",
            "unit_type": "ranking.col.unit_type", "visit_date": "ranking.col.visit_date",
            "total": "ranking.col.total", "percentage": "ranking.col.percentage"}


@dataclass(frozen=True)
class Query:
    campaign: str
    rubric: str
    county: str
    unit_type: str
    sort: str
    reverse: bool
    page: int
    size: int = PAGE_SIZE

    def link(self, **changed: object) -> str:
        values: dict[str, object] = {"campaign": self.campaign, "rubric": self.rubric, "county": self.county, "type": self.unit_type,
                  "sort": "" if self.sort == "rank" else self.sort, "dir": "desc" if self.reverse else "",
                  "page": self.page if self.page > 1 else "", "size": self.size if self.size != PAGE_SIZE else ""}
        values.update(changed)
        return url("/ranking", **values)

    def sort_link(self, column: str) -> str:
        """The column's own order, or that order turned round when it is the current one."""
        reverse = column == self.sort and not self.reverse
        return self.link(sort="" if column == "rank" else column, dir="desc" if reverse else "", page="")

    def aria_sort(self, column: str) -> str | None:
        if column != self.sort:
            return None
        # Each column's own order: rank 1, the best total, names A–Z and the oldest date first.
        natural = "descending" if column in ("total", "percentage") else "ascending"
        other = "ascending" if natural == "descending" else "descending"
        return other if self.reverse else natural


def _text(request: Request, name: str) -> str:
    value = request.query_params.get(name, "")
    return value.strip()


def read_query(request: Request) -> Query:
    sort = _text(request, "sort") or "rank"
    if sort not in COLUMNS:
        raise PageError(400, "ranking.error.sort")
    direction = _text(request, "dir")
    if direction not in ("", "asc", "desc"):
        raise PageError(400, "ranking.error.dir")
    page_text = _text(request, "page") or "1"
    if not page_text.isdigit() or int(page_text) < 1:
        raise PageError(400, "ranking.error.page")
    size_text = _text(request, "size") or str(PAGE_SIZE)
    if not size_text.isdigit() or int(size_text) not in SIZES:
        raise PageError(400, "ranking.error.size")
    return Query(_text(request, "campaign"), _text(request, "rubric"), _text(request, "county"),
                 _text(request, "type"), sort, direction == "desc", int(page_text), int(size_text))


@router.get("/ranking")
def ranking_page(request: Request, viewer: Viewer = OFFICE) -> Response:
    query = read_query(request)
    lang = request_language(request)
    with reading(request.app.state.engine) as conn:
        campaigns = choices.campaign_choices(conn, viewer.scope)
        if query.campaign and query.campaign not in {c.value for c in campaigns}:
            raise not_found()
        counties = choices.counties_in_scope(conn, viewer.scope)
        if query.county and query.county not in {c.value for c in counties}:
            raise not_found()
        unit_types = choices.unit_types_in_scope(conn, viewer.scope)
        names = choices.rubric_names(conn)
        rubric_ids = sorted(names)
        if not query.rubric:
            query = replace(query, rubric=choices.first_rubric_with_results(conn, query.campaign or None) or "")
        ranked = [] if not query.rubric else figures.unit_ranking(
            conn, viewer.scope, rubric_id=query.rubric, campaign_id=query.campaign or None,
            county_id=query.county or None, unit_type=query.unit_type or None, sort=query.sort,
            reverse=query.reverse, limit=query.size, offset=(query.page - 1) * query.size)
        # An empty page past the end still says how many units the ranking holds.
        held = ranked[0].of if ranked else _held(conn, viewer, query)
    if query.rubric and query.rubric not in rubric_ids:
        rubric_ids = [*rubric_ids, query.rubric]
    pages = max(1, -(-held // query.size))
    return render(request, "ranking/ranking.html", query=query, ranked=ranked, held=held, pages=pages,
                  campaigns=campaigns, counties=counties, unit_types=unit_types, rubric_ids=rubric_ids,
                  labels=Labels(lang, names), columns=COLUMNS, headings=HEADINGS, default_size=PAGE_SIZE)


def _held(conn: Connection, viewer: Viewer, query: Query) -> int:
    if not query.rubric:
        return 0
    first = figures.unit_ranking(conn, viewer.scope, rubric_id=query.rubric, campaign_id=query.campaign or None,
                                 county_id=query.county or None, unit_type=query.unit_type or None, limit=1)
    return first[0].of if first else 0
