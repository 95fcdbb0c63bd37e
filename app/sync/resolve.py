"""A person's choice between the two versions of a sync conflict (docs/sync-protocol.md section 8).

``conflict_views`` shows each open conflict as two sides: **mine** (this laptop's version, or the
one the server did not take) and **theirs** (the other one), each with who wrote it and when, and
for an answer the answer in words. ``resolve_conflict`` keeps one side, or a merge of fields, as an
ordinary local edit of the row: a new revision, dirty, whose ``base_rev`` is the revision the
server holds now, so the next push is an edit of what the server holds and not a new conflict.

Where the choice is kept: the schema allows a conflict only ``open`` or ``resolved``, so the
choice marks the row's open conflicts ``resolved`` with ``resolved_by_rev`` the new local
revision, at once. Nothing is lost by not waiting for the server: the chosen row stays dirty
until a receipt acknowledges it, and the row's own edit is what the server needs. The push names
the settled conflicts in ``RowChange.resolves`` (``resolves_for`` lists them for a dirty row), and
a pull that later delivers the server's conflict as resolved only confirms it; one delivered as
still open (the server did not take the choice) opens it here again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from app.errors import FieldmarkError, NotFound
from app.hlc import Stamp
from app.models import Response
from app.profile import Profile
from app.sync.fields import SYNC_BOOKKEEPING
from app.sync.merge import same_content
from app.visit_record import RECORD_TABLES
from db import rows
from db.queries import sync as sq
from db.rows import fetch_all

Choice = Literal["mine", "theirs", "merge"]
# Columns a person never edits in a merge: they say which row this is, not what it holds.
IDENTITY_COLUMNS = frozenset({"visit_id", "rubric_hash", "item_code", "finding_id", "evidence_id", "inspector_id",
                              "team_id", "unit_id", "campaign_id", "assignment_id", "area_id", "parent_id",
                              "created_at", "created_by"})


class ConflictChoiceError(FieldmarkError):
    """The choice cannot be kept as asked (a merge naming a column the row lacks)."""


@dataclass(frozen=True)
class Side:
    """One version of the row: what it holds and who wrote it when."""

    rev: str
    device_id: str
    deleted: bool
    values: dict[str, Any]
    written_at: str  # UTC, ISO 8601, from the revision's stamp
    this_device: bool
    # The person the row names (a response's answered_by, a finding's author), when known here.
    person: str
    # An answer as the sheet would print it; "" for other tables.
    answer: str


@dataclass(frozen=True)
class ConflictView:
    id: str
    table: str
    key: str
    visit_id: str | None
    visit_label: str
    # What the row is about, in words: the item's code and text for an answer, else the table.
    subject: str
    detected_at: str
    origin: str
    mine: Side
    theirs: Side
    # The revision the server holds now: the base of the edit that resolves the conflict.
    server_rev: str
    # Columns whose values differ (and "deleted" when one side is a delete), in the row's order.
    changed: tuple[str, ...]
    # The visit is finalized here and the row is part of what was finalized: keeping a version
    # other than the finalized one (the server's side) is an amendment, with its reason.
    visit_locked: bool = False
    # The finalized side is this laptop's own (the visit's rows here still hash as finalized): a
    # pulled edit the server took before it heard of the finalization made here, or a bundle's.
    finalized_here: bool = False

    def is_amendment(self, choice: Choice, merged_values: dict[str, Any] | None = None) -> bool:
        """Whether keeping ``choice`` changes what the finalized visit holds."""
        if not self.visit_locked:
            return False
        if self.finalized_here:
            finalized = self.mine
        else:
            finalized = self.theirs if self.theirs.rev == self.server_rev else self.mine
        values, deleted = _chosen(self, choice, merged_values)
        return not same_content(values, deleted, finalized.values, finalized.deleted)


def _written_at(rev: str) -> str:
    try:
        wall = Stamp.parse(rev).wall_ms
    except ValueError:
        return ""
    return datetime.fromtimestamp(wall / 1000, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _person(profile: Profile, values: dict[str, Any]) -> str:
    for column in ("answered_by", "inspector_id", "created_by", "recorded_by", "by"):
        who = values.get(column)
        if isinstance(who, str):
            row = sq.get_row(profile.db, "inspectors", who)
            if row is not None and row["name"]:
                return str(row["name"])
    return ""


def _answer(profile: Profile, table: str, values: dict[str, Any], lang: str) -> tuple[str, str]:
    """(the answer in words, the item in words) of a response; ("", "") for any other row."""
    if table != "responses":
        return "", ""
    from app.reports.answers import answer_text
    from app.rubric_store import get_rubric

    try:
        item = get_rubric(profile, str(values["rubric_hash"])).items[str(values["item_code"])]
        response = Response.from_row(values)
    except (KeyError, FieldmarkError, ValueError, TypeError):
        return "", str(values.get("item_code", ""))
    return answer_text(item, response, lang), f"{item.code} {item.text.text(lang)}"


def _side(profile: Profile, version: dict[str, Any], table: str, lang: str, *,
          local: bool = False) -> tuple[Side, str]:
    """``local``: the version this laptop holds, whatever device id stamped it (a profile copied to
    this laptop took a new id, and its earlier rows keep the old one)."""
    values = dict(version.get("values") or {})
    answer, subject = _answer(profile, table, values, lang)
    return Side(rev=version["rev"], device_id=version["device_id"], deleted=bool(version.get("deleted")),
                values=values, written_at=_written_at(version["rev"]),
                this_device=local or version["device_id"] == profile.device_id, person=_person(profile, values),
                answer=answer), subject


def _visit_label(profile: Profile, visit_id: str | None) -> str:
    if visit_id is None:
        return ""
    row = sq.get_row(profile.db, "visits", visit_id)
    if row is None:
        return visit_id[:8]
    unit = sq.get_row(profile.db, "units", row["unit_id"]) if row.get("unit_id") else None
    name = unit["name"] if unit else ""
    return f"{name} {row['starts_on']}".strip()


def _locked(profile: Profile, table: str, visit_id: str | None) -> bool:
    if table not in RECORD_TABLES or visit_id is None:
        return False
    visit = sq.get_row(profile.db, "visits", visit_id)
    return visit is not None and visit["status"] in ("finalized", "amended")


def _holds_finalized(profile: Profile, visit_id: str | None) -> bool:
    """Whether the visit's rows here hash as its present finalized version."""
    from app.canonical import content_hash
    from app.visits import visit_record

    visit = sq.get_row(profile.db, "visits", visit_id) if visit_id else None
    return visit is not None and visit["content_hash"] == content_hash(visit_record(profile, str(visit_id)))


