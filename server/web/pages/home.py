"""The home page: who is signed in, their scope, and the sections they may open."""

from __future__ import annotations

from fastapi import Request
from starlette.responses import Response

from server.web.render import render
from server.web.routing import page_router
from server.web.session import OFFICE, Viewer

router = page_router()


@router.get("/")
def home(request: Request, viewer: Viewer = OFFICE) -> Response:
    return render(request, "home.html")
