"""A visit as the server holds it: its pushed rows, its canonical record and the server's re-score.

The record is built by the laptop's own builder (``app.visit_record``) from the rows in
``sync_rows`` and the unit's code from the server's units, and scored by the laptop's engine
with the server's templates and unit profile, so a finalized visit's hash and score can be
checked here without trusting the laptop.

One thing the rows cannot give: the laptop lists a visit's members leaders first and then by the
inspector's name, and the server keeps no inspectors. So the order within each role is searched
(``record_matching``): every order is tried until one gives the hash stated, up to
``MAX_MEMBER_ORDERS`` orders (a team of 7 of one role); the set of members and their roles are
never guessed.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import groupby, permutations, product
from math import factorial, prod
from typing import Any

from sqlalchemy import Connection, select

from app.canonical import content_hash, loads_exact
from app.models import Response
from app.rubric import Rubric, check_answers, score
from app.rubric.validate import build_rubric
from app.scores import answers_of, profile_of_unit, summarise
from app.visit_record import build_visit_record, member_order
from server.store.schema import rubric_templates, sync_rows, units

MAX_MEMBER_ORDERS = factorial(7)

# The visit tables the record is built from, and the name of each one's builder argument.
RECORD_TABLES = {"visit_rubrics": "rubrics", "visit_members": "members", "visit_sections": "sections",
                 "responses": "responses", "findings": "findings", "good_practices": "practices"}


class UnusableRows(Exception):
    """The rows held lack a column the record or the score needs, or hold an answer the rubric
    refuses (the server does not trust a pushed value to fit its item)."""


@dataclass(frozen=True)
class HeldVisit:
    visit_id: str
    unit_id: str
    # The visits row's values, and every row of the visit by table (values with ``id`` = key and
    # ``deleted``), tombstones included: the builder decides what counts.
    values: dict[str, Any]
    rows: dict[str, list[dict[str, Any]]]
    unit: dict[str, Any] | None
    # The names of the members' inspectors the laptops pushed (by inspector id): the laptop lists
    # a visit's members by name within each role, and so does the record.
    names: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RubricScore:
    """The server's score of one rubric of a visit, as the laptop's summary shows it."""

    rubric_hash: str
    total: str
    maximum: str
    # The band's Chinese label (what the sheet prints), None without a band.
    band: str | None
    vetoes: list[dict[str, Any]]

    def json(self) -> dict[str, Any]:
        return {"rubric_hash": self.rubric_hash, "total": self.total, "maximum": self.maximum, "band": self.band,
                "vetoes": self.vetoes}


def load_visit(conn: Connection, visit_id: str) -> HeldVisit | None:
    """The visit's rows as held now; None when the server has no live visits row for it."""
    stored = conn.execute(select(sync_rows).where(sync_rows.c.visit_id == visit_id)).all()
    rows: dict[str, list[dict[str, Any]]] = {}
    visit = None
    for r in stored:
        values = {**json.loads(r.row_values), "id": r.key, "deleted": bool(r.deleted)}
        if r.table_name == "visits" and r.key == visit_id:
            visit = (values, r.unit_id)
        rows.setdefault(r.table_name, []).append(values)
    if visit is None or visit[0]["deleted"] or visit[1] is None:
        return None
    unit = conn.execute(select(units).where(units.c.id == visit[1])).first()
    member_ids = sorted({str(m.get("inspector_id")) for m in rows.get("visit_members", [])})
    names = {r.key: json.loads(r.row_values).get("name") for r in conn.execute(select(sync_rows).where(
        sync_rows.c.table_name == "inspectors", sync_rows.c.key.in_(member_ids)))} if member_ids else {}
    return HeldVisit(visit_id, str(visit[1]), visit[0], rows, None if unit is None else dict(unit._mapping),
                     {k: v for k, v in names.items() if isinstance(v, str)})


