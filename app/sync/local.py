"""The laptop's side of a sync, as plain functions the sync engine calls.

- ``pending_changes``: every dirty row of every synced table as a ``RowChange`` (whole row, key,
  rev, base_rev), for a changeset.
- ``apply_receipt``: a row the server applied is clean again only if it still holds the revision
  that was pushed; an edit made while the push ran stays dirty. Conflicts the server found are
  kept in ``sync_conflicts``.
- ``apply_pulled_row``: the server's version of a row meets the local one through
  ``app.sync.merge.classify``, judged against the local row's base: a clean local row (or one
  equal to it) takes the server's; a local edit that differs is kept, and both versions become a
  local conflict for a person, unless the edit has accounted for that revision already (its
  base, or the server's side of an open conflict kept here). Nothing is overwritten before
  someone chooses.
- ``store_conflict``: a conflict delivered by a pull (open, or resolved since).

Each call is one transaction. None of them ticks the clock: they record what a server said, not
a person's edit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from app.hlc import Stamp, StampTooFarAhead
from app.profile import Profile, utc_now
from app.sync.fields import SYNC_BOOKKEEPING, TableName
from app.sync.ids import derived_key
from app.sync.merge import Outcome, classify, same_content
from app.sync.protocol import MAX_ROWS_PER_CHANGESET, Conflict, Receipt, RowChange, RowVersion
from app.visit_record import RECORD_TABLES
from db.codes import SYNCED_TABLES
from db.queries import meta
from db.queries import sync as sq


def _values(row: dict) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in SYNC_BOOKKEEPING}


def row_change(table: str, row: dict) -> RowChange:
    """A stored row as the protocol carries it: its values whole, beside its key and revisions.

    Validated like any message, so a table outside the protocol or a derived key that does not
    match its columns fails here, on the laptop, rather than at the server."""
    return RowChange.model_validate({"table": table, "key": row["id"], "rev": row["rev"],
                                     "base_rev": row["base_rev"], "deleted": bool(row["deleted"]),
                                     "values": _values(row)})


def pending_changes(profile: Profile, *, limit: int = MAX_ROWS_PER_CHANGESET) -> list[RowChange]:
    """Up to ``limit`` dirty rows, table by table in SYNCED_TABLES order (parents before the rows
    naming them), each table oldest revision first. What is left goes in the next changeset."""
    changes: list[RowChange] = []
    for table in SYNCED_TABLES:
        for row in sq.dirty_rows(profile.db, table):
            if len(changes) == limit:
                return changes
            changes.append(row_change(table, row))
    return changes


@dataclass(frozen=True)
class ReceiptApplied:
    acknowledged: int  # rows clean again at the pushed revision
    still_dirty: int  # rows the receipt did not clear: edited since, or not applied by the server
    conflicts: int  # conflicts the receipt listed, now kept locally


def _conflict_row(conflict: Conflict, origin: str) -> dict[str, Any]:
    return {
        "id": conflict.conflict_id, "table_name": conflict.table, "row_key": conflict.key,
        "visit_id": conflict.visit_id, "base_rev": conflict.base_rev,
        "current": json.dumps(conflict.current.model_dump(mode="json"), ensure_ascii=False),
        "incoming": json.dumps(conflict.incoming.model_dump(mode="json"), ensure_ascii=False),
        "detected_at": conflict.detected_at, "origin": origin, "status": conflict.status,
        "resolved_by_rev": conflict.resolved_by_rev,
    }


def apply_receipt(profile: Profile, receipt: Receipt) -> ReceiptApplied:
    """Record what the server did with a pushed changeset.

    A row the server ``applied`` is acknowledged (clean, its base the pushed revision) only when
    its current revision is the one the receipt names. Rows in ``conflict``, ``error`` or
    ``unpermitted`` stay dirty: the server did not take them, and the person's edit must not be
    forgotten. Applying the same receipt twice changes nothing more.
    """
    acknowledged = 0
    with profile.db.atomic():
        for status in receipt.rows:
            if status.status == "applied" and sq.acknowledge(profile.db, status.table, status.key, status.rev):
                acknowledged += 1
        for conflict in receipt.conflicts:
            sq.put_conflict(profile.db, _conflict_row(conflict, "server"))
        sq.record_receipt(profile.db, derived_key("sync_receipts", receipt.changeset_id), receipt.changeset_id,
                          receipt.server_seq, receipt.received_at,
                          sum(1 for s in receipt.rows if s.status == "applied"),
                          json.dumps([c.conflict_id for c in receipt.conflicts]))
    return ReceiptApplied(acknowledged, len(receipt.rows) - acknowledged, len(receipt.conflicts))


def store_conflict(profile: Profile, conflict: Conflict) -> None:
    """Keep a conflict a pull delivered; a known one takes its new status (resolved, and by what).

    A conflict resolved on another laptop whose losing side is this laptop's dirty edit: when the
    chosen revision arrived first (a page holds rows before conflicts) it was kept here as a local
    conflict with that edit; the choice settles it, and the chosen version becomes the row."""
    with profile.db.atomic():
        sq.put_conflict(profile.db, _conflict_row(conflict, "server"))
        if conflict.status != "resolved" or conflict.resolved_by_rev is None:
            return
        local = sq.get_row(profile.db, conflict.table, conflict.key)
        if local is None or not local["dirty"] or local["rev"] not in (conflict.current.rev, conflict.incoming.rev):
            return
        for waiting in sq.open_conflicts_of_row(profile.db, conflict.table, conflict.key):
            chosen = json.loads(waiting["incoming"])
            if waiting["origin"] == "local" and chosen.get("rev") == conflict.resolved_by_rev:
                sq.put_row(profile.db, conflict.table, conflict.key, chosen["values"], rev=chosen["rev"],
                           device_id=chosen["device_id"], deleted=bool(chosen["deleted"]))
                sq.put_conflict(profile.db, {**waiting, "status": "resolved",
                                             "resolved_by_rev": conflict.resolved_by_rev})


def _visit_of(profile: Profile, table: str, key: str, values: dict[str, Any]) -> str | None:
    """The visit a row belongs to, so the conflict blocks that visit's finalization."""
    if table == "visits":
        return key
    visit = values.get("visit_id")
    if isinstance(visit, str):
        return visit
    if table == "finding_events" and isinstance(values.get("finding_id"), str):
        finding = sq.get_row(profile.db, "findings", values["finding_id"])
        return finding["visit_id"] if finding else None
    return None


