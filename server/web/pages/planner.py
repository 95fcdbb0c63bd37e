"""The assignment planner (office staff and admins): a campaign's assignments of units to teams,
date windows and rubrics; units picked by county and type, or drawn at random for spot checks;
an assignment changed or removed; new campaigns.

Only units inside the viewer's scope are offered, and a form naming any other unit is answered
'not found' with nothing stored. The services (``server.assignments``, ``server.planning``)
keep their own checks; their refusal is shown in words should one still refuse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from fastapi import Request
from sqlalchemy import Connection
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from app.labels import UNIT_TYPE_LABELS, VISIT_TYPE_LABELS
from db.codes import VISIT_TYPES
from server import assignments, planning, rubrics
from server.areas import list_areas
from server.errors import Conflict, NotFound, ServerError
from server.store.database import reading, writing
from server.web.errors import PageNotFound
from server.web.render import render
from server.web.routing import page_router
from server.web.session import OFFICE, Viewer

router = page_router()
# Field name -> (catalogue key, values for its placeholders).
Errors = dict[str, tuple[str, dict[str, object]]]
DEFAULT_SHARE = planning.RULE_PERCENT
DONE = {"campaign": "planner.done.campaign", "assigned": "planner.done.assigned",
        "changed": "planner.done.changed", "removed": "planner.done.removed"}


def field_of(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def fields_of(form: FormData, name: str) -> list[str]:
    return [v.strip() for v in form.getlist(name) if isinstance(v, str) and v.strip()]


def day_of(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def percent_of(text: str) -> Decimal | None:
    try:
        value = Decimal(text.replace("%", "").strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() and Decimal(0) < value <= Decimal(100) else None


def unit_type_label(code: str, lang: str) -> str:
    label = UNIT_TYPE_LABELS.get(code)
    return label.text(lang) if label else code


def visit_type_label(code: str, lang: str) -> str:
    label = VISIT_TYPE_LABELS.get(code)
    return label.text(lang) if label else code


@dataclass
class Draw:
    """A spot-check draw as the page shows it before anything is saved."""

    pool: str
    percent: Decimal
    seed: int
    pool_size: int
    drawn: list[str]
    # The exact share before rounding up, e.g. 30% of 13 = 3.9 -> 4 units.
    exact: Decimal
    year: int

    @property
    def below_rule(self) -> bool:
        return self.percent < planning.RULE_PERCENT


@dataclass
class Filters:
    campaign: str = ""
    county: str = ""
    unit_type: str = ""
    pool: str = "shown"
    share: str = ""
    seed: str = ""
    year: str = ""
    select: str = ""

    @classmethod
    def of(cls, request: Request) -> Filters:
        q = request.query_params
        return cls(**{k: (q.get(k) or "").strip() for k in
                      ("campaign", "county", "unit_type", "pool", "share", "seed", "year", "select")})

    def url(self, **changes: str) -> str:
        values = {k: v for k, v in {**self.__dict__, **changes}.items() if v}
        return "/planner" + (f"?{urlencode(values)}" if values else "")


@dataclass
class Form:
    """What the assignment form holds (kept when it comes back with errors)."""

    team: str = ""
    start: str = ""
    end: str = ""
    visit_type: str = "routine"
    rubrics: list[str] = field(default_factory=list)
    units: set[str] = field(default_factory=set)


def _counties(units: list[planning.Plannable]) -> list[tuple[str, str]]:
    return sorted({(u.county_code, u.county_name or "") for u in units if u.county_code})


def _draw(conn: Connection, viewer: Viewer, filters: Filters, shown: list[planning.Plannable],
          errors: Errors) -> tuple[Draw | None, list[planning.Plannable]]:
    """The draw the query asks for (share and seed given), and the pool it draws from."""
    if not filters.share:
        return None, shown
    percent = percent_of(filters.share)
    if percent is None:
        errors["share"] = ("planner.error.share", {})
        return None, shown
    try:
        seed = int(filters.seed)
    except ValueError:
        errors["seed"] = ("planner.error.seed", {})
        return None, shown
    # A year the form's field allows; anything else is this year.
    year = int(filters.year) if filters.year.isdigit() and 2000 <= int(filters.year) <= 2100 else date.today().year
    pool = shown
    if filters.pool == "checked":
        checked = planning.checked_by_lower_level(conn, viewer.scope, date(year, 1, 1), date(year, 12, 31))
        pool = [u for u in shown if u.id in checked]
    drawn = planning.draw_sample([u.code for u in pool], percent, seed)
    exact = Decimal(len(pool)) * percent / Decimal(100)
    return Draw(filters.pool, percent, seed, len(pool), drawn, exact, year), pool


def _drawn_first(pool: list[planning.Plannable], draw: Draw) -> list[planning.Plannable]:
    """The pool with the drawn units on top, so the draw is seen without scrolling."""
    drawn = set(draw.drawn)
    return sorted(pool, key=lambda u: (u.code not in drawn, u.code))


def _page(request: Request, viewer: Viewer, filters: Filters, *, form: Form | None = None,
          errors: Errors | None = None, status: int = 200, problem: str | None = None) -> Response:
    errors = dict(errors or {})
    with reading(request.app.state.engine) as conn:
        campaigns = planning.list_campaigns(conn)
        if not filters.campaign and campaigns:
            # The newest campaign is usually the one being planned.
            filters.campaign = campaigns[0].id
        campaign = next((c for c in campaigns if c.id == filters.campaign), None)
        every = planning.plannable_units(conn, viewer.scope)
        shown = planning.plannable_units(conn, viewer.scope, county=filters.county or None,
                                         unit_type=filters.unit_type or None)
        draw, pool = _draw(conn, viewer, filters, shown, errors)
        # A county chosen inside the scope narrows the plan read to it (a forged one outside
        # the scope shows no units, and the plan stays the scope's).
        county_path = next((a.path for a in list_areas(conn, viewer.scope) if a.code == filters.county), None)
        plan = assignments.campaign_plan(conn, county_path or viewer.scope, campaign.id) if campaign else []
        plan_total = assignments.plan_size(conn, viewer.scope, campaign.id) if campaign else 0
        teams = planning.list_teams(conn, viewer.scope)
        templates = sorted(rubrics.list_rubrics(conn), key=lambda r: (r.rubric_id, -r.published_at))
    names = {t.hash: t for t in templates}
    assigned: dict[str, list[str]] = {}
    for a in plan:
        assigned.setdefault(a.unit_id, []).append(a.team)
    # The plan of the units the filters show (a city's whole plan is thousands of rows).
    shown_ids = {u.id for u in shown}
    listed = [a for a in plan if a.unit_id in shown_ids] if filters.county or filters.unit_type else plan
    if form is None:
        form = Form(visit_type="spot_check" if draw else "routine")
        if draw:
            form.units = {u.id for u in pool if u.code in set(draw.drawn)}
        elif filters.select == "all":
            form.units = {u.id for u in shown}
    return render(request, "planner/planner.html", status=status, here=filters.url(), filters=filters,
                  campaigns=campaigns, campaign=campaign, counties=_counties(every),
                  unit_types=sorted({u.unit_type for u in every}), units=_drawn_first(pool, draw) if draw else shown,
                  draw=draw, plan=listed, plan_total=plan_total, teams=teams, templates=templates, template_names=names,
                  assigned=assigned, form=form, errors=errors, problem=problem, visit_types=VISIT_TYPES,
                  rule_percent=planning.RULE_PERCENT, default_share=DEFAULT_SHARE,
                  this_year=date.today().year, unit_type_label=unit_type_label,
                  visit_type_label=visit_type_label, done=DONE.get(request.query_params.get("done", "")),
                  done_count=request.query_params.get("count", ""))


@router.get("/planner")
def planner_page(request: Request, viewer: Viewer = OFFICE) -> Response:
    filters = Filters.of(request)
    if filters.share and not filters.seed:
        # A new draw: its seed goes into the address, so the draw shown can be drawn again.
        return RedirectResponse(filters.url(seed=str(planning.new_seed())), status_code=303)
    return _page(request, viewer, filters)


@router.post("/planner/campaigns")
async def create_campaign(request: Request, viewer: Viewer = OFFICE) -> Response:
    form = await request.form()
    name = field_of(form, "name")
    errors: Errors = {}
    if not name or len(name) > planning.MAX_NAME:
        errors["campaign_name"] = ("planner.error.campaign_name", {"max": planning.MAX_NAME})
    else:
        try:
            with writing(request.app.state.engine) as conn:
                made = planning.create_campaign(conn, name)
        except Conflict:
            errors["campaign_name"] = ("planner.error.campaign_taken", {"name": name})
    if errors:
        status = 409 if errors["campaign_name"][0] == "planner.error.campaign_taken" else 400
        return _page(request, viewer, Filters(), errors=errors, status=status)
    return RedirectResponse(Filters(campaign=made.id).url(done="campaign"), status_code=303)


def _checked_form(conn: Connection, viewer: Viewer, form: FormData, errors: Errors) -> Form:
    """The assignment form's fields, each checked; a unit outside the scope is 'not found'."""
    shown = Form(team=field_of(form, "team"), start=field_of(form, "start"), end=field_of(form, "end"),
                 visit_type=field_of(form, "visit_type"), rubrics=fields_of(form, "rubric"),
                 units=set(fields_of(form, "unit")))
    start, end = day_of(shown.start), day_of(shown.end)
    if start is None:
        errors["start"] = ("planner.error.date", {})
    if end is None:
        errors["end"] = ("planner.error.date", {})
    if start and end and start > end:
        errors["end"] = ("planner.error.window", {})
    if shown.visit_type not in VISIT_TYPES:
        errors["visit_type"] = ("planner.error.visit_type", {})
    if not shown.rubrics:
        errors["rubric"] = ("planner.error.rubric", {})
    else:
        published = {r.hash for r in rubrics.list_rubrics(conn)}
        if any(h not in published for h in shown.rubrics):
            errors["rubric"] = ("planner.error.rubric", {})
    if shown.team not in {t.id for t in planning.list_teams(conn, viewer.scope)}:
        errors["team"] = ("planner.error.team", {})
    return shown


