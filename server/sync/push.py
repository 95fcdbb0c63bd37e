"""Applying a pushed changeset (docs/sync-protocol.md sections 7 and 8).

``push`` runs inside the caller's one transaction and follows the contract's steps in order:
the same ``changeset_id`` again answers its stored receipt (same content) or is refused
(``changeset_reused``); a ``device_seq`` at or below one applied from the device is
``stale_changeset``; blobs the server lacks refuse the whole changeset (``blobs_missing``), and
so does a rubric template that does not match its hash or is invalid (``server.sync.templates``);
then new templates are stored, every row gets a status, every finalized version after the rows
(``server.sync.finalized``), and the receipt is stored beside the changeset id.

Pushes are applied one at a time: on PostgreSQL a transaction-scoped advisory lock, on SQLite
the write lock ``BEGIN IMMEDIATE`` takes. So sequence numbers are handed out in commit order (a
pull never skips a number that commits later), two pushes of one changeset cannot both apply
it, and reading a row then writing it needs no retry loop.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from app.canonical import canonical_json
from app.sync.merge import classify
from app.sync.protocol import Changeset, Conflict, Receipt, RowChange, RowStatus, RowVersion
from server.errors import BlobsMissing, ChangesetReused, StaleChangeset
from server.store.blobs import BlobStore
from server.store.schema import sync_changesets, sync_conflicts
from server.sync.finalized import Pushed, record_finalizations
from server.sync.held_rows import HeldRows
from server.sync.placement import APPLY_ORDER, HASHED_TABLES, Placement, Placer, RowRefused
from server.sync.sequence import COUNTER, PUSH_LOCK, next_seq, serialise
from server.sync.templates import check_templates, store_templates

__all__ = ["COUNTER", "PUSH_LOCK", "Prepared", "Pusher", "iso_now", "next_seq", "prepare", "push", "record",
           "serialise"]


@dataclass(frozen=True)
class Pusher:
    """Who pushes: the account's id and its scope path ("/" is the whole tree)."""

    account_id: str
    scope: str


def iso_now(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="milliseconds")


def _known_receipt(conn: Connection, changeset: Changeset, digest: str) -> Receipt | None:
    row = conn.execute(select(sync_changesets.c.digest, sync_changesets.c.receipt)
                       .where(sync_changesets.c.id == changeset.changeset_id)).first()
    if row is None:
        return None
    if row.digest != digest:
        raise ChangesetReused(f"the changeset {changeset.changeset_id} was applied already with other "
                              "content; a new changeset needs a new id")
    return Receipt.model_validate_json(row.receipt)


def _check_fresh(conn: Connection, changeset: Changeset) -> None:
    latest = conn.execute(select(func.max(sync_changesets.c.device_seq))
                          .where(sync_changesets.c.device_id == changeset.device_id)).scalar_one_or_none()
    if latest is not None and changeset.device_seq <= latest:
        raise StaleChangeset(f"the device has pushed changeset {latest} already; this one ({changeset.device_seq}) "
                             "is older, and a later changeset carries its rows", latest_device_seq=latest)


def _version(row: Any) -> RowVersion:
    return RowVersion(rev=row.rev, device_id=row.device_id, deleted=bool(row.deleted),
                      values=json.loads(row.row_values))


