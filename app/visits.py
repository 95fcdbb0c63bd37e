"""The visit lifecycle: create, answer and clear items, finalize, amend.

Each operation is one transaction and returns what it changed. A finalized visit is read-only
here: finalizing and amending are in ``app.finalize``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.changes import OpChanges, OpChangesWithId
from app.errors import InvalidAnswer, NotFound, VisitLocked
from app.ids import InspectorId, RubricHash, VisitId, new_id
from app.models import EVIDENCE_METHODS, AuditEntry, Member, Response, Visit
from app.profile import Profile, Tx
from app.rubric import check_answer
from app.rubric_store import get_rubric
from app.visit_record import build_visit_record
from db import rows
from db.codes import VISIT_TYPES
from db.queries import areas, audit, campaigns, people
from db.queries import findings as fq
from db.queries import responses as rq
from db.queries import visits as vq
from db.queries.visits import VisitFilter


@dataclass(frozen=True)
class NewVisit:
    unit_id: str
    visit_type: str
    starts_on: str
    rubric_hashes: Sequence[str]
    ends_on: str | None = None
    team_id: str | None = None
    assignment_id: str | None = None
    # (inspector id, "leader" | "member"); empty means the team's members.
    members: Sequence[tuple[str, str]] = ()
    # 分工: (rubric hash, section code) -> inspector id.
    sections: Mapping[tuple[str, str], str] | None = None


def _check_date(text: str, label: str) -> None:
    try:
        date.fromisoformat(text)
    except (TypeError, ValueError) as exc:
        raise InvalidAnswer(f"{label} {text!r} is not a date (YYYY-MM-DD)") from exc


def create_visit(profile: Profile, spec: NewVisit) -> OpChangesWithId:
    if spec.visit_type not in VISIT_TYPES:
        raise InvalidAnswer(f"unknown visit type {spec.visit_type!r}; one of {', '.join(VISIT_TYPES)}")
    ends_on = spec.ends_on or spec.starts_on
    _check_date(spec.starts_on, "start date")
    _check_date(ends_on, "end date")
    if ends_on < spec.starts_on:
        raise InvalidAnswer(f"the visit ends ({ends_on}) before it starts ({spec.starts_on})")
    if not spec.rubric_hashes:
        raise InvalidAnswer("a visit needs at least one rubric")
    if areas.get_unit(profile.db, spec.unit_id) is None:
        raise NotFound(f"no unit with id {spec.unit_id}")
    rubrics = {h: get_rubric(profile, h) for h in spec.rubric_hashes}
    members = list(spec.members)
    if not members and spec.team_id:
        members = [(m["id"], m["role"]) for m in people.team_members(profile.db, spec.team_id)]
    for (rubric_hash, section), _who in (spec.sections or {}).items():
        if rubric_hash not in rubrics or section not in rubrics[rubric_hash].sections_by_code:
            raise InvalidAnswer(f"section {section!r} is not in the visit's rubric {rubric_hash[:12]}")
    visit_id = new_id()
    with profile.transaction() as tx:
        rows.insert(tx.db, "visits", {
            "id": visit_id, "assignment_id": spec.assignment_id, "unit_id": spec.unit_id,
            "visit_type": spec.visit_type, "status": "in_progress", "starts_on": spec.starts_on,
            "ends_on": ends_on, "team_id": spec.team_id, "created_at": tx.now,
            "finalized_at": None, "content_hash": None,
        }, tx.meta)
        for position, rubric_hash in enumerate(spec.rubric_hashes):
            vq.add_rubric(tx.db, visit_id, rubric_hash, position)
        for inspector_id, role in members:
            vq.add_member(tx.db, visit_id, inspector_id, role)
        for (rubric_hash, section), inspector_id in (spec.sections or {}).items():
            vq.assign_section(tx.db, visit_id, rubric_hash, section, inspector_id)
    return OpChangesWithId(visit_id, OpChanges(visit=True, visit_ids=frozenset({visit_id})))


def create_visit_from_assignment(profile: Profile, assignment_id: str, *, starts_on: str) -> OpChangesWithId:
    a = campaigns.get_assignment(profile.db, assignment_id)
    if a is None:
        raise NotFound(f"no assignment with id {assignment_id}")
    return create_visit(profile, NewVisit(
        unit_id=a["unit_id"], visit_type=a["visit_type"], starts_on=starts_on,
        rubric_hashes=json.loads(a["rubric_hashes"]), team_id=a["team_id"], assignment_id=assignment_id,
    ))


def get_visit(profile: Profile, visit_id: str) -> Visit:
    row = vq.get_visit(profile.db, visit_id)
    if row is None:
        raise NotFound(f"no visit with id {visit_id}")
    members = tuple(Member(InspectorId(m["id"]), m["name"], m["role"]) for m in vq.members(profile.db, visit_id))
    hashes = tuple(RubricHash(h) for h in vq.rubric_hashes(profile.db, visit_id))
    return Visit.from_row(row, hashes, members)


def list_responses(profile: Profile, visit_id: str) -> list[Response]:
    return [Response.from_row(r) for r in rq.list_responses(profile.db, visit_id)]


def _editable(profile: Profile, visit_id: str) -> Visit:
    visit = get_visit(profile, visit_id)
    if visit.locked:
        raise VisitLocked(f"visit {visit_id} is finalized; amend it with a reason instead")
    if visit.status == "cancelled":
        raise VisitLocked(f"visit {visit_id} was cancelled")
    return visit


def check_item(profile: Profile, visit: Visit, rubric_hash: str, item_code: str, value: Any, na: bool) -> None:
    if rubric_hash not in visit.rubric_hashes:
        raise InvalidAnswer(f"rubric {rubric_hash[:12]} is not pinned by this visit")
    rubric = get_rubric(profile, rubric_hash)
    item = rubric.items.get(item_code)
    if item is None:
        raise InvalidAnswer(f"item {item_code!r} is not in rubric {rubric.id} {rubric.version}")
    if na:
        if not item.na_allowed:
            raise InvalidAnswer(f"item {item_code} cannot be marked not applicable")
    elif value is not None:
        check_answer(item, value)


def check_methods(methods: Iterable[str]) -> list[str]:
    methods = list(dict.fromkeys(methods))
    unknown = [m for m in methods if m not in EVIDENCE_METHODS]
    if unknown:
        raise InvalidAnswer(f"unknown evidence method {unknown[0]!r}; one of {', '.join(EVIDENCE_METHODS)}")
    return methods


def write_response(tx: Tx, visit_id: str, rubric_hash: str, item_code: str, *, value: Any,
                    na: bool, methods: list[str], note: str, reason: str, by: str | None,
                    deleted: bool = False) -> None:
    existing = rq.get_response(tx.db, visit_id, rubric_hash, item_code)
    rq.upsert_response(tx.db, {
        "id": existing["id"] if existing else new_id(), "visit_id": visit_id,
        "rubric_hash": rubric_hash, "item_code": item_code,
        "value": None if value is None else json.dumps(value, ensure_ascii=False),
        "na": int(na), "evidence_methods": json.dumps(methods), "note": note, "reason": reason,
        "answered_by": by or tx.by, "answered_at": tx.now, "deleted": int(deleted),
    }, tx.meta)


def answer_item(
    profile: Profile, visit_id: str, *, rubric_hash: str, item_code: str, value: Any = None,
    na: bool = False, evidence_methods: Iterable[str] = (), note: str = "", reason: str = "",
    by: str | None = None,
) -> OpChanges:
    """Record the answer to one item; it is durable when this returns."""
    visit = _editable(profile, visit_id)
    check_item(profile, visit, rubric_hash, item_code, value, na)
    methods = check_methods(evidence_methods)
    with profile.transaction() as tx:
        write_response(tx, visit_id, rubric_hash, item_code, value=None if na else value, na=na,
                        methods=methods, note=note, reason=reason, by=by)
    return OpChanges(responses=True, visit_ids=frozenset({visit_id}), item_codes=frozenset({item_code}))


def clear_item(profile: Profile, visit_id: str, *, rubric_hash: str, item_code: str) -> OpChanges:
    """Forget an item's answer. The row becomes a tombstone so the clearing syncs too."""
    _editable(profile, visit_id)
    with profile.transaction() as tx:
        existing = rq.get_response(tx.db, visit_id, rubric_hash, item_code)
        if existing is None or existing["deleted"]:
            return OpChanges()
        write_response(tx, visit_id, rubric_hash, item_code, value=None, na=False, methods=[],
                        note="", reason="", by=None, deleted=True)
    return OpChanges(responses=True, visit_ids=frozenset({visit_id}), item_codes=frozenset({item_code}))