def _view(profile: Profile, conflict: dict[str, Any], lang: str) -> ConflictView:
    table = conflict["table_name"]
    current, incoming = json.loads(conflict["current"]), json.loads(conflict["incoming"])
    # A conflict from the server: ``current`` is what the server holds, ``incoming`` the push it
    # did not take. One found at a pull: ``current`` is the local row, ``incoming`` the server's.
    if conflict["origin"] == "server":
        server, other = current, incoming
        mine_raw, theirs_raw = (current, incoming) if current["device_id"] == profile.device_id else (incoming, current)
    else:
        server, other = incoming, current
        mine_raw, theirs_raw = other, server
    mine, subject = _side(profile, mine_raw, table, lang, local=conflict["origin"] == "local")
    locked = _locked(profile, table, conflict["visit_id"])
    theirs, _ = _side(profile, theirs_raw, table, lang)
    names = list(dict.fromkeys([*mine.values, *theirs.values]))
    changed = [n for n in names if mine.values.get(n) != theirs.values.get(n)]
    if mine.deleted != theirs.deleted:
        changed.append("deleted")
    return ConflictView(
        id=conflict["id"], table=table, key=conflict["row_key"], visit_id=conflict["visit_id"],
        visit_label=_visit_label(profile, conflict["visit_id"]), subject=subject or table,
        detected_at=conflict["detected_at"], origin=conflict["origin"], mine=mine, theirs=theirs,
        server_rev=server["rev"], changed=tuple(changed), visit_locked=locked,
        finalized_here=locked and conflict["origin"] == "local" and _holds_finalized(profile, conflict["visit_id"]))


def conflict_views(profile: Profile, lang: str = "zh", visit_id: str | None = None) -> list[ConflictView]:
    """Every open conflict (of one visit when given), oldest first, as two sides to choose from."""
    return [_view(profile, c, lang) for c in sq.open_conflicts(profile.db, visit_id)]


class AmendmentReasonNeeded(ConflictChoiceError):
    """The choice changes a finalized visit: it is an amendment, and an amendment needs a reason."""


