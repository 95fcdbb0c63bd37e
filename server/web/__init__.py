"""The office's web pages: server-rendered, on the same accounts, scopes and services as the API.

``install(app)`` mounts them on the server's app. A new page is a module in ``pages/`` listed
in PAGES below, its templates in ``templates/``, its link in ``nav.SECTIONS`` and its words in
``i18n.MESSAGES``.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

from server.web import error_pages
from server.web.pages import (
    auth,
    exports,
    home,
    overview,
    planner,
    planner_teams,
    ranking,
    rectifications,
    rubric_library,
    settings,
    units,
    users,
    visits,
)

STATIC = Path(__file__).resolve().parent / "static"
PAGES = (auth, home, users, overview, ranking, units, rectifications, visits, exports,
         planner, planner_teams, rubric_library, settings)


def install(app: FastAPI) -> None:
    """Mount the pages, their static files and their error pages (after the API's routers and
    error handlers, whose answers stay JSON under /api/)."""
    app.include_router(auth.login_router)
    for module in PAGES:
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    error_pages.install(app)