def visit_record(profile: Profile, visit_id: str) -> dict:
    """The canonical form of a visit: what the content hash of a finalized visit covers."""
    row = vq.get_visit(profile.db, visit_id)
    if row is None:
        raise NotFound(f"no visit with id {visit_id}")
    db = profile.db
    return build_visit_record(
        row, unit_code=row["unit_code"],
        rubrics=[{"rubric_hash": h, "position": n} for n, h in enumerate(vq.rubric_hashes(db, visit_id))],
        members=[{"inspector_id": m["id"], "role": m["role"], "name": m["name"]} for m in vq.members(db, visit_id)],
        sections=vq.sections(db, visit_id), responses=rq.list_responses(db, visit_id),
        findings=fq.list_findings(db, visit_id), practices=fq.list_practices(db, visit_id))


def response_state(row: dict | None) -> dict | None:
    """An answer as the audit log keeps it: None for no answer."""
    if row is None or row["deleted"]:
        return None
    return {"value": None if row["value"] is None else json.loads(row["value"]),
            "na": bool(row["na"]), "evidence_methods": json.loads(row["evidence_methods"]),
            "note": row["note"], "reason": row["reason"]}


def audit_trail(profile: Profile, visit_id: str) -> list[AuditEntry]:
    return [
        AuditEntry(r["table_name"], r["row_id"], r["field"], r["old_value"], r["new_value"],
                   r["reason"], r["by_inspector"], r["at"])
        for r in audit.list_entries(profile.db, visit_id)
    ]


def cancel_visit(profile: Profile, visit_id: str) -> OpChanges:
    """Cancel an unfinished visit. Its answers are kept; the visit just leaves the working lists."""
    _editable(profile, visit_id)
    with profile.transaction() as tx:
        rows.update(tx.db, "visits", visit_id, {"status": "cancelled"}, tx.meta)
    return OpChanges(visit=True, visit_ids=frozenset({visit_id}))


def list_visits(profile: Profile, f: VisitFilter | None = None, *, limit: int = 50, offset: int = 0) -> list[Visit]:
    return [Visit.from_row(r) for r in vq.list_visits(profile.db, f or VisitFilter(), limit=limit, offset=offset)]


def count_visits(profile: Profile, f: VisitFilter | None = None) -> int:
    return vq.count_visits(profile.db, f or VisitFilter())


__all__ = [
    "NewVisit", "answer_item", "audit_trail", "cancel_visit", "clear_item", "count_visits",
    "create_visit", "create_visit_from_assignment", "get_visit", "list_responses",
    "list_visits", "visit_record", "VisitFilter", "VisitId",
]
