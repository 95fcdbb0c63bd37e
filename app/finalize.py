"""Finalizing a visit and amending it afterwards.

Finalizing locks the visit and records the hash of its canonical form. With gaps still open it
is a deliberate act: the caller must say so (``accept_gaps``), and an office can forbid it per
campaign or in the profile's settings.

After that, every change is an amendment: numbered, with a reason, in one transaction with its
audit rows. An amendment that changes the score or the findings moves the visit to a new
version, so the signatures given before are shown as signatures of the earlier version.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from app.canonical import content_hash
from app.changes import OpChanges, OpChangesWithId
from app.conflicts import refuse_while_conflicts_open
from app.errors import GapsOpen, InvalidAnswer, VisitLocked
from app.gaps import GapEntry, gap_check
from app.ids import new_id
from app.models import Visit
from app.profile import Profile, Tx
from app.scores import score_visit, visit_summaries
from app.settings import get_setting
from app.visits import (
    check_item,
    check_methods,
    get_visit,
    response_state,
    visit_record,
    write_response,
)
from db import rows
from db.queries import campaigns
from db.queries import findings as fq
from db.queries import responses as rq
from db.queries import sync as sq

POLICIES = ("confirm", "forbid")


def finalize_policy(profile: Profile, visit: Visit) -> str:
    """"forbid" when a visit with gaps may not be finalized: the campaign's rule, else the setting."""
    if visit.assignment_id:
        rule = campaigns.finalize_rule(profile.db, visit.assignment_id)
        if rule in POLICIES:
            return rule
    return str(get_setting(profile, "finalize_with_gaps"))


def finalize_visit(profile: Profile, visit_id: str, *, accept_gaps: bool = False) -> OpChangesWithId:
    """Lock the visit and record the hash of its canonical form; returns that hash as ``id``.

    Open gaps refuse it unless ``accept_gaps`` says the user saw them and confirmed, and
    always where the office forbids finalizing with gaps. ``GapsOpen`` lists them. An open sync
    conflict on the visit always refuses it (``ConflictsOpen``): a person chooses first.
    """
    visit = get_visit(profile, visit_id)
    if visit.locked:
        raise VisitLocked(f"visit {visit_id} is already finalized; amend it with a reason instead")
    if visit.status == "cancelled":
        raise VisitLocked(f"visit {visit_id} was cancelled")
    refuse_while_conflicts_open(profile, visit_id)
    gaps = gap_check(profile, visit_id)
    if gaps:
        if finalize_policy(profile, visit) == "forbid":
            raise GapsOpen(f"{len(gaps)} gap(s) remain, and the office does not allow finalizing a visit "
                           "with gaps: close them first", gaps)
        if not accept_gaps:
            raise GapsOpen(f"{len(gaps)} gap(s) remain: finalizing with them must be confirmed", gaps)
    with profile.transaction() as tx:
        digest = content_hash(visit_record(profile, visit_id))
        rows.update(tx.db, "visits", visit_id,
                    {"status": "finalized", "finalized_at": tx.now, "content_hash": digest}, tx.meta)
        _keep_version(profile, tx, visit_id, 0, digest, None)
    return OpChangesWithId(digest, OpChanges(visit=True, visit_ids=frozenset({visit_id})))


def _keep_version(profile: Profile, tx: Tx, visit_id: str, number: int, digest: str, replaces: str | None) -> None:
    """Keep the version just made, with the score the laptop states for it: the sync sends every
    version in turn, and an amendment must name the hash of the one it replaces, which the visit
    row no longer holds once it is amended again."""
    summary = visit_summaries(profile, [visit_id]).get(visit_id)
    sq.put_version(tx.db, {
        "visit_id": visit_id, "amendment_no": number, "content_hash": digest, "replaces": replaces,
        "finalized_at": tx.now, "score_total": None if summary is None else summary.awarded,
        "score_maximum": None if summary is None else summary.maximum,
        "score_band": None if summary is None or summary.band is None else summary.band.zh})


@dataclass(frozen=True)
class Change:
    """One audit row of an amendment: which row and field, and its value before and after."""

    table: str
    row_id: str
    field: str
    old: Any
    new: Any


