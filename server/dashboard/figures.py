"""The office dashboard's figures: one function per figure, the only query for it.

The pages, the exports and the bulletin all call these, so the same figure agrees wherever it is
shown ("数据上下一致、表表相符"). Every function takes the account's ``scope`` (an area path,
"/" for the whole tree; see server.areas.scope_path) and never returns a unit, visit or finding
whose unit lies outside it: the scope is applied to the unit's area as it is now.

What the figures count (the definitions a test pins down):

- **Results** are the server's re-score of each visit's latest finalized version, one per rubric
  the visit applies (``visit_results``, written at push time by server.dashboard.results).
- **A unit's result** in a campaign (band counts, average, ranking) is its latest result under
  that rubric in the campaign (latest visit date, then latest received). Every unit counts once,
  so the band counts add up to the ranking's length and the average is over the same units.
- **Coverage** (per county): *assigned* units have an assignment in the campaign; *visited*
  ones have a visit (in progress or finalized) that names one of the campaign's assignments;
  *finalized* ones have a finalized visit naming one.
- **Spot-check share** (the rule that a spot check covers at least 30% of what the lower level
  checked): for a campaign that plans spot checks (assignments of type ``spot_check``), per
  county, *checked by the lower level* are the units with a finalized visit that is not a spot
  check, a self-assessment (the unit checks itself) or a follow-up (a re-check of findings),
  and is dated from 1 January of the year the
  campaign's first window opens to the end of its last window. *Sampled* are those of them with
  a finalized spot-check visit of this campaign; *planned* those with a spot-check assignment
  in it. A shortfall is sampled < 30% of checked (exact: 10 × sampled < 3 × checked), flagged
  for a county with at least one unit checked. The office's level is not recorded on a visit,
  so "lower level" is read from the visit type as above.
- **Ranking**: by total (bonus included) high to low; units of equal total share a rank. The
  top two ranks carry a red flag and the bottom two a yellow flag (a unit is yellow when fewer
  than two units score below it); red wins where a short list makes them meet.
- **Combined scores**: for a rubric that combines checks (``combine`` in the template, e.g.
  study habits: the mean of 8 monthly checks), a unit's results under one edition of it within
  a calendar year, combined by the rubric's method; ``complete`` says whether as many checks as
  the rubric expects were made.
- **Findings**: a finding's status is its latest live event (by ``at``, then revision), or
  ``open`` without one: the laptop's rule (db.queries.findings.STATUS). *Open* is every status
  but ``closed`` and ``fixed_on_site``; *overdue* is ``open``, ``plan_received`` or ``reopened``
  with a deadline before today; a *follow-up* is a later visit (not the finding's own) that
  wrote an event on the finding, and it *found it not fixed* when one of those events is
  ``reopened`` (the laptop's "Not fixed: reopen"); a finding is marked for **escalation** when
  at least two follow-ups found it not fixed and it is still not fixed (``open``,
  ``plan_received``, ``reported_fixed`` or ``reopened``: not verified). The office's own events
  (server.rectification) name no visit, so they are never follow-ups.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import Connection, and_, case, exists, func, select, text

from app.canonical import loads_exact
from app.findings import NOT_FIXED
from app.rubric import Rubric, combine
from app.rubric.model import VetoHit, band_for
from app.rubric.result import _s
from app.rubric.validate import build_rubric
from server.dashboard.places import (
    area_places,
    areas_within,
    constant,
    json_text,
    live_rows,
    unit_places,
)
from server.errors import BadInput, NotFound
from server.store.schema import (
    assignments,
    item_scores,
    rubric_templates,
    section_scores,
    sync_rows,
    units,
    visit_results,
)

# Visit types that are not the lower level's own check of a unit (see the module's docstring).
NOT_LOWER_LEVEL = ("spot_check", "self_assessment", "follow_up")
SPOT_CHECK_SHARE = (3, 10)  # at least 30% [T], as an exact fraction
CLOSED_STATUSES = frozenset({"closed", "fixed_on_site"})
OVERDUE_STATUSES = frozenset({"open", "plan_received", "reopened"})
ESCALATE_AFTER = 2  # follow-ups [T]
RANKING_SORTS = ("rank", "total", "percentage", "unit", "county", "unit_type", "visit_date")
FLAGGED = 2  # the top two carry a red flag, the bottom two a yellow one [T]

vr = visit_results


# --- coverage and the spot-check rule -------------------------------------------------------


@dataclass(frozen=True)
class CountyCoverage:
    county_id: str | None
    county_code: str | None
    county_name: str | None
    assigned: int
    visited: int
    finalized: int


def campaign_coverage(conn: Connection, scope: str, campaign_id: str) -> list[CountyCoverage]:
    """Assigned, visited and finalized units of a campaign, by county (by county code)."""
    _plain_plans(conn)
    done = (select(vr.c.assignment_id).where(vr.c.campaign_id == campaign_id)
            .group_by(vr.c.assignment_id).subquery("done"))
    # Only a unit not finalized needs its visits rows read (their JSON is the costly part).
    # OFFSET 0 keeps PostgreSQL from turning it into one hash of every visits row's JSON (it
    # did, at a thousand units): looked up per assignment, by the index on the assignment the
    # visits row names (migration 0008), only that visit's row is read.
    started = exists(select(sync_rows.c.key).where(
        live_rows("visits"), sync_rows.c.unit_id == assignments.c.unit_id,
        json_text(conn, sync_rows.c.row_values, "assignment_id") == assignments.c.id).offset(0))
    finalized = done.c.assignment_id.is_not(None)
    per_unit = (select(units.c.area_id, func.max(case((finalized, 1), (started, 1), else_=0)).label("visited"),
                       func.max(_flag(finalized)).label("finalized"))
                .select_from(assignments).join(units, units.c.id == assignments.c.unit_id)
                .outerjoin(done, done.c.assignment_id == assignments.c.id)
                .where(assignments.c.campaign_id == campaign_id, units.c.area_id.in_(areas_within(scope)))
                .group_by(assignments.c.unit_id, units.c.area_id).subquery("per_unit"))
    per_area = (select(per_unit.c.area_id, func.count().label("assigned"), func.sum(per_unit.c.visited).label("visited"),
                       func.sum(per_unit.c.finalized).label("finalized"))
                .group_by(per_unit.c.area_id).subquery("per_area"))
    rows = _by_county(conn, scope, per_area, "assigned", "visited", "finalized")
    return [CountyCoverage(county_id, code, name, int(assigned), int(visited or 0), int(finalized or 0))
            for county_id, code, name, assigned, visited, finalized in rows]


def _by_county(conn: Connection, scope: str, per_area: Any, *counts: str) -> list[Any]:
    """Sums of ``per_area``'s counts by county, by county code: (county_id, county_code,
    county_name, *sums). Counting by the unit's area first and placing the few hundred areas
    after costs a third less than placing each of a province's ten thousand units."""
    places = area_places(scope)
    county = (places.c.county_id, places.c.county_code, places.c.county_name)
    return list(conn.execute(select(*county, *(func.sum(per_area.c[n]) for n in counts))
                             .select_from(per_area).join(places, places.c.area_id == per_area.c.area_id)
                             .group_by(*county).order_by(places.c.county_code)).all())