def _observe(profile: Profile, rev: str) -> None:
    # Later local edits sort after what was received, unless the sender's clock is far ahead
    # (see app.hlc.MAX_AHEAD_MS): then the row is kept but its time is not followed.
    try:
        stamp = profile.clock.observe(Stamp.parse(rev))
    except StampTooFarAhead:
        return
    meta.put(profile.db, "hlc_last", str(stamp))


def held_already(profile: Profile, table: str, key: str, rev: str) -> bool:
    """Whether a dirty local row has accounted for the pulled revision ``rev`` already, so that
    it is not a new conflict: it is the revision the local edit started from (the server holds
    what this laptop pushed, and the person edited it again since), or the server's side of an
    open conflict kept here (from a receipt or a pulled conflict) for a person to choose."""
    local = sq.get_row(profile.db, table, key)
    if local is None or not local["dirty"]:
        return False
    if local["base_rev"] == rev:
        return True
    return any(json.loads(c["current"]).get("rev") == rev for c in sq.open_conflicts_of_row(profile.db, table, key))


def _settled_by_choice(profile: Profile, table: str, key: str, local: dict, chosen_rev: str) -> bool:
    """Whether a person already chose between this dirty local edit and another version, and
    ``chosen_rev`` is the revision that carried the choice: a resolved conflict of the row has the
    local edit as one side and was resolved by ``chosen_rev``. The edit is accounted for; the
    chosen version replaces it rather than making a new conflict of the same two versions."""
    for conflict in sq.resolved_conflicts_of_row(profile.db, table, key, chosen_rev):
        sides = {json.loads(conflict["current"]).get("rev"), json.loads(conflict["incoming"]).get("rev")}
        if local["rev"] in sides:
            return True
    return False


