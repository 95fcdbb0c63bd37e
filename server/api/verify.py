"""GET /verify/{code}: the public page a phone opens from the QR code on a printed sheet.

No login and no protocol header (it is not under /api): a school's principal scans the paper
and reads, in Chinese or English, whether it matches the record. The page shows the unit, the
visit date, the total and the band, and nothing else. Rate-limited per address in the database.
"""

from __future__ import annotations

import time
from datetime import date
from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.background import BackgroundTask

from server import verify as service
from server.api.deps import config, engine

router = APIRouter()

LANGS = ("zh", "en")
# The product speaks Chinese first: a phone that names neither language gets Chinese.
DEFAULT_LANG = "zh"
CONTENT_LANGUAGE = {"zh": "zh-CN", "en": "en"}
# A code echoed back is cut here: the path may carry anything.
ECHO_LIMIT = 80
STATUS = {"matches": 200, "superseded": 200, "unknown": 404, "malformed": 400, "limited": 429}
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")

TEXTS: dict[str, tuple[str, str]] = {
    "title": ("督导记录核验", "Inspection record check"),
    "matches": ("本页与督导记录一致", "This paper matches the record"),
    "matches.note": ("纸质反馈表与服务器上的定稿记录相符。", "The printed sheet is the finalized record held by the office."),
    "superseded": ("本页已被 {date} 的修订取代", "Superseded by the amendment of {date}"),
    "superseded.note": ("本页印自该记录的早期版本，请以修订后的反馈表为准。",
                        "This paper was printed from an earlier version of the record; the amended sheet replaces it."),
    "unknown": ("没有记录使用此校验码", "No record has this code"),
    "unknown.note": ("请核对校验码是否与纸上一致；记录也可能尚未同步到服务器。",
                     "Check the code against the paper; the record may also not have reached the server yet."),
    "malformed": ("这不是有效的校验码", "This is not a verification code"),
    "malformed.note": ("校验码形如 XXXX-XXXX-XXXX-XXXX（16 位数字和字母 A–F），或二维码中以 FM1- 开头的长码。",
                       "A code looks like XXXX-XXXX-XXXX-XXXX (16 digits and letters A–F), or the long code "
                       "starting FM1- in the QR code."),
    "limited": ("查询过于频繁", "Too many checks"),
    "limited.note": ("此网络地址的查询次数已达上限，请 {seconds} 秒后再试。",
                     "This address has made too many checks; try again in {seconds} seconds."),
    "unit": ("受检单位", "Unit"),
    "date": ("督导日期", "Visit date"),
    "total": ("总分", "Total"),
    "band": ("评定等级", "Band"),
    "code": ("校验码", "Code"),
    "score": ("{total} 分（满分 {maximum} 分）", "{total} of {maximum}"),
}


def text(key: str, lang: str, **values: object) -> str:
    zh, en = TEXTS[key]
    chosen = en if lang == "en" else zh
    return chosen.format(**values) if values else chosen


def choose_language(accept: str, override: str | None = None) -> str:
    """``?lang=`` when it names one of ours, else the best of Accept-Language by q-value (the
    first named wins a tie; ``*`` stands for those not named; q=0 refuses), else Chinese."""
    if override in LANGS:
        return str(override)
    named: dict[str, tuple[float, int]] = {}
    star: tuple[float, int] | None = None
    for order, part in enumerate(accept.split(",")):
        tag, *params = [piece.strip() for piece in part.split(";")]
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        primary = tag.lower().split("-")[0]
        if primary == "*":
            star = star or (q, order)
        elif primary in LANGS:
            best = named.get(primary)
            named[primary] = (q, order) if best is None or q > best[0] else best
    ranked = []
    for preference, lang in enumerate(LANGS):
        weight = named.get(lang, star)
        if weight is not None and weight[0] > 0:
            ranked.append((-weight[0], weight[1], preference, lang))
    return min(ranked)[3] if ranked else DEFAULT_LANG