def build_record(held: HeldVisit) -> dict[str, Any]:
    """The canonical record from the rows, members of one role in inspector id order."""
    if held.unit is None:
        raise UnusableRows(f"the server does not have the visit's unit {held.unit_id}")
    tables = {arg: held.rows.get(table, []) for table, arg in RECORD_TABLES.items()}
    # By name within a role where the inspectors were pushed, as the laptop lists them; members
    # whose names the server lacks stay in inspector id order (the same on every call), and the
    # search over orders (member_orders) finds the laptop's.
    tables["members"] = [{**m, "name": held.names.get(str(m.get("inspector_id")), "")}
                         for m in sorted(tables["members"], key=lambda m: str(m.get("inspector_id")))]
    try:
        return build_visit_record(held.values, unit_code=held.unit["code"], **tables)
    except (KeyError, TypeError, ValueError) as exc:
        raise UnusableRows(f"the visit's rows as held cannot make its record ({type(exc).__name__}: {exc})") \
            from None


def _role_groups(record: dict[str, Any]) -> list[list[dict[str, Any]]]:
    return [list(g) for _, g in groupby(record["members"], key=member_order)]


def too_many_orders(record: dict[str, Any]) -> bool:
    """More orders of the members than the search tries (only the held order is then)."""
    return prod(factorial(len(g)) for g in _role_groups(record)) > MAX_MEMBER_ORDERS


def member_orders(record: dict[str, Any], hint: list[dict[str, Any]] | None = None) -> Iterator[dict[str, Any]]:
    """``record`` with its members in every order the laptop could have listed them: the order of
    ``hint`` (an earlier version's members) first, then each order within each role."""
    members = record["members"]
    if hint:
        known = {m["inspector_id"]: n for n, m in enumerate(hint)}
        yield {**record, "members": sorted(members, key=lambda m: (member_order(m), known.get(m["inspector_id"],
                                                                                                len(known))))}
    groups = _role_groups(record)
    if too_many_orders(record):
        yield record
        return
    for combo in product(*(permutations(g) for g in groups)):
        yield {**record, "members": [m for group in combo for m in group]}


def record_matching(record: dict[str, Any], digest: str,
                    hint: list[dict[str, Any]] | None = None) -> dict[str, Any] | None:
    """The order of ``record`` whose content hash is ``digest``; None when there is none."""
    return next((r for r in member_orders(record, hint) if content_hash(r) == digest), None)


def held_rubric(conn: Connection, rubric_hash: str) -> Rubric | None:
    document = conn.execute(select(rubric_templates.c.document)
                            .where(rubric_templates.c.hash == rubric_hash)).scalar_one_or_none()
    # Only validated documents are stored (publish_rubric), so the schema check is not repeated.
    return None if document is None else build_rubric(loads_exact(document))


def photo_counts(held: HeldVisit, rubric_hash: str) -> Counter[str]:
    """Live photos linked to each item of one rubric, as the laptop counts them: a photo's link to
    an item is its ``evidence_links`` row."""
    photos = {e["id"] for e in held.rows.get("evidence", []) if not e["deleted"]}
    return Counter(link["item_code"] for link in held.rows.get("evidence_links", [])
                   if not link["deleted"] and link.get("evidence_id") in photos
                   and link.get("rubric_hash") == rubric_hash and link.get("item_code") is not None)


def rescore(held: HeldVisit, rubrics: dict[str, Rubric], rubric_hashes: list[str]) -> list[RubricScore]:
    """Each rubric's score with the laptop's engine, from the responses and photos held."""
    try:
        responses = [Response.from_row({"answered_at": "", **r}) for r in held.rows.get("responses", [])
                     if not r["deleted"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise UnusableRows(f"the visit's responses as held cannot be scored ({type(exc).__name__}: {exc})") \
            from None
    scores = []
    for rubric_hash in rubric_hashes:
        rubric = rubrics[rubric_hash]
        answers = answers_of(responses, photo_counts(held, rubric_hash), rubric_hash)
        problems = check_answers(rubric, answers)
        if problems:
            raise UnusableRows(f"the visit's answers do not fit rubric {rubric.id} {rubric.version}: {problems[0]}")
        result = score(rubric, answers, profile_of_unit(held.unit))
        summary = summarise(result)
        scores.append(RubricScore(
            rubric_hash, summary.awarded, summary.maximum, None if summary.band is None else summary.band.zh,
            [{"code": v.code, "item": v.item, "effect": v.effect} for v in result.vetoes]))
    return scores
