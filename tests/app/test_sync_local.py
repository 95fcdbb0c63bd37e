"""The laptop's side of sync: pending rows, receipts, pulled rows, local conflicts."""

from __future__ import annotations

import json
import time
import uuid
from datetime import datetime, timedelta

import pytest

from app.errors import ConflictsOpen
from app.evidence import (
    AnnotationLayer,
    get_annotations,
    get_photo,
    import_bytes,
    save_annotations,
    set_caption,
)
from app.evidence.annotations import Arrow
from app.finalize import finalize_visit
from app.findings import add_finding, finding_history, set_finding_status
from app.hlc import MAX_AHEAD_MS, Stamp
from app.profile import Profile
from app.rubric_store import import_document
from app.sync.ids import response_key
from app.sync.local import apply_pulled_row, apply_receipt, pending_changes, store_conflict
from app.sync.protocol import Conflict, Receipt, RowChange, RowStatus, RowVersion
from app.visits import NewVisit, answer_item, create_visit
from db.codes import SYNCED_TABLES
from db.queries import findings as fq
from db.queries import sync as sq
from tests.app import photo_factory
from tests.conftest import SMALL_RUBRIC

OFFICE = "00000000-0000-4000-8000-000000000000"
TEAM_MATE = "6a7b8c9d-0e1f-4a2b-9c3d-4e5f6a7b8c9d"
NOW = "2026-11-24T09:30:00.000+08:00"


@pytest.fixture
def visit(seeded) -> str:
    return create_visit(seeded.profile, NewVisit(
        unit_id=seeded.unit_id, visit_type="routine", starts_on="2026-11-24",
        rubric_hashes=[seeded.rubric_hash], team_id=seeded.team_id)).id


def stamp(wall_ms: int, device: str = TEAM_MATE) -> str:
    return str(Stamp(wall_ms, 0, device))


def receipt_for(changes: list[RowChange], *, statuses: dict[str, str] | None = None,
                conflicts: list[Conflict] = ()) -> Receipt:
    statuses = statuses or {}
    rows = []
    for c in changes:
        status = statuses.get(c.key, "applied")
        rows.append(RowStatus(
            table=c.table, key=c.key, rev=c.rev, status=status,
            reason=None if status == "applied" else "changed elsewhere",
            conflict_id=next((k.conflict_id for k in conflicts if k.key == c.key), None)))
    return Receipt(changeset_id=str(uuid.uuid4()), server_seq=7, received_at=NOW, rows=rows,
                   conflicts=list(conflicts))


def row(profile: Profile, table: str, key: str) -> dict:
    found = sq.get_row(profile.db, table, key)
    assert found is not None
    return found


def test_pending_changes_carry_every_dirty_row_whole_with_its_key_and_revisions(seeded, visit):
    p = seeded.profile
    answer_item(p, visit, rubric_hash=seeded.rubric_hash, item_code="A1", value=8)
    changes = pending_changes(p)
    tables = {c.table for c in changes}
    assert {"visits", "visit_rubrics", "visit_members", "team_members", "responses"} <= tables
    answer = next(c for c in changes if c.table == "responses")
    assert answer.key == response_key(visit, seeded.rubric_hash, "A1")
    assert answer.base_rev is None
    assert answer.values["value"] == "8"
    assert not {"id", "rev", "dirty", "deleted", "device_id", "base_rev"} & answer.values.keys()
    # Parents first: a visit before the rows naming it.
    order = [c.table for c in changes]
    assert order.index("visits") < order.index("visit_rubrics") < order.index("responses")
    assert len(pending_changes(p, limit=3)) == 3
    assert sum(sq.pending_counts(p.db).values()) == len(changes)