@router.post("/planner/assign")
async def assign(request: Request, viewer: Viewer = OFFICE) -> Response:
    form = await request.form()
    errors: Errors = {}
    filters = Filters(campaign=field_of(form, "campaign"), county=field_of(form, "county"),
                      unit_type=field_of(form, "unit_type"))
    with reading(request.app.state.engine) as conn:
        try:
            campaign = planning.get_campaign(conn, filters.campaign)
        except NotFound:
            raise PageNotFound() from None
        shown = _checked_form(conn, viewer, form, errors)
        offered = {u.id: u for u in planning.plannable_units(conn, viewer.scope)}
        if any(unit_id not in offered for unit_id in shown.units):
            # Only a forged form names a unit the page never offered: nothing is stored.
            raise PageNotFound()
        if not shown.units:
            errors["unit"] = ("planner.error.units", {})
        teams = {t.id: t for t in planning.list_teams(conn, viewer.scope)}
        plan = assignments.campaign_plan(conn, viewer.scope, campaign.id)
    twice = sorted(offered[a.unit_id].code for a in plan if a.team_id == shown.team and a.unit_id in shown.units)
    if twice:
        errors["unit"] = ("planner.error.twice", {"units": ", ".join(twice)})
    if errors:
        return _page(request, viewer, filters, form=shown, errors=errors, status=400)
    spec = assignments.NewAssignments(
        campaign=campaign.name, team=teams[shown.team].name,
        unit_codes=sorted(offered[u].code for u in shown.units), window_start=date.fromisoformat(shown.start),
        window_end=date.fromisoformat(shown.end), rubrics=shown.rubrics, visit_type=shown.visit_type)
    try:
        with writing(request.app.state.engine) as conn:
            made = assignments.assign(conn, spec, scope=viewer.scope)
    except NotFound:
        raise PageNotFound() from None
    except ServerError as exc:
        return _page(request, viewer, filters, form=shown, status=exc.status, problem=exc.message)
    return RedirectResponse(Filters(campaign=campaign.id).url(done="assigned", count=str(len(made))) + "#plan",
                            status_code=303)


