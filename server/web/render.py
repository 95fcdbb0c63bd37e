"""Pages from Jinja2 templates in the layout (templates/base.html), in the request's language.

Autoescaping is on for every template: a value put in a page is text, never markup.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.requests import Request
from starlette.responses import HTMLResponse

from server.web.i18n import HTML_LANG, LANG_NAMES, LANGS, Translator, request_language
from server.web.nav import current_section, sections_for
from server.web.session import CSRF_FIELD, Viewer

TEMPLATES = Path(__file__).resolve().parent / "templates"
environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True,
                          undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)

# Pages carry personal data and forms: never cached, never framed, scripts and styles only from
# this server (inline style attributes are allowed: SVG charts use them).
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                               "script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
}


def _here(request: Request, here: str | None) -> str:
    """Where the language switch comes back to: the page's own address for a GET, else the
    page the handler names (a form's answer has no address of its own to come back to)."""
    if here:
        return here
    if request.method == "GET":
        return request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/"


def office_name(viewer: Viewer | None, lang: str, names: tuple[str, str] | None = None) -> str:
    zh, en = names or ((viewer.office_name_zh, viewer.office_name_en) if viewer else ("", ""))
    return (en or zh) if lang == "en" else zh


def render(request: Request, template: str, *, status: int = 200, here: str | None = None,
           office_names: tuple[str, str] | None = None, **context: Any) -> HTMLResponse:
    """The page ``template`` with ``context``; the layout's parts (language, viewer, sections,
    CSRF token) are added here. ``office_names`` (zh, en) serves a page with no viewer."""
    lang = request_language(request)
    t = Translator(lang)
    viewer: Viewer | None = getattr(request.state, "viewer", None)
    here = _here(request, here)
    back = quote(here, safe="/")
    html = environment.get_template(template).render(
        t=t, lang=lang, html_lang=HTML_LANG[lang], viewer=viewer,
        sections=sections_for(viewer.account.role) if viewer else [],
        current=current_section(request.url.path),
        office_name=office_name(viewer, lang, office_names),
        languages=[(code, LANG_NAMES[code], f"/lang/{code}?next={back}") for code in LANGS],
        here=here, csrf_field=CSRF_FIELD, csrf=viewer.csrf if viewer else "",
        **context)
    return HTMLResponse(html, status_code=status, headers={**PAGE_HEADERS, "Content-Language": HTML_LANG[lang]})