def finalized_elsewhere(profile: Profile, table: str, values: dict[str, Any], writer: str) -> dict | None:
    """The local visit row when the row belongs to the content of a visit that is finalized here
    by a device other than ``writer`` (the device that last finalized or amended it holds the
    visit row: a laptop writes each amendment with the visit row in one transaction); else None.

    Such a row reaching this laptop other than through the server (a team-mate's bundle) changes
    what was finalized without an amendment: it is kept as a conflict, as the server keeps it."""
    if table not in RECORD_TABLES or not isinstance(values.get("visit_id"), str):
        return None
    visit = sq.get_row(profile.db, "visits", values["visit_id"])
    if visit is None or visit["deleted"] or visit["status"] not in ("finalized", "amended"):
        return None
    return visit if visit["device_id"] != writer else None


def finalization_unrecorded(profile: Profile, visit: dict) -> bool:
    """Whether the visit's present version, made here, waits for a server to record it.

    Until then a server may have taken a team-mate's edit of the visit before it heard of the
    finalization, and applied it as any edit: pulled here it would change what was finalized
    without an amendment (and the server would refuse the version, whose rows it no longer holds).
    """
    return sq.version_status(profile.db, visit["id"], int(visit["amendment_no"] or 0)) == "pending"


def apply_pulled_row(profile: Profile, table: TableName, key: str, incoming: RowVersion, *,
                     guard_finalized: bool = False) -> Outcome | None:
    """Merge the server's version of one row into the local database; returns what happened.

    ``None``: a dirty local row holds that revision accounted for already (``held_already``):
    nothing changes, the local edit goes out with the next push.

    ``apply``: there was no local row, or it had not changed since its base, or a person already
    chose between the local edit and another version and this is the chosen one
    (``_settled_by_choice``): the server's is stored, clean. ``agree``: the local edit and the
    server's have the same content (or are the same revision): the server's revision becomes the
    base and the row is clean. ``conflict``: the local row was edited since its base to something
    else: it is kept as it is (still dirty) and both versions go to ``sync_conflicts`` for a
    person to choose.

    ``guard_finalized`` (rows that did not come through a server, i.e. a bundle): a change to the
    content of a visit another device finalized is a conflict too (``finalized_elsewhere``). Through
    a server it is one as long as the visit's finalization made here is not recorded by a server
    (``finalization_unrecorded``): the server took the edit before it heard of the finalization.
    """
    with profile.db.atomic():
        if held_already(profile, table, key, incoming.rev):
            return None
        local = sq.get_row(profile.db, table, key)
        current = None if local is None else RowVersion(
            rev=local["rev"], device_id=local["device_id"], deleted=bool(local["deleted"]), values=_values(local))
        change = RowChange(table=table, key=key, rev=incoming.rev, base_rev=local["base_rev"] if local else None,
                           deleted=incoming.deleted, values=incoming.values)
        outcome = classify(change, current)
        if local is not None and outcome == "conflict" and local["dirty"] and \
                _settled_by_choice(profile, table, key, local, incoming.rev):
            outcome = "apply"
        if local is not None and not local["dirty"] and outcome != "apply":
            # A clean local row is the server's own earlier version: nothing here to keep.
            outcome = "apply"
        if outcome == "apply":
            visit = finalized_elsewhere(profile, table, incoming.values, incoming.device_id)
            guarded = visit is not None and (guard_finalized or finalization_unrecorded(profile, visit))
            if guarded and not (current is not None and same_content(
                    current.values, current.deleted, incoming.values, incoming.deleted)):
                assert visit is not None
                # The finalized visit's side: the local row, or (none here) its absence, stamped
                # with the finalization, as the server keeps it.
                current = current or RowVersion(rev=visit["rev"], device_id=visit["device_id"], deleted=True,
                                                values=dict(incoming.values))
                outcome = "conflict"
        if outcome == "conflict" and current is not None:
            sq.put_conflict(profile.db, {
                # One conflict per pulled revision, so pulling the same page again adds none.
                "id": derived_key("sync_conflicts", table, key, incoming.rev), "table_name": table,
                "row_key": key, "visit_id": _visit_of(profile, table, key, current.values),
                "base_rev": local["base_rev"] if local else None,
                "current": json.dumps(current.model_dump(mode="json"), ensure_ascii=False),
                "incoming": json.dumps(incoming.model_dump(mode="json"), ensure_ascii=False),
                "detected_at": utc_now(), "origin": "local", "status": "open", "resolved_by_rev": None,
            })
        else:
            sq.put_row(profile.db, table, key, incoming.values, rev=incoming.rev, device_id=incoming.device_id,
                       deleted=incoming.deleted)
        _observe(profile, incoming.rev)
    return outcome