def _chosen(view: ConflictView, choice: Choice, merged_values: dict[str, Any] | None) -> tuple[dict[str, Any], bool]:
    """The values and deleted flag that ``choice`` keeps."""
    side = view.theirs if choice == "theirs" else view.mine
    values = dict(side.values)
    if choice != "merge":
        return values, side.deleted
    merged = dict(merged_values or {})
    unknown = set(merged) - set(values)
    if unknown or SYNC_BOOKKEEPING & set(merged):
        raise ConflictChoiceError(f"a merge of {view.table} cannot set {', '.join(sorted(unknown or merged))}")
    return {**values, **merged}, False


def _amend(profile: Profile, tx: Any, view: ConflictView, reason: str, before: tuple,
           old: dict[str, Any] | None, values: dict[str, Any], deleted: bool) -> None:
    """Record the choice as an amendment of the finalized visit: audit rows for what changed, a
    new amendment number and content hash, and a version kept for the next sync."""
    from app.finalize import Change, record_amendment
    from app.visits import get_visit

    was = {} if old is None or old["deleted"] else {k: old[k] for k in values if k in old}
    changes = [Change(view.table, view.key, column, was.get(column), None if deleted else values.get(column))
               for column in values if column not in IDENTITY_COLUMNS and was.get(column) != values.get(column)]
    if bool(old is None or old["deleted"]) != deleted:
        changes.append(Change(view.table, view.key, "deleted", old is None or bool(old["deleted"]), deleted))
    assert view.visit_id is not None
    record_amendment(profile, tx, get_visit(profile, view.visit_id), reason=reason, by=None, changes=changes,
                     before=before)


def resolve_conflict(profile: Profile, conflict_id: str, choice: Choice,
                     merged_values: dict[str, Any] | None = None, *, reason: str | None = None) -> str:
    """Keep ``choice`` ("mine", "theirs", or "merge": mine with ``merged_values`` over it) as a
    local edit based on the server's revision; returns the new revision.

    Every open conflict of the same row is settled by it: one row holds one value. On a finalized
    visit, a choice that changes what was finalized (a team-mate's edit that arrived after
    finalization, accepted) is an amendment: it needs ``reason`` (``AmendmentReasonNeeded``
    without one) and is numbered and audited like any amendment.
    """
    conflict = next((c for c in sq.open_conflicts(profile.db) if c["id"] == conflict_id), None)
    if conflict is None:
        raise NotFound(f"no open sync conflict {conflict_id}")
    view = _view(profile, conflict, "zh")
    values, deleted = _chosen(view, choice, merged_values)
    amending = view.is_amendment(choice, merged_values)
    why = (reason or "").strip()
    if amending and not why:
        raise AmendmentReasonNeeded(
            "this visit is finalized: keeping the other version changes it, which is an amendment and needs a reason")
    before = None
    if amending:
        from app.finalize import outcome
        from app.visits import get_visit

        assert view.visit_id is not None
        before = outcome(profile, get_visit(profile, view.visit_id))
    table, key = view.table, view.key
    settled = sq.open_conflicts_of_row(profile.db, table, key)
    with profile.transaction() as tx:
        old = sq.get_row(tx.db, table, key)
        if old is None:
            # The laptop never held the row (the conflict came with a pull): hold the server's first.
            server = view.theirs if view.theirs.rev == view.server_rev else view.mine
            sq.put_row(tx.db, table, key, server.values, rev=server.rev, device_id=server.device_id,
                       deleted=server.deleted)
        rows.update(tx.db, table, key, {**values, "deleted": int(deleted), "base_rev": view.server_rev}, tx.meta)
        if amending:
            assert before is not None
            _amend(profile, tx, view, why, before, old, values, deleted)
        for open_one in settled:
            sq.put_conflict(tx.db, {**open_one, "status": "resolved", "resolved_by_rev": tx.meta.rev})
        return tx.meta.rev


def resolves_for(profile: Profile, table: str, row: dict[str, Any]) -> list[str]:
    """The conflicts a dirty row's push settles: those of the row chosen here since the server last
    acknowledged it. Naming one the server has resolved already is harmless (it marks only open
    ones), so a row edited again after the choice still carries them."""
    if not row.get("dirty"):
        return []
    base = row.get("base_rev") or ""
    settled = fetch_all(profile.db, "SELECT id, resolved_by_rev FROM sync_conflicts WHERE table_name = ? AND "
                                    "row_key = ? AND status = 'resolved' ORDER BY detected_at, id", (table, row["id"]))
    return [c["id"] for c in settled if (c["resolved_by_rev"] or "") > base]