def _target(request: Request, viewer: Viewer, assignment_id: str) -> assignments.Planned:
    with reading(request.app.state.engine) as conn:
        try:
            return assignments.planned(conn, viewer.scope, assignment_id)
        except NotFound:
            raise PageNotFound() from None


def _edit_page(request: Request, viewer: Viewer, target: assignments.Planned, *, form: Form | None = None,
               errors: Errors | None = None, status: int = 200, problem: str | None = None) -> Response:
    with reading(request.app.state.engine) as conn:
        teams = planning.list_teams(conn, viewer.scope)
        templates = sorted(rubrics.list_rubrics(conn), key=lambda r: (r.rubric_id, -r.published_at))
        campaign = planning.get_campaign(conn, target.campaign_id)
    form = form or Form(team=target.team_id, start=target.window_start, end=target.window_end,
                        visit_type=target.visit_type, rubrics=list(target.rubric_hashes))
    return render(request, "planner/edit.html", status=status, here=f"/planner/assignments/{target.id}",
                  target=target, campaign=campaign, teams=teams, templates=templates, form=form,
                  errors=errors or {}, problem=problem, visit_types=VISIT_TYPES,
                  visit_type_label=visit_type_label, unit_type_label=unit_type_label,
                  back=Filters(campaign=target.campaign_id).url())