def test_an_edit_made_during_a_push_stays_dirty(seeded, visit):
    p = seeded.profile
    answer_item(p, visit, rubric_hash=seeded.rubric_hash, item_code="A1", value=8)
    pushed = pending_changes(p)  # the changeset is built ...
    answer_item(p, visit, rubric_hash=seeded.rubric_hash, item_code="A1", value=9.5)  # ... an edit ...
    receipt = receipt_for(pushed)
    done = apply_receipt(p, receipt)  # ... and the receipt for the changeset arrives.
    key = response_key(visit, seeded.rubric_hash, "A1")
    pushed_rev = next(c.rev for c in pushed if c.key == key)
    answer = row(p, "responses", key)
    assert answer["dirty"] == 1 and answer["value"] == "9.5"
    # Its base is what the server now holds, so the next push is an edit of it, not a conflict.
    assert answer["base_rev"] == pushed_rev != answer["rev"]
    assert done.still_dirty == 1 and done.acknowledged == len(pushed) - 1
    visit_row = row(p, "visits", visit)
    assert (visit_row["dirty"], visit_row["base_rev"]) == (0, visit_row["rev"])
    assert [c.key for c in pending_changes(p)] == [key]
    # The same receipt again acknowledges nothing new and keeps one receipt row.
    again = apply_receipt(p, receipt)
    assert row(p, "responses", key)["dirty"] == 1 and again.still_dirty == 1
    assert p.db.execute("SELECT count(*) FROM sync_receipts").fetchone()[0] == 1


def server_conflict(table: str, key: str, visit_id: str, mine: RowChange, theirs: dict) -> Conflict:
    return Conflict(
        conflict_id=str(uuid.uuid4()), table=table, key=key, visit_id=visit_id, base_rev=None,
        current=RowVersion(rev=stamp(1_700_000_000_000), device_id=TEAM_MATE, deleted=False, values=theirs),
        incoming=RowVersion(rev=mine.rev, device_id=mine.rev.split("-", 2)[2], deleted=False, values=mine.values),
        detected_at=NOW)


def test_a_conflict_in_a_receipt_is_kept_and_blocks_finalizing_until_resolved(seeded, visit):
    p = seeded.profile
    answer_item(p, visit, rubric_hash=seeded.rubric_hash, item_code="A1", value=8)
    pushed = pending_changes(p)
    key = response_key(visit, seeded.rubric_hash, "A1")
    mine = next(c for c in pushed if c.key == key)
    conflict = server_conflict("responses", key, visit, mine, {**mine.values, "value": "3"})
    apply_receipt(p, receipt_for(pushed, statuses={key: "conflict"}, conflicts=[conflict]))
    assert row(p, "responses", key)["dirty"] == 1  # the inspector's answer is not forgotten
    [kept] = sq.open_conflicts(p.db, visit)
    assert (kept["table_name"], kept["row_key"], kept["origin"]) == ("responses", key, "server")
    assert json.loads(kept["current"])["values"]["value"] == "3"
    assert json.loads(kept["incoming"])["values"]["value"] == "8"
    with pytest.raises(ConflictsOpen, match="resolve them first") as refused:
        finalize_visit(p, visit, accept_gaps=True)
    assert refused.value.rows == [("responses", key)]
    store_conflict(p, conflict.model_copy(update={"status": "resolved", "resolved_by_rev": mine.rev}))
    assert sq.open_conflicts(p.db, visit) == []
    finalize_visit(p, visit, accept_gaps=True)


def test_a_pulled_row_is_stored_clean_when_new_or_when_the_local_one_is_clean(seeded, visit):
    p = seeded.profile
    key = response_key(visit, seeded.rubric_hash, "A2")
    values = {"visit_id": visit, "rubric_hash": seeded.rubric_hash, "item_code": "A2", "value": "true",
              "na": 0, "evidence_methods": "[]", "note": "", "reason": "", "answered_by": None,
              "answered_at": NOW}
    first = RowVersion(rev=stamp(1_000), device_id=TEAM_MATE, deleted=False, values=values)
    assert apply_pulled_row(p, "responses", key, first) == "apply"
    stored = row(p, "responses", key)
    assert (stored["dirty"], stored["base_rev"], stored["rev"], stored["device_id"]) == \
        (0, first.rev, first.rev, TEAM_MATE)
    second = RowVersion(rev=stamp(2_000), device_id=TEAM_MATE, deleted=False, values={**values, "value": "false"})
    assert apply_pulled_row(p, "responses", key, second) == "apply"
    assert row(p, "responses", key)["value"] == "false"
    assert sq.open_conflicts(p.db) == []


