"""Recording the finalized versions a push carries (docs/sync-protocol.md section 9).

Run inside the push's transaction after its rows (and templates) are applied, so a changeset
with a visit's last rows and its finalization works. Each version gets a status:

- ``unpermitted``: the visit's unit lies outside the account's scope (the rows' rule);
- ``refused``: the server does not hold the visit, the chain is broken (amendment n names as
  ``replaces`` another hash than the version n-1 held), another version n is held already, a rubric the
  visit pins is not held, or the canonical record of the rows held does not hash to the version's
  ``content_hash``;
- ``recorded``: stored with its record, the stated score and the server's re-score beside it;
  ``score_matches`` false flags a different score without refusing. The same version again (a
  retry, a later changeset) answers ``recorded`` and is stored once. An amendment whose version
  n-1 the server never recorded (the laptop amended before its first sync, and the rows of the
  earlier state are gone) is recorded with ``replaces`` as stated and a note in ``reason``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, insert, select

from app.canonical import canonical_json
from app.rubric import Rubric
from app.sync.codes import short_code
from app.sync.protocol import Changeset, FinalizationStatus, FinalizedVersion, StatedScore
from server.dashboard.results import Unscorable, write_results
from server.store.schema import finalized_versions, sync_conflicts
from server.sync.held_visit import (
    HeldVisit,
    RubricScore,
    UnusableRows,
    build_record,
    held_rubric,
    load_visit,
    record_matching,
    rescore,
    too_many_orders,
)
from server.sync.placement import Placer, RowRefused


class Refused(Exception):
    """The version is not recorded: ``status`` is ``refused`` or ``unpermitted``, with a reason."""

    def __init__(self, status: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class Pushed:
    """Where the versions came from, stored beside each."""

    changeset_id: str
    device_id: str
    account_id: str
    seq: int
    received_at: float


def stored_code(visit_id: str, digest: str) -> str:
    """The printed short code without dashes, lower case: how the verify page looks it up."""
    return short_code(visit_id, digest).replace("-", "").lower()


def score_agrees(stated: StatedScore, server: RubricScore) -> bool:
    """Totals compare as numbers ("86.50" is "86.5"); the band by its Chinese label."""
    return (Decimal(stated.total) == Decimal(server.total) and Decimal(stated.maximum) == Decimal(server.maximum)
            and stated.band == server.band)


def _versions(conn: Connection, visit_id: str) -> dict[int, Any]:
    rows = conn.execute(select(finalized_versions).where(finalized_versions.c.visit_id == visit_id)).all()
    return {r.amendment_no: r for r in rows}


def _rubrics(conn: Connection, hashes: list[str]) -> dict[str, Rubric]:
    if not hashes:
        raise Refused("refused", "the visit as held names no rubric, so it cannot be scored")
    found = {h: held_rubric(conn, h) for h in hashes}
    lacking = [h for h, rubric in found.items() if rubric is None]
    if lacking:
        raise Refused("refused", f"the server lacks the rubric template(s) {', '.join(lacking)}; push them with "
                                 "the visit")
    return {h: r for h, r in found.items() if r is not None}


def _open_conflicts(conn: Connection, visit_id: str) -> int:
    return len(conn.execute(select(sync_conflicts.c.id).where(sync_conflicts.c.visit_id == visit_id,
                                                              sync_conflicts.c.status == "open")).all())


def _matching(conn: Connection, held: HeldVisit, version: FinalizedVersion, hint: Any) -> dict[str, Any]:
    try:
        record = build_record(held)
    except UnusableRows as exc:
        raise Refused("refused", str(exc)) from None
    matched = record_matching(record, version.content_hash, json.loads(hint.record)["members"] if hint else None)
    if matched is None:
        conflicts = _open_conflicts(conn, version.visit_id)
        why = f"; {conflicts} conflict(s) on the visit are open" if conflicts else ""
        if too_many_orders(record):
            why += ("; the visit has more members of one role than the server can put in the laptop's order "
                    "without their names")
        raise Refused("refused", "the visit's rows as the server holds them give another content hash: push the "
                                 f"rows of the finalized state with it{why}")
    return matched


def _gap_note(version: FinalizedVersion) -> str:
    return (f"recorded without version {version.amendment_no - 1}, which the server does not hold: "
            f"replaces {version.replaces} as the laptop states it")


def _check_chain(versions: dict[int, Any], version: FinalizedVersion) -> str | None:
    """None when the chain holds; a note when the version replaced was never recorded here."""
    if version.amendment_no == 0:
        return None
    before = versions.get(version.amendment_no - 1)
    if before is None:
        # A laptop that amended before its first sync pushes the rows of its latest state only:
        # the version replaced can no longer be checked, so it was never recorded. The amendment
        # is what the rows now give, and is recorded with the predecessor's hash as stated.
        return _gap_note(version)
    if before.content_hash != version.replaces:
        raise Refused("refused", f"amendment {version.amendment_no} names {version.replaces} as the version it "
                                 f"replaces, but version {version.amendment_no - 1} is {before.content_hash}")
    return None


def _record(conn: Connection, placer: Placer, pushed: Pushed, version: FinalizedVersion) -> tuple[bool, str | None]:
    """Record one version (or find it recorded): whether the stated score matches the server's,
    and a note when the version it replaces was never recorded here."""
    try:
        unit_id = placer.place_visit(version.visit_id, "the finalized version")
    except RowRefused as exc:
        raise Refused("unpermitted" if exc.status == "unpermitted" else "refused", exc.reason) from None
    held_versions = _versions(conn, version.visit_id)
    same_number = held_versions.get(version.amendment_no)
    if same_number is not None:
        if same_number.content_hash == version.content_hash and same_number.replaces == version.replaces:
            gap = version.amendment_no and (version.amendment_no - 1) not in held_versions
            return bool(same_number.score_matches), _gap_note(version) if gap else None
        raise Refused("refused", f"version {version.amendment_no} of this visit is held already with the content "
                                 f"hash {same_number.content_hash}")
    note = _check_chain(held_versions, version)
    held = load_visit(conn, version.visit_id)
    if held is None:
        raise Refused("refused", f"the visit {version.visit_id} is deleted on the server")
    latest = held_versions[max(held_versions)] if held_versions else None
    record = _matching(conn, held, version, latest)
    rubrics = _rubrics(conn, record["rubrics"])
    try:
        scores = rescore(held, rubrics, record["rubrics"])
    except UnusableRows as exc:
        raise Refused("refused", str(exc)) from None
    # As the laptop's summary: a visit's score is its first rubric's.
    summary = scores[0]
    matches = score_agrees(version.score, summary)
    # The dashboard's figures (scored before anything is written, so a refusal leaves nothing).
    try:
        write_results(conn, visit_id=version.visit_id, amendment_no=version.amendment_no, unit_id=unit_id,
                      record=record, rubrics=rubrics, unit=held.unit, server_seq=pushed.seq)
    except Unscorable as exc:
        raise Refused("refused", str(exc)) from None
    conn.execute(insert(finalized_versions).values(
        visit_id=version.visit_id, amendment_no=version.amendment_no, content_hash=version.content_hash,
        replaces=version.replaces, finalized_at=version.finalized_at, unit_id=unit_id,
        visit_date=record["visit"]["starts_on"], record=canonical_json(record),
        stated_total=version.score.total, stated_maximum=version.score.maximum, stated_band=version.score.band,
        server_total=summary.total, server_maximum=summary.maximum, server_band=summary.band,
        server_vetoes=canonical_json(summary.vetoes), score_matches=matches,
        code=stored_code(version.visit_id, version.content_hash), changeset_id=pushed.changeset_id,
        device_id=pushed.device_id, account_id=pushed.account_id, received_at=pushed.received_at,
        server_seq=pushed.seq))
    return matches, note


def record_finalizations(conn: Connection, placer: Placer, pushed: Pushed,
                         changeset: Changeset) -> list[FinalizationStatus]:
    """A status for each of the changeset's versions, in its order; earlier amendments are
    recorded first, so a changeset may carry a version and the amendment that replaces it."""
    statuses: dict[int, FinalizationStatus] = {}
    order = sorted(range(len(changeset.finalizations)), key=lambda n: changeset.finalizations[n].amendment_no)
    for n in order:
        version = changeset.finalizations[n]
        try:
            matches, note = _record(conn, placer, pushed, version)
        except Refused as exc:
            statuses[n] = FinalizationStatus(visit_id=version.visit_id, content_hash=version.content_hash,
                                             status=exc.status, reason=exc.reason)  # type: ignore[arg-type]
            continue
        statuses[n] = FinalizationStatus(visit_id=version.visit_id, content_hash=version.content_hash,
                                         status="recorded", reason=note, score_matches=matches)
    return [statuses[n] for n in range(len(changeset.finalizations))]