@router.get("/planner/assignments/{assignment_id}")
def edit_page(request: Request, assignment_id: str, viewer: Viewer = OFFICE) -> Response:
    return _edit_page(request, viewer, _target(request, viewer, assignment_id))


@router.post("/planner/assignments/{assignment_id}")
async def change(request: Request, assignment_id: str, viewer: Viewer = OFFICE) -> Response:
    form = await request.form()
    target = _target(request, viewer, assignment_id)
    errors: Errors = {}
    with reading(request.app.state.engine) as conn:
        shown = _checked_form(conn, viewer, form, errors)
    if errors:
        return _edit_page(request, viewer, target, form=shown, errors=errors, status=400)
    change = assignments.Change(team_id=shown.team, visit_type=shown.visit_type,
                                window_start=date.fromisoformat(shown.start), window_end=date.fromisoformat(shown.end),
                                rubric_hashes=shown.rubrics)
    try:
        with writing(request.app.state.engine) as conn:
            assignments.change_assignment(conn, viewer.scope, assignment_id, change, account_id=viewer.account.id)
    except NotFound:
        raise PageNotFound() from None
    except Conflict:
        refusal: tuple[str, dict[str, object]] = (
            ("planner.error.started", {"unit": target.unit_code, "date": target.visit_date}) if target.started
            else ("planner.error.team_twice", {"unit": target.unit_code}))
        return _edit_page(request, viewer, target, form=shown, status=409, errors={"form": refusal})
    except ServerError as exc:
        return _edit_page(request, viewer, target, form=shown, status=exc.status, problem=exc.message)
    return RedirectResponse(Filters(campaign=target.campaign_id).url(done="changed") + "#plan", status_code=303)


@router.post("/planner/assignments/{assignment_id}/remove")
async def remove(request: Request, assignment_id: str, viewer: Viewer = OFFICE) -> Response:
    target = _target(request, viewer, assignment_id)
    try:
        with writing(request.app.state.engine) as conn:
            assignments.remove_assignment(conn, viewer.scope, assignment_id, account_id=viewer.account.id)
    except NotFound:
        raise PageNotFound() from None
    except Conflict:
        return _edit_page(request, viewer, target, status=409, errors={
            "form": ("planner.error.remove_started", {"unit": target.unit_code, "date": target.visit_date or ""})})
    return RedirectResponse(Filters(campaign=target.campaign_id).url(done="removed") + "#plan", status_code=303)