class _Apply:
    """The row-by-row part of one push, inside its transaction."""

    def __init__(self, conn: Connection, changeset: Changeset, pusher: Pusher, seq: int, now: float) -> None:
        self.conn = conn
        self.changeset = changeset
        self.seq = seq
        self.now = now
        self.held = HeldRows(conn)
        self.placer = Placer(conn, pusher.scope, self.held)
        self.placer.preload((row.table, row.key, row.values) for row in changeset.rows)
        self.conflicts: list[Conflict] = []
        # visit id -> the held visit row when that visit is finalized, else None (see _locked).
        self._locks: dict[str, Any] = {}

    def _current(self, row: RowChange) -> Any:
        return self.held.get(row.table, row.key)

    def _locked(self, row: RowChange, place: Placement) -> Any:
        """The held row of the row's visit when another device finalized it, else None.

        A finalized visit changes only by amendment, and a laptop writes every amendment with the
        visit row in one transaction: the device that holds the visit row finalized or amended it
        last. A row of the finalized content (``HASHED_TABLES``) from any other device is a
        team-mate's edit that reached the server after finalization: never applied silently,
        kept as a conflict for the team to accept as an amendment (docs/sync-protocol.md section 8).
        """
        if row.table not in HASHED_TABLES or place.visit_id is None:
            return None
        if place.visit_id not in self._locks:
            visit = self.held.get("visits", place.visit_id)
            status = json.loads(visit.row_values).get("status") if visit is not None else None
            self._locks[place.visit_id] = visit if status in ("finalized", "amended") else None
        visit = self._locks[place.visit_id]
        return visit if visit is not None and visit.device_id != self.changeset.device_id else None

    def _write(self, row: RowChange, place: Placement) -> None:
        if row.table == "visits":
            self._locks.pop(row.key, None)
        self.held.write(row.table, row.key, {
            "rev": row.rev, "device_id": self.changeset.device_id, "base_rev": row.base_rev,
            "deleted": row.deleted, "row_values": canonical_json(dict(row.values)),
            "visit_id": place.visit_id, "unit_id": place.unit_id, "server_seq": self.seq,
            "blob_sha256": next(iter(row.blob_hashes()), None)})

    def _resolve(self, row: RowChange) -> None:
        if row.resolves:
            self.conn.execute(update(sync_conflicts).where(
                sync_conflicts.c.id.in_(row.resolves), sync_conflicts.c.table_name == row.table,
                sync_conflicts.c.key == row.key, sync_conflicts.c.status == "open",
            ).values(status="resolved", resolved_by_rev=row.rev, server_seq=self.seq))

    def _conflict(self, row: RowChange, place: Placement, current: RowVersion) -> str:
        incoming = RowVersion(rev=row.rev, device_id=self.changeset.device_id, deleted=row.deleted,
                              values=dict(row.values))
        # The same edit pushed again in a later changeset (its row stayed dirty) is the same
        # conflict. One a person has resolved already (on another laptop, before this one heard of
        # it) is reported as it stands: the choice is made, and the next pull brings the chosen
        # version, which replaces the edit on the laptop (app.sync.local).
        known = self.conn.execute(select(sync_conflicts).where(
            sync_conflicts.c.table_name == row.table, sync_conflicts.c.key == row.key)).all()
        for stored in known:
            if json.loads(stored.incoming)["rev"] != row.rev:
                continue
            if stored.status == "resolved" or json.loads(stored.current)["rev"] == current.rev:
                self.conflicts.append(conflict_message(stored))
                return str(stored.id)
        conflict_id = str(uuid.uuid4())
        values = {"id": conflict_id, "table_name": row.table, "key": row.key, "visit_id": place.visit_id,
                  "base_rev": row.base_rev, "current": canonical_json(current.model_dump(mode="json")),
                  "incoming": canonical_json(incoming.model_dump(mode="json")), "detected_at": self.now,
                  "status": "open", "resolved_by_rev": None, "changeset_id": self.changeset.changeset_id,
                  "server_seq": self.seq}
        self.conn.execute(insert(sync_conflicts).values(**values))
        self.conflicts.append(conflict_message(_Stored(values)))
        return conflict_id

    def row(self, row: RowChange) -> RowStatus:
        def status(outcome: str, reason: str | None = None, conflict_id: str | None = None) -> RowStatus:
            if outcome == "applied":
                # Most rows of most pushes: their fields come from the validated changeset and
                # there is no reason to check, so the per-row validation (a millisecond a push)
                # is skipped.
                return RowStatus.model_construct(table=row.table, key=row.key, rev=row.rev, status="applied",
                                                 reason=None, conflict_id=None)
            return RowStatus(table=row.table, key=row.key, rev=row.rev, status=outcome,  # type: ignore[arg-type]
                             reason=reason, conflict_id=conflict_id)

        try:
            place = self.placer.place(row.table, row.key, dict(row.values))
        except RowRefused as refused:
            return status(refused.status, refused.reason)
        stored = self._current(row)
        current = _version(stored) if stored is not None else None
        outcome = classify(row, current)
        finalized = self._locked(row, place) if outcome == "apply" else None
        if finalized is not None:
            # The finalized visit holds no such row: its side is the row's absence, stamped with
            # the finalization, so keeping it leaves the row out and accepting it adds the row.
            held = current or RowVersion(rev=finalized.rev, device_id=finalized.device_id, deleted=True,
                                         values=dict(row.values))
            conflict_id = self._conflict(row, place, held)
            reason = (f"visit {place.visit_id} was finalized on another laptop before this {row.table} edit "
                      "arrived; it is kept as a conflict for the team to accept as an amendment or not")
            return status("conflict", reason, conflict_id)
        if outcome == "apply":
            self._write(row, place)
            self._resolve(row)
            return status("applied")
        if outcome == "agree":
            assert current is not None
            # Equal content: the later writer's revision becomes the current one (values agree).
            if current.rev != row.rev:
                self._write(row, place)
                self._resolve(row)
            return status("applied")
        assert current is not None
        conflict_id = self._conflict(row, place, current)
        if self.conflicts[-1].status == "resolved":
            return status("conflict", f"a person has chosen between this {row.table} edit and another version "
                                      "already; the chosen version comes with the next pull", conflict_id)
        reason = (f"this {row.table} row was changed on the server (revision {current.rev}) since your "
                  f"base {row.base_rev or '(new row)'}; both versions are kept until a person chooses")
        return status("conflict", reason, conflict_id)