def _plain_plans(conn: Connection) -> None:
    """For this transaction on PostgreSQL: no JIT compilation (the figures read some ten
    thousand rows, where compiling costs seconds and saves nothing) and a plan made for each
    query's own values. The driver prepares a statement run a few times, and PostgreSQL then
    tries one generic plan for all values: for a scope or campaign it cannot see, that plan
    tripled the overview's time (measured by bench/dashboard.py), where planning anew costs
    about a millisecond."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT set_config('jit', 'off', true), "
                          "set_config('plan_cache_mode', 'force_custom_plan', true)"))


def _flag(condition: Any) -> Any:
    return case((condition, 1), else_=0)


@dataclass(frozen=True)
class SpotCheckShare:
    county_id: str | None
    county_code: str | None
    county_name: str | None
    # Units the lower level checked in the period; of them, those this campaign sampled
    # (finalized spot checks) and those it plans to (spot-check assignments).
    checked: int
    sampled: int
    planned: int

    @property
    def share(self) -> Decimal | None:
        """sampled / checked (None when nothing was checked)."""
        return None if not self.checked else Decimal(self.sampled) / Decimal(self.checked)

    @property
    def shortfall(self) -> bool:
        low, whole = SPOT_CHECK_SHARE
        return self.checked > 0 and whole * self.sampled < low * self.checked


def lower_level_check() -> Any:
    """The condition for a result that is the lower level's check of its unit (the module's
    docstring), written as the partial index visit_results_checks (migration 0008) is, so
    that the index serves it."""
    return and_(vr.c.position == constant(0), vr.c.visit_type.not_in([constant(t) for t in NOT_LOWER_LEVEL]))


def spot_check_share(conn: Connection, scope: str, campaign_id: str) -> list[SpotCheckShare]:
    """Per county, the share of the lower level's checked units that the campaign's spot checks
    sampled, against the ≥30% rule; empty for a campaign that plans no spot checks."""
    _plain_plans(conn)
    period = conn.execute(select(func.min(assignments.c.window_start), func.max(assignments.c.window_end))
                          .where(assignments.c.campaign_id == campaign_id,
                                 assignments.c.visit_type == "spot_check")).one()
    if period[0] is None:
        return []
    start, end = f"{period[0][:4]}-01-01", period[1]
    # Checked units as a semi-join from the units in scope: the planner may then start from a
    # county's few units (by the unit index) or, for the whole province, read the period's
    # lower-level checks from their own index (visit_results_checks) alone.
    checked = exists().where(vr.c.unit_id == units.c.id, lower_level_check(),
                             vr.c.visit_date >= start, vr.c.visit_date <= end)
    sampled = (select(vr.c.unit_id).where(vr.c.campaign_id == campaign_id, vr.c.position == 0,
                                          vr.c.visit_type == "spot_check")
               .group_by(vr.c.unit_id).subquery("sampled"))
    planned = (select(assignments.c.unit_id).where(assignments.c.campaign_id == campaign_id,
                                                   assignments.c.visit_type == "spot_check")
               .group_by(assignments.c.unit_id).subquery("planned"))
    per_area = (select(units.c.area_id, func.count().label("checked"), func.count(sampled.c.unit_id).label("sampled"),
                       func.count(planned.c.unit_id).label("planned"))
                .select_from(units)
                .outerjoin(sampled, sampled.c.unit_id == units.c.id)
                .outerjoin(planned, planned.c.unit_id == units.c.id)
                .where(checked, units.c.area_id.in_(areas_within(scope)))
                .group_by(units.c.area_id).subquery("per_area"))
    rows = _by_county(conn, scope, per_area, "checked", "sampled", "planned")
    return [SpotCheckShare(county_id, code, name, int(checked), int(sampled), int(planned))
            for county_id, code, name, checked, sampled, planned in rows]


# --- results: band counts, averages, ranking ------------------------------------------------


def _latest(conn: Connection, scope: str, *, campaign_id: str | None, rubric_id: str | None,
            county_id: str | None = None, unit_type: str | None = None) -> Any:
    """Each unit's latest result per rubric (see the module's docstring), with its place: the
    flags the writer keeps (server.dashboard.results.mark_latest) pick it."""
    places = unit_places(scope)
    conditions: list[Any] = [vr.c.latest_in_campaign.is_(True), vr.c.campaign_id == campaign_id] \
        if campaign_id is not None else [vr.c.latest_of_unit.is_(True)]
    if rubric_id is not None:
        conditions.append(vr.c.rubric_id == rubric_id)
    if county_id is not None:
        conditions.append(places.c.county_id == county_id)
    if unit_type is not None:
        conditions.append(places.c.unit_type == unit_type)
    wanted = (vr.c.visit_id, vr.c.unit_id, vr.c.rubric_id, vr.c.visit_date, vr.c.total, vr.c.maximum, vr.c.total_num,
              vr.c.percentage, vr.c.band_code, vr.c.band_zh, vr.c.band_en, vr.c.vetoed, vr.c.failed)
    return (select(*wanted, places.c.code.label("unit_code"), places.c.name.label("unit_name"), places.c.unit_type,
                   places.c.county_id, places.c.county_code, places.c.county_name)
            .join(places, places.c.unit_id == vr.c.unit_id)
            .where(*conditions).subquery("latest"))


@dataclass(frozen=True)
class BandCount:
    rubric_id: str
    band_code: str | None
    band_zh: str | None
    band_en: str | None
    units: int


def band_counts(conn: Connection, scope: str, campaign_id: str | None, rubric_id: str | None = None) -> list[BandCount]:
    """Units per band of each rubric (a unit's latest result in the campaign), best band first."""
    _plain_plans(conn)
    latest = _latest(conn, scope, campaign_id=campaign_id, rubric_id=rubric_id)
    rows = conn.execute(select(latest.c.rubric_id, latest.c.band_code, latest.c.band_zh, latest.c.band_en,
                               func.count().label("units"), func.max(latest.c.total_num).label("best"))
                        .group_by(latest.c.rubric_id, latest.c.band_code, latest.c.band_zh, latest.c.band_en)).all()
    # Bands in the order they rank: the best total seen in each.
    rows = sorted(rows, key=lambda r: (r.rubric_id, -(r.best or 0)))
    return [BandCount(r.rubric_id, r.band_code, r.band_zh, r.band_en, int(r.units)) for r in rows]


@dataclass(frozen=True)
class AverageScore:
    rubric_id: str
    units: int
    average_total: float
    average_percentage: float | None
    lowest: float
    highest: float
    vetoed: int
    failed: int


def average_scores(conn: Connection, scope: str, campaign_id: str | None,
                   rubric_id: str | None = None) -> list[AverageScore]:
    """The average total and percentage of each rubric over the units' latest results."""
    _plain_plans(conn)
    latest = _latest(conn, scope, campaign_id=campaign_id, rubric_id=rubric_id)
    rows = conn.execute(select(latest.c.rubric_id, func.count().label("units"),
                               func.avg(latest.c.total_num).label("average_total"),
                               func.avg(latest.c.percentage).label("average_percentage"),
                               func.min(latest.c.total_num).label("lowest"),
                               func.max(latest.c.total_num).label("highest"),
                               func.sum(_flag(latest.c.vetoed)).label("vetoed"),
                               func.sum(_flag(latest.c.failed)).label("failed"))
                        .group_by(latest.c.rubric_id).order_by(latest.c.rubric_id)).all()
    return [AverageScore(r.rubric_id, int(r.units), float(r.average_total),
                         None if r.average_percentage is None else float(r.average_percentage),
                         float(r.lowest), float(r.highest), int(r.vetoed or 0), int(r.failed or 0)) for r in rows]


class RankedUnit(NamedTuple):
    rank: int
    # How many units the ranking holds (its filters applied): "rank 3 of 120".
    of: int
    flag: str | None  # "red" (top two), "yellow" (bottom two) or None
    unit_id: str
    unit_code: str
    unit_name: str
    unit_type: str
    county_id: str | None
    county_name: str | None
    visit_id: str
    visit_date: str
    total: str
    maximum: str
    percentage: float | None
    band_code: str | None
    band_zh: str | None
    band_en: str | None
    vetoed: bool


def _sort_order(ranked: Any, sort: str, reverse: bool) -> list[Any]:
    """Each sort's natural order (rank 1 first, best total first, names A to Z, oldest first),
    then the unit code; ``reverse`` turns the whole order round."""
    c = ranked.c
    # (column, high first) in the natural order.
    terms = {
        "rank": [(c.rank, False)],
        "total": [(c.total_num, True)],
        "percentage": [(c.percentage, True)],
        "unit": [(c.unit_name, False)],
        "county": [(c.county_name, False), (c.rank, False)],
        "unit_type": [(c.unit_type, False), (c.rank, False)],
        "visit_date": [(c.visit_date, False)],
    }[sort] + [(c.unit_code, False)]
    # Units without a figure (a percentage when every item was N/A) come last, or first reversed.
    out = []
    for column, high in terms:
        ordered = column.desc() if high != reverse else column.asc()
        out.append(ordered.nulls_first() if reverse else ordered.nulls_last())
    return out


def unit_ranking(conn: Connection, scope: str, *, rubric_id: str, campaign_id: str | None = None,
                 county_id: str | None = None, unit_type: str | None = None, sort: str = "rank",
                 reverse: bool = False, limit: int | None = None, offset: int = 0) -> list[RankedUnit]:
    """The units ranked by their latest result under one rubric (in the campaign, when given),
    with the red and yellow flags. ``sort`` (one of RANKING_SORTS) and ``reverse`` order the
    rows shown, ``limit`` and ``offset`` page them; neither changes the ranks or the flags."""
    if sort not in RANKING_SORTS:
        raise BadInput(f"cannot sort the ranking by {sort!r}; one of {', '.join(RANKING_SORTS)}")
    if (limit is not None and limit < 0) or offset < 0:
        raise BadInput("a page of the ranking needs a limit and an offset of 0 or more")
    _plain_plans(conn)
    latest = _latest(conn, scope, campaign_id=campaign_id, rubric_id=rubric_id, county_id=county_id, unit_type=unit_type)
    u = latest.c
    # Columns in RankedUnit's order after its first three, read as plain tuples (10,000 rows).
    shown = (u.unit_id, u.unit_code, u.unit_name, u.unit_type, u.county_id, u.county_name, u.visit_id, u.visit_date,
             u.total, u.maximum, u.percentage, u.band_code, u.band_zh, u.band_en, u.vetoed)
    # One ordering serves both flags: counted over it, the units at or above a total are those
    # ranked before it and its ties, so of - at_or_above score below it. (A second window in
    # the opposite order, and carrying every column of the results through it, cost a third.)
    best_first = u.total_num.desc()
    ranked = select(*shown, u.total_num, func.rank().over(order_by=best_first).label("rank"),
                    func.count().over(order_by=best_first).label("at_or_above"),
                    func.count().over().label("of")).subquery("ranks")
    c = ranked.c
    query = (select(c.rank, c.at_or_above, c.of, *(c[column.name] for column in shown))
             .order_by(*_sort_order(ranked, sort, reverse)).offset(offset))
    if limit is not None:
        query = query.limit(limit)
    out = []
    for rank, at_or_above, of, *rest in conn.execute(query):
        flag = "red" if rank <= FLAGGED else "yellow" if of - at_or_above < FLAGGED else None
        rest[-1] = bool(rest[-1])
        out.append(RankedUnit(int(rank), int(of), flag, *rest))
    return out


# --- a unit: its visits, trend and combined scores ------------------------------------------


@dataclass(frozen=True)
class UnitVisit:
    visit_id: str
    visit_date: str
    visit_type: str
    rubric_id: str
    rubric_hash: str
    campaign_id: str | None
    amendment_no: int
    total: str
    maximum: str
    percentage: float | None
    band_code: str | None
    band_zh: str | None
    band_en: str | None
    vetoes: list[str]


@dataclass(frozen=True)
class CombinedScore:
    rubric_id: str
    rubric_hash: str
    year: str
    method: str
    expected: int | None
    checks: int
    total: str
    maximum: str
    band_code: str | None
    band_zh: str | None
    band_en: str | None
    vetoes: list[str]
    failed: bool

    @property
    def complete(self) -> bool:
        return self.expected is None or self.checks == self.expected


@dataclass(frozen=True)
class UnitHistory:
    unit_id: str
    # Oldest first: the score trend is these in order (by rubric).
    visits: list[UnitVisit] = field(default_factory=list)
    combined: list[CombinedScore] = field(default_factory=list)


def unit_history(conn: Connection, scope: str, unit_id: str) -> UnitHistory:
    """A unit's finalized visits (one row per rubric), oldest first, and its combined scores;
    a unit outside the scope is not found."""
    places = unit_places(scope)
    if conn.execute(select(places.c.unit_id).where(places.c.unit_id == unit_id)).first() is None:
        raise NotFound("no such unit")
    rows = conn.execute(select(vr).where(vr.c.unit_id == unit_id)
                        .order_by(vr.c.visit_date, vr.c.server_seq, vr.c.position)).all()
    visits = [UnitVisit(r.visit_id, r.visit_date, r.visit_type, r.rubric_id, r.rubric_hash, r.campaign_id,
                        r.amendment_no, r.total, r.maximum, r.percentage, r.band_code, r.band_zh, r.band_en,
                        json.loads(r.vetoes)) for r in rows]
    return UnitHistory(unit_id, visits, _combined(conn, rows))


def _rubric(conn: Connection, rubric_hash: str) -> Rubric | None:
    document = conn.execute(select(rubric_templates.c.document)
                            .where(rubric_templates.c.hash == rubric_hash)).scalar_one_or_none()
    return None if document is None else build_rubric(loads_exact(document))


def _combined(conn: Connection, rows: Sequence[Any]) -> list[CombinedScore]:
    groups: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for r in rows:
        groups[(r.rubric_hash, r.visit_date[:4])].append(r)
    out = []
    rubrics: dict[str, Rubric | None] = {}
    for (rubric_hash, year), checks in sorted(groups.items(), key=lambda g: (g[0][1], g[0][0])):
        if rubric_hash not in rubrics:
            rubrics[rubric_hash] = _rubric(conn, rubric_hash)
        rubric = rubrics[rubric_hash]
        if rubric is None or rubric.combine is None:
            continue
        method = rubric.combine.method
        band_values = [Decimal(c.band_value) for c in checks if c.band_value is not None]
        band_value = combine(band_values, method) if band_values else None
        codes = list(dict.fromkeys(code for c in checks for code in json.loads(c.vetoes)))
        hits = tuple(VetoHit(v.code, v.label, v.item, v.effect, v.cap_band) for v in rubric.vetoes if v.code in codes)
        band, failed = band_for(rubric, band_value, hits)
        out.append(CombinedScore(
            rubric.id, rubric_hash, year, method, rubric.combine.count, len(checks),
            str(_s(combine([Decimal(c.total) for c in checks], method))),
            str(_s(combine([Decimal(c.maximum) for c in checks], method))),
            None if band is None else band.code, None if band is None else band.label.zh,
            None if band is None else band.label.en, codes, failed))
    return out


# --- a visit: its sections and items --------------------------------------------------------


@dataclass(frozen=True)
class ScoreLine:
    rubric_hash: str
    code: str
    section_code: str | None
    awarded: str
    maximum: str


def visit_scores(conn: Connection, scope: str, visit_id: str) -> tuple[list[ScoreLine], list[ScoreLine]]:
    """A visit's section scores and item scores (its latest finalized version); not found when
    the visit is outside the scope or holds no results."""
    places = unit_places(scope)
    held = conn.execute(select(vr.c.visit_id).join(places, places.c.unit_id == vr.c.unit_id)
                        .where(vr.c.visit_id == visit_id).limit(1)).first()
    if held is None:
        raise NotFound("no such visit")
    sections = [ScoreLine(r.rubric_hash, r.section_code, None, r.awarded, r.maximum) for r in conn.execute(
        select(section_scores).where(section_scores.c.visit_id == visit_id)
        .order_by(section_scores.c.rubric_hash, section_scores.c.section_code))]
    items = [ScoreLine(r.rubric_hash, r.item_code, r.section_code, r.awarded, r.maximum) for r in conn.execute(
        select(item_scores).where(item_scores.c.visit_id == visit_id)
        .order_by(item_scores.c.rubric_hash, item_scores.c.item_code))]
    return sections, items


# --- a campaign's results, for its exports and bulletin ------------------------------------


class ResultRow(NamedTuple):
    visit_id: str
    visit_date: str
    visit_type: str
    unit_id: str
    unit_code: str
    unit_name: str
    unit_type: str
    county_code: str | None
    county_name: str | None
    rubric_id: str
    rubric_hash: str
    amendment_no: int
    awarded: str
    bonus: str
    total: str
    maximum: str
    percentage: float | None
    band_code: str | None
    band_zh: str | None
    band_en: str | None
    vetoes: str  # JSON list of veto codes
    # Whether this is the unit's result the campaign's figures count (its latest there).
    counted: bool


def campaign_results(conn: Connection, scope: str, campaign_id: str) -> list[ResultRow]:
    """Every finalized visit of the campaign in scope, one row per rubric, by county, unit and date."""
    _plain_plans(conn)
    places = unit_places(scope)
    c = vr.c
    rows = conn.execute(select(c.visit_id, c.visit_date, c.visit_type, c.unit_id, places.c.code, places.c.name,
                               places.c.unit_type, places.c.county_code, places.c.county_name, c.rubric_id,
                               c.rubric_hash, c.amendment_no, c.awarded, c.bonus, c.total, c.maximum, c.percentage,
                               c.band_code, c.band_zh, c.band_en, c.vetoes, c.latest_in_campaign)
                        .join(places, places.c.unit_id == c.unit_id).where(c.campaign_id == campaign_id)
                        .order_by(places.c.county_code, places.c.code, c.visit_date, c.visit_id, c.position)).all()
    return [ResultRow._make((*r[:-1], bool(r[-1]))) for r in rows]


class ItemScoreRow(NamedTuple):
    visit_id: str
    unit_code: str
    rubric_id: str
    rubric_hash: str
    section_code: str | None
    item_code: str
    awarded: str
    maximum: str
    na: bool


def campaign_item_scores(conn: Connection, scope: str, campaign_id: str) -> list[ItemScoreRow]:
    """Every item score of the campaign's finalized visits in scope, by unit, visit and item."""
    _plain_plans(conn)
    places = unit_places(scope)
    rows = conn.execute(select(item_scores.c.visit_id, places.c.code, vr.c.rubric_id, item_scores.c.rubric_hash,
                               item_scores.c.section_code, item_scores.c.item_code, item_scores.c.awarded,
                               item_scores.c.maximum, item_scores.c.na)
                        .join(vr, (vr.c.visit_id == item_scores.c.visit_id)
                              & (vr.c.rubric_hash == item_scores.c.rubric_hash))
                        .join(places, places.c.unit_id == vr.c.unit_id).where(vr.c.campaign_id == campaign_id)
                        .order_by(places.c.code, vr.c.visit_date, item_scores.c.visit_id, vr.c.position,
                                  item_scores.c.item_code)).all()
    return [ItemScoreRow._make((*r[:-1], bool(r[-1]))) for r in rows]


# --- findings and rectification -------------------------------------------------------------


@dataclass(frozen=True)
class FindingState:
    finding_id: str
    visit_id: str
    unit_id: str
    unit_code: str
    unit_name: str
    county_id: str | None
    county_name: str | None
    campaign_id: str | None
    description: str
    requirement: str
    deadline: str | None
    responsible: str
    severity: str
    status: str
    # Later visits that wrote an event on the finding.
    follow_ups: int
    overdue: bool
    escalate: bool


def open_findings(conn: Connection, scope: str, *, today: date, county_id: str | None = None,
                  severity: str | None = None, campaign_id: str | None = None,
                  include_closed: bool = False) -> list[FindingState]:
    """Every finding not closed (nor fixed on site), deadline first (none last); with
    ``include_closed``, every finding (a campaign's export)."""
    places = unit_places(scope)
    found = conn.execute(select(sync_rows.c.key, sync_rows.c.visit_id, sync_rows.c.row_values, places)
                         .join(places, places.c.unit_id == sync_rows.c.unit_id)
                         .where(live_rows("findings"), *([places.c.county_id == county_id] if county_id else []))
                         ).all()
    if not found:
        return []
    # finding id -> its live events as (at, rev, status, visit id): sorted, the last is its status.
    events: dict[str, list[tuple[str, str, str, str | None]]] = defaultdict(list)
    for e in conn.execute(select(sync_rows.c.rev, sync_rows.c.row_values)
                          .join(places, places.c.unit_id == sync_rows.c.unit_id)
                          .where(live_rows("finding_events"))):
        values = json.loads(e.row_values)
        events[str(values.get("finding_id"))].append(
            (str(values.get("at") or ""), e.rev, str(values.get("status")), values.get("visit_id")))
    campaigns = _visit_campaigns(conn, {r.visit_id for r in found})
    out = []
    for r in found:
        values = json.loads(r.row_values)
        if severity is not None and values.get("severity") != severity:
            continue
        campaign = campaigns.get(r.visit_id)
        if campaign_id is not None and campaign != campaign_id:
            continue
        log = sorted(events.get(r.key, []))
        status = log[-1][2] if log else "open"
        if status in CLOSED_STATUSES and not include_closed:
            continue
        follow_ups = len({v for _, _, _, v in log if v is not None and v != r.visit_id})
        not_fixed = len({v for _, _, s, v in log if s == "reopened" and v is not None and v != r.visit_id})
        deadline = values.get("deadline")
        overdue = status in OVERDUE_STATUSES and deadline is not None and deadline < today.isoformat()
        out.append(FindingState(r.key, r.visit_id, r.unit_id, r.code, r.name, r.county_id, r.county_name,
                                campaign, values.get("description") or "", values.get("requirement") or "",
                                deadline, values.get("responsible") or "", values.get("severity") or "general",
                                status, follow_ups, overdue,
                                not_fixed >= ESCALATE_AFTER and status in NOT_FIXED))
    out.sort(key=lambda f: (f.deadline is None, f.deadline or "", f.unit_code, f.finding_id))
    return out


def _visit_campaigns(conn: Connection, visit_ids: set[str]) -> dict[str, str | None]:
    """The campaign of each visit, through the assignment its visits row names."""
    named = {r.key: json.loads(r.row_values).get("assignment_id") for r in conn.execute(
        select(sync_rows.c.key, sync_rows.c.row_values)
        .where(sync_rows.c.table_name == "visits", sync_rows.c.key.in_(sorted(visit_ids))))}
    wanted = sorted({a for a in named.values() if isinstance(a, str)})
    campaign = dict(conn.execute(select(assignments.c.id, assignments.c.campaign_id)
                                 .where(assignments.c.id.in_(wanted))).all()) if wanted else {}
    return {v: campaign.get(a) if isinstance(a, str) else None for v, a in named.items()}
