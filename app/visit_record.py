"""The canonical record of a visit: what a finalized visit's content hash covers.

One definition for the laptop (``app.visits.visit_record``, from its SQLite rows) and the server
(from the rows it holds in ``sync_rows``), so both hash the same bytes. It takes plain row dicts
with the synced columns, as either side holds them, and decides here which rows count and in
which order:

- rows with a true ``deleted`` are left out (tombstones sync, but are not content);
- rubrics in ``position`` order; responses by (rubric, item); sections by (rubric, section);
  findings and good practices by (``created_at``, ``id``);
- members leaders first, then by the inspector's ``name``. The name is not in the record and
  only the laptop holds inspectors; a member without a name sorts as "". The sort is stable, so
  members that tie keep the order they were given in.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

FORMAT = "fieldmark.visit/1"

Row = Mapping[str, Any]

# The tables whose rows the record covers (besides the visit row): after finalization only an
# amendment changes them, on the laptop and, for rows from other devices, on the server.
RECORD_TABLES = frozenset({"visit_rubrics", "visit_members", "visit_sections", "responses", "findings",
                           "good_practices"})

VISIT_FIELDS = ("id", "unit_id", "visit_type", "starts_on", "ends_on", "team_id", "assignment_id")
FINDING_FIELDS = ("id", "rubric_hash", "item_code", "description", "requirement", "deadline", "responsible",
                  "severity")


def _live(rows: Iterable[Row]) -> list[Row]:
    return [r for r in rows if not r.get("deleted")]


def _json_text(text: str | None) -> Any:
    # The laptop stores answers and method lists as JSON text; the record holds the values.
    return None if text is None else json.loads(text)


def member_order(member: Row) -> tuple[bool, str]:
    """Leaders first, then by name (the order the laptop lists a visit's members in)."""
    return member["role"] == "member", member.get("name") or ""


def build_visit_record(visit: Row, *, unit_code: str, rubrics: Iterable[Row], members: Iterable[Row],
                       sections: Iterable[Row], responses: Iterable[Row], findings: Iterable[Row],
                       practices: Iterable[Row]) -> dict[str, Any]:
    """The canonical record of ``visit`` from its rows.

    ``rubrics`` are visit_rubrics rows (rubric_hash, position), ``members`` visit_members rows
    (inspector_id, role, and the inspector's name where known), ``sections`` visit_sections rows;
    ``responses``, ``findings`` and ``practices`` (good_practices) rows as stored, JSON text columns
    included. Every row dict needs the identifying ``id`` where its table has one.
    """
    return {
        "format": FORMAT,
        "visit": {**{k: visit[k] for k in VISIT_FIELDS}, "unit_code": unit_code},
        "rubrics": [r["rubric_hash"] for r in sorted(_live(rubrics), key=lambda r: (r["position"], r["rubric_hash"]))],
        "members": [{"inspector_id": m["inspector_id"], "role": m["role"]}
                    for m in sorted(_live(members), key=member_order)],
        "sections": [{"rubric_hash": s["rubric_hash"], "section_code": s["section_code"],
                      "inspector_id": s["inspector_id"]}
                     for s in sorted(_live(sections), key=lambda s: (s["rubric_hash"], s["section_code"]))],
        "responses": [
            {"rubric_hash": r["rubric_hash"], "item_code": r["item_code"], "value": _json_text(r["value"]),
             "na": bool(r["na"]), "evidence_methods": list(_json_text(r["evidence_methods"])), "note": r["note"],
             "reason": r["reason"]}
            for r in sorted(_live(responses), key=lambda r: (r["rubric_hash"], r["item_code"]))
        ],
        "findings": [{k: f[k] for k in FINDING_FIELDS}
                     for f in sorted(_live(findings), key=lambda f: (f["created_at"], f["id"]))],
        "good_practices": [{"id": p["id"], "text": p["text"], "item_code": p["item_code"]}
                           for p in sorted(_live(practices), key=lambda p: (p["created_at"], p["id"]))],
    }