def test_a_dirty_local_row_meets_a_pulled_one_equal_or_as_a_conflict(seeded, visit):
    p = seeded.profile
    answer_item(p, visit, rubric_hash=seeded.rubric_hash, item_code="A1", value=8)
    key = response_key(visit, seeded.rubric_hash, "A1")
    local = row(p, "responses", key)
    values = {k: v for k, v in local.items() if k not in ("id", "rev", "device_id", "dirty", "deleted", "base_rev")}
    # The team-mate wrote the same answer: agreement, the row is clean at the server's revision.
    same = RowVersion(rev=stamp(1_000), device_id=TEAM_MATE, deleted=False, values=values)
    assert apply_pulled_row(p, "responses", key, same) == "agree"
    assert (row(p, "responses", key)["dirty"], row(p, "responses", key)["base_rev"]) == (0, same.rev)
    # Now the inspector changes it, and the team-mate's different change comes in.
    answer_item(p, visit, rubric_hash=seeded.rubric_hash, item_code="A1", value=6)
    theirs = RowVersion(rev=stamp(2_000), device_id=TEAM_MATE, deleted=False, values={**values, "value": "2"})
    assert apply_pulled_row(p, "responses", key, theirs) == "conflict"
    kept = row(p, "responses", key)
    assert (kept["value"], kept["dirty"], kept["base_rev"]) == ("6", 1, same.rev)
    [conflict] = sq.open_conflicts(p.db, visit)
    assert conflict["origin"] == "local" and conflict["base_rev"] == same.rev
    assert json.loads(conflict["current"])["values"]["value"] == "6"
    assert json.loads(conflict["incoming"])["values"]["value"] == "2"
    # The same page pulled again makes no second conflict.
    apply_pulled_row(p, "responses", key, theirs)
    assert len(sq.open_conflicts(p.db, visit)) == 1
    with pytest.raises(ConflictsOpen):
        finalize_visit(p, visit, accept_gaps=True)


def test_a_pulled_revision_the_local_edit_accounted_for_is_not_a_second_conflict(seeded, visit):
    p = seeded.profile
    answer_item(p, visit, rubric_hash=seeded.rubric_hash, item_code="A1", value=8)
    key = response_key(visit, seeded.rubric_hash, "A1")
    pushed = pending_changes(p)
    apply_receipt(p, receipt_for(pushed))
    acknowledged = row(p, "responses", key)
    mine = next(c for c in pushed if c.key == key)
    # The server holds what was pushed, the inspector edits it again, and the pull brings the
    # pushed revision back: it is the edit's base, not a change made elsewhere.
    answer_item(p, visit, rubric_hash=seeded.rubric_hash, item_code="A1", value=7)
    assert apply_pulled_row(p, "responses", key, RowVersion(
        rev=acknowledged["rev"], device_id=p.device_id, deleted=False, values=mine.values)) is None
    assert (row(p, "responses", key)["value"], row(p, "responses", key)["dirty"]) == ("7", 1)
    assert sq.open_conflicts(p.db) == []
    # A conflict the server reported holds its own side; that side pulled again adds nothing.
    edited = pending_changes(p)
    again = next(c for c in edited if c.key == key)
    theirs = {**again.values, "value": "3"}
    conflict = server_conflict("responses", key, visit, again, theirs)
    apply_receipt(p, receipt_for(edited, statuses={key: "conflict"}, conflicts=[conflict]))
    assert apply_pulled_row(p, "responses", key, conflict.current) is None
    assert [c["origin"] for c in sq.open_conflicts(p.db, visit)] == ["server"]
    assert row(p, "responses", key)["value"] == "7"
    # Another revision still meets the edit as a conflict of its own.
    other = RowVersion(rev=stamp(1_800_000_000_000), device_id=TEAM_MATE, deleted=False,
                       values={**again.values, "value": "1"})
    assert apply_pulled_row(p, "responses", key, other) == "conflict"
    assert sorted(c["origin"] for c in sq.open_conflicts(p.db, visit)) == ["local", "server"]

