"""The dashboard's result tables, written when a finalized version is recorded.

A visit's results are scored from its canonical record (the one whose hash the laptop stated)
with the laptop's engine, the server's templates and the unit's profile numbers: the same
engine and inputs as ``server.sync.held_visit.rescore``. Photos change only the gap list, never
a score, so the record alone (which holds no photo counts) gives the same points.

Only the latest version counts: a version is written when no later amendment of the visit is
held in ``visit_results``, and replaces whatever an earlier version wrote.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from app.rubric import Answer, Rubric, ScoreResult, check_answers, score
from app.rubric.result import _s
from app.scores import profile_of_unit
from server.store.schema import assignments, item_scores, section_scores, visit_results


class Unscorable(Exception):
    """The record's answers do not fit a rubric it pins."""


def score_record(record: Mapping[str, Any], rubrics: Mapping[str, Rubric],
                 unit: Mapping[str, Any] | None) -> list[ScoreResult]:
    """Each pinned rubric's score of the canonical ``record``, in the visit's rubric order."""
    results = []
    profile = profile_of_unit(unit)
    for rubric_hash in record["rubrics"]:
        rubric = rubrics[rubric_hash]
        answers = {r["item_code"]: Answer(value=r["value"], na=bool(r["na"]), reason=r["reason"] or None)
                   for r in record["responses"] if r["rubric_hash"] == rubric_hash}
        problems = check_answers(rubric, answers)
        if problems:
            raise Unscorable(f"the answers do not fit rubric {rubric.id} {rubric.version}: {problems[0]}")
        results.append(score(rubric, answers, profile))
    return results


def _text(value: Decimal | None) -> str | None:
    return _s(value)


def write_results(conn: Connection, *, visit_id: str, amendment_no: int, unit_id: str,
                  record: Mapping[str, Any], rubrics: Mapping[str, Rubric], unit: Mapping[str, Any] | None,
                  server_seq: int) -> bool:
    """Replace the visit's results with this version's; False (nothing written) when a later
    amendment's results are held already."""
    held = conn.execute(select(visit_results.c.amendment_no).where(visit_results.c.visit_id == visit_id)
                        .limit(1)).scalar_one_or_none()
    if held is not None and held > amendment_no:
        return False
    scores = score_record(record, rubrics, unit)
    visit = record["visit"]
    assignment_id = visit.get("assignment_id")
    campaign_id = None if assignment_id is None else conn.execute(
        select(assignments.c.campaign_id).where(assignments.c.id == assignment_id)).scalar_one_or_none()
    # The units and rubrics whose latest result may change: the version replaced and this one.
    groups: set[tuple[str, str]] = {(r.unit_id, r.rubric_id) for r in conn.execute(
        select(visit_results.c.unit_id, visit_results.c.rubric_id).where(visit_results.c.visit_id == visit_id))}
    groups |= {(unit_id, rubrics[h].id) for h in record["rubrics"]}
    for table in (item_scores, section_scores, visit_results):
        conn.execute(delete(table).where(table.c.visit_id == visit_id))
    result_rows, item_rows, section_rows = [], [], []
    for position, (rubric_hash, result) in enumerate(zip(record["rubrics"], scores, strict=True)):
        rubric = rubrics[rubric_hash]
        vetoes = [v.code for v in result.vetoes]
        band = result.band
        result_rows.append({
            "visit_id": visit_id, "rubric_hash": rubric_hash, "position": position, "rubric_id": rubric.id,
            "unit_id": unit_id, "assignment_id": assignment_id, "campaign_id": campaign_id,
            "visit_type": visit["visit_type"], "visit_date": visit["starts_on"], "amendment_no": amendment_no,
            "awarded": _text(result.awarded), "bonus": _text(result.bonus),
            "total": _text(result.total_with_bonus), "maximum": _text(result.maximum),
            "band_value": _text(result.band_value),
            "total_num": float(result.total_with_bonus), "maximum_num": float(result.maximum),
            "percentage": None if result.percentage is None else float(result.percentage),
            "band_code": None if band is None else band.code, "band_zh": None if band is None else band.label.zh,
            "band_en": None if band is None else band.label.en,
            "vetoes": json.dumps(vetoes), "vetoed": bool(vetoes), "failed": result.failed,
            "server_seq": server_seq, "latest_in_campaign": False, "latest_of_unit": False,
        })
        item_rows += [{"visit_id": visit_id, "rubric_hash": rubric_hash, "item_code": item.code,
                       "section_code": rubric.items[item.code].section, "awarded": _text(item.awarded),
                       "maximum": _text(item.maximum), "na": item.na}
                      for item in result.items.values()]
        section_rows += [{"visit_id": visit_id, "rubric_hash": rubric_hash, "section_code": sec.code,
                          "awarded": _text(sec.awarded), "maximum": _text(sec.maximum)}
                         for sec in result.sections.values()]
    for table, rows in ((visit_results, result_rows), (item_scores, item_rows), (section_scores, section_rows)):
        if rows:
            conn.execute(insert(table), rows)
    for of_unit, rubric_id in sorted(groups):
        mark_latest(conn, of_unit, rubric_id)
    return True


def mark_latest(conn: Connection, unit_id: str, rubric_id: str) -> None:
    """Set ``latest_in_campaign`` and ``latest_of_unit`` on the unit's results under the rubric:
    the latest by visit date, then by server sequence, then by visit id."""
    c = visit_results.c
    rows = conn.execute(select(c.visit_id, c.rubric_hash, c.campaign_id, c.visit_date, c.server_seq,
                               c.latest_in_campaign, c.latest_of_unit)
                        .where(c.unit_id == unit_id, c.rubric_id == rubric_id)).all()

    def order(r: Any) -> tuple[str, int, str]:
        return r.visit_date, r.server_seq, r.visit_id

    best: dict[str, Any] = {}
    for r in rows:
        if r.campaign_id is not None and (r.campaign_id not in best or order(r) > order(best[r.campaign_id])):
            best[r.campaign_id] = r
    newest = max(rows, key=order, default=None)
    for r in rows:
        flags = (r.campaign_id is not None and best[r.campaign_id] is r, r is newest)
        if flags != (bool(r.latest_in_campaign), bool(r.latest_of_unit)):
            conn.execute(update(visit_results).where(c.visit_id == r.visit_id, c.rubric_hash == r.rubric_hash)
                         .values(latest_in_campaign=flags[0], latest_of_unit=flags[1]))