def day(iso: str, lang: str) -> str:
    try:
        d = date.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{d.year}年{d.month}月{d.day}日" if lang == "zh" else f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def _facts(outcome: service.Outcome, lang: str) -> list[tuple[str, str]]:
    if outcome.kind not in ("matches", "superseded"):
        return []
    facts = [(text("unit", lang), outcome.unit or "—"), (text("date", lang), day(outcome.visit_date, lang))]
    if outcome.kind == "matches":
        facts += [(text("total", lang), text("score", lang, total=outcome.total, maximum=outcome.maximum)),
                  (text("band", lang), outcome.band or "—")]
    return facts


def render(kind: str, lang: str, code: str, outcome: service.Outcome | None = None, retry_after: int = 0) -> str:
    """The whole page: small, self-contained (no scripts, no files to fetch), fit for a phone."""
    if kind == "superseded" and outcome is not None:
        heading = text("superseded", lang, date=day(outcome.superseded_on, lang))
    else:
        heading = text(kind, lang)
    note = text(f"{kind}.note", lang, seconds=retry_after)
    facts = _facts(outcome, lang) if outcome is not None else []
    facts.append((text("code", lang), code[:ECHO_LIMIT]))
    rows = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in facts)
    mark = {"matches": "ok", "superseded": "warn"}.get(kind, "bad")
    return (
        f'<!doctype html><html lang="{CONTENT_LANGUAGE[lang]}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex">'
        f"<title>{escape(text('title', lang))}</title><style>{_STYLE}</style></head>"
        f'<body><main><p class="title">{escape(text("title", lang))}</p>'
        f'<h1 class="{mark}">{escape(heading)}</h1><p>{escape(note)}</p><dl>{rows}</dl></main></body></html>'
    )


_STYLE = (
    "body{margin:0;font:17px/1.5 system-ui,-apple-system,'PingFang SC','Noto Sans CJK SC','Microsoft YaHei',sans-serif;"
    "color:#202124;background:#f8f9fa}"
    "main{max-width:34rem;margin:0 auto;padding:1.25rem}"
    ".title{color:#5f6368;margin:0 0 .5rem}"
    "h1{font-size:1.5rem;margin:0 0 .75rem;padding:.75rem 1rem;border-radius:.5rem}"
    ".ok{background:#e6f4ea;color:#137333}.warn{background:#fef7e0;color:#8a4b00}"
    ".bad{background:#fce8e6;color:#a50e0e}"
    "dl{display:grid;grid-template-columns:auto 1fr;gap:.4rem 1rem;margin:1rem 0}"
    "dt{color:#5f6368}dd{margin:0;font-weight:600;overflow-wrap:anywhere}"
)


def _pruning(request: Request) -> BackgroundTask | None:
    """Old hits are removed once per window in each process, after an answer is sent, so no
    request waits for it."""
    state = request.app.state
    now = time.monotonic()
    if now - getattr(state, "verify_pruned_at", float("-inf")) < config(request).verify_window:
        return None
    state.verify_pruned_at = now

    def prune() -> None:
        with engine(request).begin() as conn:
            service.prune(conn, config(request))

    return BackgroundTask(prune)


# {code:path}: a code mangled with a slash still gets the page (400), not the API's JSON 404.
@router.get("/verify/{code:path}", response_class=HTMLResponse, include_in_schema=False)
def verify_page(code: str, request: Request, lang: str | None = None) -> HTMLResponse:
    chosen = choose_language(request.headers.get("accept-language", ""), lang)
    # The address is the peer's (behind a proxy, uvicorn's --forwarded-allow-ips makes it the
    # client's); a client cannot pick its own with a header.
    address = request.client.host if request.client else "unknown"
    headers = {"Content-Language": CONTENT_LANGUAGE[chosen], "Cache-Control": "no-store",
               "Vary": "Accept-Language", "Referrer-Policy": "no-referrer",
               "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"}
    with engine(request).begin() as conn:
        turn = service.take_turn(conn, config(request), address)
        outcome = service.check(conn, code) if turn.allowed else None
    if outcome is None:
        headers["Retry-After"] = str(turn.retry_after)
        return HTMLResponse(render("limited", chosen, code, retry_after=turn.retry_after), 429, headers)
    return HTMLResponse(render(outcome.kind, chosen, code, outcome), STATUS[outcome.kind], headers,
                        background=_pruning(request))
