"""The rectification tracker (``/rectifications``): every finding not yet closed in the viewer's
scope, with its deadline, the overdue ones highlighted and those to escalate marked (both as
``server.dashboard.figures.open_findings`` defines them, the one query of that figure), filtered
by county, severity, campaign and unit and sorted by deadline; and one finding's page
(``/rectifications/<id>``) with its history, where office staff record its next status with a
note (``server.rectification.change_status``: a finding event that the laptops pull).

Everything the list shows is in its address, so a link shows the same list to a colleague with
the same scope. A finding outside the scope is 'not found', as if it did not exist.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from sqlalchemy import Connection, select
from starlette.responses import RedirectResponse, Response

from app.labels import FINDING_STATUS_LABELS, SEVERITY_LABELS, label_of
from db.codes import SEVERITIES
from server.dashboard import figures
from server.dashboard.figures import FindingState
from server.errors import NotFound
from server.rectification import (
    MAX_NOTE,
    ChangeRefused,
    Event,
    HeldFinding,
    change_status,
    held_finding,
)
from server.store.database import reading, writing
from server.store.schema import campaigns
from server.web.errors import PageError, PageNotFound
from server.web.i18n import request_language
from server.web.render import render
from server.web.routing import page_router
from server.web.session import OFFICE, Viewer

router = page_router()
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
FILTERS = ("county", "severity", "campaign", "unit")


class Words:
    """The domain's words in the page's language: statuses and severities as the laptop says them."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def status(self, code: str) -> str:
        return label_of(FINDING_STATUS_LABELS, code).text(self.lang)

    def severity(self, code: str) -> str:
        return label_of(SEVERITY_LABELS, code).text(self.lang)

    def day(self, text: str | None) -> date | None:
        """A deadline as a date; None when it is not one (shown as it is then)."""
        try:
            return date.fromisoformat(text) if text else None
        except ValueError:
            return None

    def moment(self, at: str) -> float | None:
        """An event's ISO time as a Unix time (shown in the server's local time); None if unreadable."""
        try:
            return datetime.fromisoformat(at).timestamp()
        except ValueError:
            return None


@dataclass(frozen=True)
class Query:
    county: str
    severity: str
    campaign: str
    unit: str
    reverse: bool

    def values(self) -> dict[str, str]:
        return {"county": self.county, "severity": self.severity, "campaign": self.campaign, "unit": self.unit}

    def link(self, **changed: str) -> str:
        values = {**self.values(), "dir": "desc" if self.reverse else "", **changed}
        kept = [(k, v) for k, v in values.items() if v]
        return "/rectifications" + ("?" + urlencode(kept) if kept else "")

    def sort_link(self) -> str:
        return self.link(dir="" if self.reverse else "desc")

    @property
    def aria_sort(self) -> str:
        return "descending" if self.reverse else "ascending"

    @property
    def filtered(self) -> bool:
        return any(self.values().values())


def read_query(request: Request) -> Query:
    def text(name: str) -> str:
        return request.query_params.get(name, "").strip()

    direction = text("dir")
    if direction not in ("", "asc", "desc"):
        raise PageError(400, "rect.error.dir")
    severity = text("severity")
    if severity and severity not in SEVERITIES:
        raise PageError(400, "rect.error.severity")
    return Query(text("county"), severity, text("campaign"), text("unit"), direction == "desc")


@dataclass(frozen=True)
class Option:
    value: str
    label: str


def _options(found: list[FindingState], conn: Connection) -> dict[str, list[Option]]:
    """What the filters offer: the counties, campaigns and units that have open findings."""
    counties = {f.county_id: f.county_name or "" for f in found if f.county_id}
    units = {f.unit_id: f"{f.unit_name}（{f.unit_code}）" for f in found}
    ids = sorted({f.campaign_id for f in found if f.campaign_id})
    names = dict(conn.execute(select(campaigns.c.id, campaigns.c.name).where(campaigns.c.id.in_(ids))).all()) \
        if ids else {}
    return {
        "county": [Option(k, v) for k, v in sorted(counties.items(), key=lambda kv: kv[1])],
        "campaign": [Option(k, names.get(k, k)) for k in sorted(ids, key=lambda k: names.get(k, k))],
        "unit": [Option(k, v) for k, v in sorted(units.items(), key=lambda kv: kv[1])],
    }