@dataclass(frozen=True)
class _Stored:
    """A conflict's columns, from an insert or a query, read the same way."""

    values: dict[str, Any]

    def __getattr__(self, name: str) -> Any:
        return self.values[name]


def conflict_message(stored: Any) -> Conflict:
    return Conflict(conflict_id=stored.id, table=stored.table_name, key=stored.key, visit_id=stored.visit_id,
                    base_rev=stored.base_rev, current=RowVersion.model_validate_json(stored.current),
                    incoming=RowVersion.model_validate_json(stored.incoming),
                    detected_at=iso_now(stored.detected_at), status=stored.status,
                    resolved_by_rev=stored.resolved_by_rev)


def prepare(blobs: BlobStore, changeset: Changeset) -> Prepared:
    """What a push computes without the database: call it before the transaction, which then
    holds the write lock for less time (on S3 the blob check is a request per blob). Blobs are
    never deleted, so one found present here is still there when the push applies."""
    return Prepared(changeset.digest(), blobs.missing(changeset.blobs))


@dataclass(frozen=True)
class Prepared:
    digest: str
    missing_blobs: list[str]


def push(conn: Connection, blobs: BlobStore, pusher: Pusher, changeset: Changeset,
         prepared: Prepared | None = None) -> tuple[Receipt, bool]:
    """Apply ``changeset`` in the caller's transaction; the receipt, and whether it was new.

    Raises (and so stores nothing) for a reused id, a stale changeset, missing blobs, or a rubric
    template that does not match its hash or is not valid. ``prepared`` (from ``prepare``) moves
    the work that needs no database out of the transaction; the checks keep their order.
    """
    serialise(conn)
    digest = prepared.digest if prepared is not None else changeset.digest()
    known = _known_receipt(conn, changeset, digest)
    if known is not None:
        return known, False
    _check_fresh(conn, changeset)
    missing = prepared.missing_blobs if prepared is not None else blobs.missing(changeset.blobs)
    if missing:
        raise BlobsMissing(f"upload the {len(missing)} blob(s) the server lacks, then push again",
                           missing_blobs=sorted(missing))
    templates = check_templates(changeset.rubric_templates)
    now = time.time()
    seq = next_seq(conn)
    store_templates(conn, templates, seq)
    apply = _Apply(conn, changeset, pusher, seq, now)
    statuses: dict[tuple[str, str], RowStatus] = {}
    for row in sorted(changeset.rows, key=lambda r: APPLY_ORDER.get(r.table, 2)):
        statuses[row.table, row.key] = apply.row(row)
    apply.held.flush()
    # After the rows: a changeset may carry a visit's last rows and its finalization.
    finalized = record_finalizations(conn, apply.placer, Pushed(changeset.changeset_id, changeset.device_id,
                                                               pusher.account_id, seq, now), changeset)
    receipt = Receipt(changeset_id=changeset.changeset_id, server_seq=seq, received_at=iso_now(now),
                      rows=[statuses[r.table, r.key] for r in changeset.rows], conflicts=apply.conflicts,
                      finalizations=finalized)
    record(conn, changeset, digest, pusher, receipt, now)
    return receipt, True


def record(conn: Connection, changeset: Changeset, digest: str, pusher: Pusher, receipt: Receipt,
           now: float) -> None:
    """Store the changeset's id, digest and receipt: its idempotency record."""
    conn.execute(insert(sync_changesets).values(
        id=changeset.changeset_id, device_id=changeset.device_id, device_seq=changeset.device_seq,
        digest=digest, account_id=pusher.account_id, server_seq=receipt.server_seq,
        receipt=canonical_json(receipt.model_dump(mode="json")), received_at=now))
