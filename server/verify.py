"""The public check of a printed sheet: does the code on the paper match the synced record?

``check`` finds the finalized version a code names and says whether it is the visit's latest
(the paper matches), an earlier one (an amendment superseded it), or none. ``take_turn`` is the
per-address rate limit of the public page, kept in the database so that every app process
counts the same requests. No HTTP here: ``server.api.verify`` renders the page.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Connection, and_, delete, func, insert, literal, select

from app.sync.codes import Code, parse_code
from server.config import Config
from server.store.schema import finalized_versions as fv
from server.store.schema import rate_hits, units

# Hits on the verify page, one row per answered request (key, at; indexed on both), under the key
# "verify:<address>".
HITS = rate_hits
KEY_PREFIX = "verify:"

Kind = Literal["matches", "superseded", "unknown", "malformed"]


@dataclass(frozen=True)
class Outcome:
    kind: Kind
    unit: str = ""
    visit_date: str = ""
    total: str = ""
    maximum: str = ""
    band: str | None = None
    # The local date (YYYY-MM-DD) of the amendment that superseded the paper's version.
    superseded_on: str = ""


@dataclass(frozen=True)
class Turn:
    allowed: bool
    retry_after: int = 0


# What the page needs of a version; never ``record`` (large, and it names people and findings).
# A pushed visit's unit is always one of the office's (server.sync.placement), so the join finds it.
_COLUMNS = (fv.c.visit_id, fv.c.amendment_no, fv.c.content_hash, fv.c.replaces, fv.c.finalized_at,
            fv.c.unit_id, fv.c.visit_date, fv.c.stated_total, fv.c.stated_maximum, fv.c.stated_band,
            units.c.name.label("unit_name"))


def check(conn: Connection, text: str) -> Outcome:
    """The outcome for a code in either printed form."""
    code = parse_code(text)
    if code is None:
        return Outcome("malformed")
    found = choose(code, _versions(conn, code))
    if found is None:
        return Outcome("unknown")
    paper, replacement = found
    if replacement is None:
        # The stated score, as the laptop printed it on the sheet: the page answers "is this
        # paper the finalized record?", which the content hash proves. The server's own re-score
        # is for the office to compare; a differing figure here would make a true paper look false.
        return Outcome("matches", paper.unit_name or "", paper.visit_date, paper.stated_total,
                       paper.stated_maximum, paper.stated_band)
    return Outcome("superseded", paper.unit_name or "", paper.visit_date,
                   superseded_on=_local_date(replacement.finalized_at))


def choose(code: Code, versions: Sequence[Any]) -> tuple[Any, Any | None] | None:
    """(the version the paper shows, the amendment that replaced it or None when it is the
    latest) among ``versions`` (rows of one or more visits), or None when the code names none.

    An amendment may return to an earlier version's content, so a hash can name several
    versions of a visit: the paper matches when the latest is one of them, and otherwise was
    last true at the latest of them, which the following amendment replaced.
    """
    named = [v for v in versions if _names(code, v)]
    if not named:
        return None
    latest: dict[str, int] = {}
    for v in versions:
        latest[v.visit_id] = max(latest.get(v.visit_id, -1), v.amendment_no)
    current = next((v for v in named if v.amendment_no == latest[v.visit_id]), None)
    if current is not None:
        return current, None
    paper = max(named, key=lambda v: v.amendment_no)
    later = sorted((v for v in versions if v.visit_id == paper.visit_id and v.amendment_no > paper.amendment_no),
                   key=lambda v: v.amendment_no)
    # The amendment that names the paper's content as the one it replaces, else simply the next.
    return paper, next((v for v in later if v.replaces == paper.content_hash), later[0])


def _versions(conn: Connection, code: Code) -> list[Any]:
    """Every version of the visit(s) the code may name, in one indexed query."""
    if code.visit_id is not None:
        where = fv.c.visit_id == code.visit_id
    else:
        where = fv.c.visit_id.in_(select(fv.c.visit_id).where(fv.c.code == code.short).scalar_subquery())
    query = select(*_COLUMNS).select_from(fv.outerjoin(units, units.c.id == fv.c.unit_id)).where(where)
    return list(conn.execute(query).all())


def _names(code: Code, version: Any) -> bool:
    if code.visit_id is not None:
        return bool(version.visit_id == code.visit_id and version.content_hash.startswith(code.hash_prefix))
    return bool(version.visit_id.replace("-", "").startswith(code.id_prefix)
                and version.content_hash.startswith(code.hash_prefix))


def _local_date(finalized_at: str) -> str:
    """The date where the laptop was: an ISO time keeps its own offset, so its date part is local."""
    try:
        return datetime.fromisoformat(finalized_at).date().isoformat()
    except ValueError:
        return finalized_at[:10]


def take_turn(conn: Connection, config: Config, address: str) -> Turn:
    """Count one request of ``address``, or refuse it when the address has had its share of the
    window (a refused request is not counted, so the wait ends when the window moves on)."""
    now = time.time()
    key = KEY_PREFIX + address[:200 - len(KEY_PREFIX)]
    recent = and_(HITS.c.key == key, HITS.c.at > now - config.verify_window)
    # One statement on the hot path: the hit is stored only while the count is under the limit.
    under = select(func.count()).where(recent).scalar_subquery() < config.verify_max_per_address
    # preserve_rowcount: SQLAlchemy 2.1 reports an INSERT's count only when asked (no RETURNING,
    # which SQLite before 3.35 lacks).
    stored = conn.execute(insert(HITS).from_select(
        ["key", "at"], select(literal(key, HITS.c.key.type), literal(now, HITS.c.at.type)).where(under))
        .execution_options(preserve_rowcount=True))
    if stored.rowcount > 0:
        return Turn(True)
    oldest = conn.execute(select(func.min(HITS.c.at)).where(recent)).scalar()
    return Turn(False, max(1, math.ceil((oldest or now) + config.verify_window - now)))


def prune(conn: Connection, config: Config) -> int:
    """Remove verify hits older than the window; the caller does this now and then, not per request."""
    cutoff = time.time() - config.verify_window
    result = conn.execute(delete(HITS).where(and_(HITS.c.key.like(KEY_PREFIX + "%"), HITS.c.at < cutoff)))
    return int(result.rowcount or 0)