def _chosen(found: list[FindingState], query: Query) -> list[FindingState]:
    kept = [f for f in found
            if (not query.county or f.county_id == query.county)
            and (not query.severity or f.severity == query.severity)
            and (not query.campaign or f.campaign_id == query.campaign)
            and (not query.unit or f.unit_id == query.unit)]
    # Deadline first (figures' order); turned round, the latest deadline first, still none last.
    if query.reverse:
        dated = [f for f in kept if f.deadline]
        dated.sort(key=lambda f: (f.deadline or "", f.unit_code, f.finding_id), reverse=True)
        kept = dated + [f for f in kept if not f.deadline]
    return kept


@router.get("/rectifications")
def tracker(request: Request, viewer: Viewer = OFFICE) -> Response:
    query = read_query(request)
    today = date.today()
    with reading(request.app.state.engine) as conn:
        found = figures.open_findings(conn, viewer.scope, today=today)
        options = _options(found, conn)
    shown = _chosen(found, query)
    campaign_names = {o.value: o.label for o in options["campaign"]}
    return render(request, "rectifications/list.html", query=query, findings=shown, options=options,
                  severities=SEVERITIES, words=Words(request_language(request)), campaign_names=campaign_names,
                  total=len(found), overdue=sum(f.overdue for f in shown), escalate=sum(f.escalate for f in shown),
                  today=today)


def _finding(conn: Connection, viewer: Viewer, finding_id: str) -> HeldFinding:
    if not _UUID.match(finding_id):
        raise PageNotFound()
    try:
        return held_finding(conn, viewer.scope, finding_id)
    except NotFound:
        raise PageNotFound() from None


def _state(conn: Connection, viewer: Viewer, finding_id: str) -> FindingState | None:
    """The finding's line in the figure (overdue, follow-ups, escalation); None once closed."""
    return next((f for f in figures.open_findings(conn, viewer.scope, today=date.today())
                 if f.finding_id == finding_id), None)


def _page(request: Request, viewer: Viewer, finding_id: str, *, status: int = 200, done: str | None = None,
          error: tuple[str, dict[str, Any]] | None = None, values: dict[str, str] | None = None) -> Response:
    with reading(request.app.state.engine) as conn:
        finding = _finding(conn, viewer, finding_id)
        state = _state(conn, viewer, finding_id)
    words = Words(request_language(request))
    return render(request, "rectifications/finding.html", status=status, here=f"/rectifications/{finding_id}",
                  finding=finding, state=state, words=words, done=done, error=error,
                  values=values or {"status": "", "note": ""}, max_note=MAX_NOTE, who=who, actions=ACTIONS)


@router.get("/rectifications/{finding_id}")
def finding_page(request: Request, finding_id: str, done: str = "", viewer: Viewer = OFFICE) -> Response:
    return _page(request, viewer, finding_id, done=done if done in FINDING_STATUS_LABELS else None)


# The words of each status the office records, as the form offers it.
ACTIONS = {"plan_received": "rect.action.plan_received", "reported_fixed": "rect.action.reported_fixed",
           "verified": "rect.action.verified", "closed": "rect.action.closed", "reopened": "rect.action.reopened"}
# The catalogue key of each refusal, and the status of the answer.
REFUSALS = {"note_empty": ("rect.error.note_empty", 400), "note_long": ("rect.error.note_long", 400),
            "status": ("rect.error.status", 400), "transition": ("rect.error.transition", 409),
            "changed": ("rect.error.changed", 409)}


@router.post("/rectifications/{finding_id}")
async def move(request: Request, finding_id: str, viewer: Viewer = OFFICE) -> Response:
    form = await request.form()
    status = str(form.get("status") or "")
    note = str(form.get("note") or "")
    seen = str(form.get("seen") or "") or None
    words = Words(request_language(request))
    with reading(request.app.state.engine) as conn:
        _finding(conn, viewer, finding_id)
    try:
        with writing(request.app.state.engine) as conn:
            change_status(conn, scope=viewer.scope, account_id=viewer.account.id, finding_id=finding_id,
                          status=status, note=note, seen=seen)
    except NotFound:
        raise PageNotFound() from None
    except ChangeRefused as refused:
        key, code = REFUSALS[refused.reason]
        placeholders = {"current": words.status(refused.current), "wanted": words.status(status) if status else "",
                        "max": MAX_NOTE}
        return _page(request, viewer, finding_id, status=code, error=(key, placeholders),
                     values={"status": status, "note": note})
    return RedirectResponse(f"/rectifications/{finding_id}?done={status}", status_code=303)


def who(event: Event) -> tuple[str, str]:
    """(catalogue key, name) of who recorded an event, for the history table."""
    if event.office_login:
        return "rect.by_office", event.office_name or event.office_login
    if event.inspector_name:
        return "rect.by_inspector", event.inspector_name
    return "rect.by_unknown", ""