def test_the_offices_events_and_the_inspectors_merge_into_the_findings_status(seeded, visit):
    p = seeded.profile
    finding = add_finding(p, visit, description="灭火器过期").id
    opened = datetime.fromisoformat(finding_history(p, finding)[0].at)
    office_event = RowVersion(rev=stamp(1_000, OFFICE), device_id=OFFICE, deleted=False, values={
        "finding_id": finding, "visit_id": None, "status": "reported_fixed", "note": "单位已报整改",
        "at": (opened + timedelta(milliseconds=1)).isoformat(timespec="milliseconds"), "by_inspector": None})
    assert apply_pulled_row(p, "finding_events", str(uuid.uuid4()), office_event) == "apply"
    # Ordered by the events' time, not by whose revision is larger: the office's stamp is tiny.
    assert fq.get_finding(p.db, finding)["status"] == "reported_fixed"
    assert [e.status for e in finding_history(p, finding)] == ["open", "reported_fixed"]
    # The inspector acts on the merged status: verifying is allowed after reported_fixed.
    time.sleep(0.01)
    set_finding_status(p, finding, "verified", visit_id=visit)
    assert fq.get_finding(p.db, finding)["status"] == "verified"
    assert fq.list_findings(p.db, visit)[0]["status"] == "verified"
    assert "status" not in {r[1] for r in p.db.execute("PRAGMA table_info(findings)")}


def test_a_row_stamped_far_ahead_is_kept_but_the_clock_does_not_follow_it(seeded, visit):
    p = seeded.profile
    key = response_key(visit, seeded.rubric_hash, "A2")
    ahead = Stamp(p.clock.tick().wall_ms + 365 * 24 * 3_600_000, 0, TEAM_MATE)
    values = {"visit_id": visit, "rubric_hash": seeded.rubric_hash, "item_code": "A2", "value": "true",
              "na": 0, "evidence_methods": "[]", "note": "", "reason": "", "answered_by": None,
              "answered_at": NOW}
    apply_pulled_row(p, "responses", key, RowVersion(rev=str(ahead), device_id=TEAM_MATE, deleted=False,
                                                     values=values))
    assert row(p, "responses", key)["rev"] == str(ahead)
    assert p.clock.tick().wall_ms < ahead.wall_ms - MAX_AHEAD_MS


def relay(source: Profile, target: Profile) -> None:
    """Stand in for the server: every dirty row of ``source`` reaches ``target``, and is acknowledged."""
    sent = []
    for table in SYNCED_TABLES:
        for stored in sq.dirty_rows(source.db, table):
            values = {k: v for k, v in stored.items() if k not in ("id", "rev", "device_id", "dirty", "deleted",
                                                                  "base_rev")}
            version = RowVersion(rev=stored["rev"], device_id=stored["device_id"], deleted=bool(stored["deleted"]),
                                 values=values)
            assert apply_pulled_row(target, table, stored["id"], version) in ("apply", "agree")
            sent.append(RowChange(table=table, key=stored["id"], rev=stored["rev"], base_rev=stored["base_rev"],
                                  deleted=bool(stored["deleted"]), values=values))
    apply_receipt(source, receipt_for(sent))


def test_a_caption_and_an_annotation_of_one_photo_on_two_laptops_never_conflict(seeded, visit, tmp_path):
    a = seeded.profile
    photo = import_bytes(a, photo_factory.jpeg(), "a.jpg", visit_id=visit).evidence_ids[0]
    with Profile.open(tmp_path / "laptop-b") as b:
        import_document(b, SMALL_RUBRIC)
        relay(a, b)
        set_caption(a, photo, "灭火器压力不足")
        layer = AnnotationLayer((Arrow((0.1, 0.1), (0.5, 0.5)),))
        save_annotations(b, photo, layer)
        relay(a, b)
        relay(b, a)
        assert sq.open_conflicts(a.db) == [] and sq.open_conflicts(b.db) == []
        for laptop in (a, b):
            assert get_photo(laptop, photo).caption == "灭火器压力不足"
            assert get_annotations(laptop, photo) == layer
