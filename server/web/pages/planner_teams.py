"""Teams for the planner (office staff and admins): every team with its members inside the
viewer's scope, a new team, and inspectors or team leaders of the scope put in a team.

A member joining a team has its laptop pull the team's assignments at its next sync (the
service numbers them again). Members are not taken out here: a pull brings an inspector its
teams' assignments only, so one taken out would keep the team's plan on its laptop unchanged.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Request
from starlette.responses import RedirectResponse, Response

from server import planning
from server.errors import Conflict, NotFound
from server.store.database import reading, writing
from server.web.errors import PageNotFound
from server.web.pages.planner import Errors, field_of, fields_of
from server.web.render import render
from server.web.routing import page_router
from server.web.session import OFFICE, Viewer

router = page_router()


def _page(request: Request, viewer: Viewer, *, errors: Errors | None = None, status: int = 200,
          name: str = "") -> Response:
    with reading(request.app.state.engine) as conn:
        teams = planning.list_teams(conn, viewer.scope)
        choices = planning.member_choices(conn, viewer.scope)
    return render(request, "planner/teams.html", status=status, here="/planner/teams", teams=teams,
                  choices=choices, errors=errors or {}, name=name,
                  done=_done(request))


def _done(request: Request) -> tuple[str, dict[str, str]] | None:
    """The sentence the page opens with after a change (?done=…), with its values."""
    done = request.query_params.get("done", "")
    if done == "team":
        return "planner.teams.done.team", {"name": request.query_params.get("name", "")}
    if done == "members":
        return "planner.teams.done.members", {"count": request.query_params.get("count", "0")}
    return None


@router.get("/planner/teams")
def teams_page(request: Request, viewer: Viewer = OFFICE) -> Response:
    return _page(request, viewer)


@router.post("/planner/teams")
async def create_team(request: Request, viewer: Viewer = OFFICE) -> Response:
    form = await request.form()
    name = field_of(form, "name")
    if not name or len(name) > planning.MAX_NAME:
        return _page(request, viewer, status=400, name=name,
                     errors={"name": ("planner.error.team_name", {"max": planning.MAX_NAME})})
    try:
        with writing(request.app.state.engine) as conn:
            planning.create_team(conn, name)
    except Conflict:
        return _page(request, viewer, status=409, name=name,
                     errors={"name": ("planner.error.team_taken", {"name": name})})
    return RedirectResponse("/planner/teams?" + urlencode({"done": "team", "name": name}), status_code=303)


@router.post("/planner/teams/{team_id}/members")
async def add_members(request: Request, team_id: str, viewer: Viewer = OFFICE) -> Response:
    form = await request.form()
    logins = fields_of(form, "member")
    if not logins:
        return _page(request, viewer, status=400, errors={f"member-{team_id}": ("planner.error.member", {})})
    try:
        with writing(request.app.state.engine) as conn:
            joined = planning.add_members(conn, viewer.scope, team_id, logins)
    except NotFound:
        # A team that does not exist, or an account outside the scope: only a forged form names them.
        raise PageNotFound() from None
    return RedirectResponse(f"/planner/teams?done=members&count={joined}#team-{team_id}", status_code=303)