def outcome(profile: Profile, visit: Visit) -> tuple:
    """What the signers signed for: each rubric's score, band and vetoes, and the findings."""
    scores = []
    for rubric_hash in visit.rubric_hashes:
        r = score_visit(profile, visit.id, rubric_hash)
        scores.append((rubric_hash, r.awarded, r.maximum, r.bonus, r.band_value,
                       r.band.code if r.band else None, tuple(v.code for v in r.vetoes), r.failed))
    findings = tuple(
        tuple(f[k] for k in ("id", "description", "requirement", "deadline", "responsible", "severity"))
        for f in fq.list_findings(profile.db, visit.id))
    return tuple(scores), findings


def _amendable(profile: Profile, visit_id: str, reason_for_change: str) -> tuple[Visit, str]:
    why = (reason_for_change or "").strip()
    if not why:
        raise InvalidAnswer("an amendment needs a reason")
    visit = get_visit(profile, visit_id)
    if not visit.locked:
        raise InvalidAnswer(f"visit {visit_id} is not finalized; change it directly")
    return visit, why


def record_amendment(profile: Profile, tx: Tx, visit: Visit, *, reason: str, by: str | None,
                     changes: Sequence[Change], before: tuple, number: int | None = None) -> int:
    """Number the amendment, write its audit rows, re-hash the visit; returns the number.

    Runs inside the amendment's transaction, after its writes: ``before`` is ``outcome`` taken
    before them, so a changed score or finding list moves the visit to a new version. ``number``
    continues an amendment made of several transactions (an import, one row per photo).
    """
    number = number or visit.amendment_no + 1
    for change in changes:
        rows.insert(tx.db, "audit_log", {
            "id": new_id(), "visit_id": visit.id, "table_name": change.table, "row_id": change.row_id,
            "field": change.field, "old_value": json.dumps(change.old, ensure_ascii=False),
            "new_value": json.dumps(change.new, ensure_ascii=False), "reason": reason,
            "by_inspector": by or tx.by, "at": tx.now, "amendment_no": number,
        }, tx.meta)
    digest = content_hash(visit_record(profile, visit.id))
    updates: dict[str, Any] = {"status": "amended", "content_hash": digest, "amendment_no": number,
                               "amended_at": tx.now}
    if outcome(profile, visit) != before:
        updates["version"] = get_visit(profile, visit.id).version + 1
    rows.update(tx.db, "visits", visit.id, updates, tx.meta)
    # The version replaced is the one kept before; ``visit`` was read before this amendment's
    # writes, so its hash is that version's when no row of it was kept (made before 0006).
    replaces = sq.version_hash(tx.db, visit.id, number - 1)
    if replaces is None and number == visit.amendment_no + 1:
        replaces = visit.content_hash
    _keep_version(profile, tx, visit.id, number, digest, replaces)
    return number


_KEEP: Any = object()


def amend_response(
    profile: Profile, visit_id: str, *, rubric_hash: str, item_code: str, reason_for_change: str,
    value: Any = None, na: bool = False, note: str | None = None, reason: str | None = None,
    evidence_methods: Iterable[str] | None = None, by: str | None = None,
) -> OpChanges:
    """Change an answer of a finalized visit: its value or N/A, and anything a gap needs (the
    reason below the maximum, the note, the evidence methods; None keeps them). The old answer
    stays in the audit log with ``reason_for_change``.
    """
    visit, why = _amendable(profile, visit_id, reason_for_change)
    check_item(profile, visit, rubric_hash, item_code, value, na)
    methods = check_methods(evidence_methods) if evidence_methods is not None else None
    before = outcome(profile, visit)
    with profile.transaction() as tx:
        old = rq.get_response(tx.db, visit_id, rubric_hash, item_code)
        old_state = response_state(old)
        keep = old_state or {"note": "", "reason": "", "evidence_methods": []}
        write_response(tx, visit_id, rubric_hash, item_code, value=None if na else value, na=na,
                       methods=methods if methods is not None else keep["evidence_methods"],
                       note=note if note is not None else keep["note"],
                       reason=reason if reason is not None else keep["reason"], by=by)
        new_state = response_state(rq.get_response(tx.db, visit_id, rubric_hash, item_code))
        if new_state == old_state:
            raise InvalidAnswer("the amendment changes nothing")
        record_amendment(profile, tx, visit, reason=why, by=by, before=before,
                         changes=[Change("responses", f"{rubric_hash}:{item_code}", "answer", old_state, new_state)])
    return OpChanges(visit=True, responses=True, audit=True, visit_ids=frozenset({visit_id}),
                     item_codes=frozenset({item_code}))


__all__ = ["Change", "GapEntry", "amend_response", "finalize_policy", "finalize_visit", "outcome",
           "record_amendment"]
