"""Resolving a sync conflict on the laptop: the chosen row is a local edit on the server's revision."""

from __future__ import annotations

import json

import pytest

from app.finalize import finalize_visit
from app.hlc import Stamp
from app.sync.ids import response_key
from app.sync.local import apply_pulled_row, pending_changes
from app.sync.protocol import RowVersion
from app.sync.resolve import ConflictChoiceError, conflict_views, resolve_conflict, resolves_for
from app.visits import NewVisit, answer_item, create_visit
from db.queries import sync as sq

TEAM_MATE = "6a7b8c9d-0e1f-4a2b-9c3d-4e5f6a7b8c9d"
BOOKKEEPING = ("id", "rev", "device_id", "dirty", "deleted", "base_rev")


@pytest.fixture
def conflicted(seeded):
    """A visit whose answer A1 is 6 here and 2 on a team-mate's laptop, pulled: an open conflict."""
    p = seeded.profile
    visit = create_visit(p, NewVisit(unit_id=seeded.unit_id, visit_type="routine", starts_on="2026-11-24",
                                     rubric_hashes=[seeded.rubric_hash], team_id=seeded.team_id)).id
    answer_item(p, visit, rubric_hash=seeded.rubric_hash, item_code="A1", value=6, note="mine")
    key = response_key(visit, seeded.rubric_hash, "A1")
    local = sq.get_row(p.db, "responses", key)
    values = {k: v for k, v in local.items() if k not in BOOKKEEPING}
    theirs = RowVersion(rev=str(Stamp(1_700_000_000_000, 0, TEAM_MATE)), device_id=TEAM_MATE, deleted=False,
                        values={**values, "value": "2", "note": "theirs", "answered_by": seeded.inspector_ids[1]})
    assert apply_pulled_row(p, "responses", key, theirs) == "conflict"
    return p, visit, key, theirs


def test_the_view_shows_both_sides_in_words_with_who_and_when(conflicted):
    p, visit, key, theirs = conflicted
    [view] = conflict_views(p, "en", visit)
    assert (view.table, view.key, view.visit_id, view.server_rev) == ("responses", key, visit, theirs.rev)
    assert view.mine.this_device and not view.theirs.this_device
    assert (view.mine.values["value"], view.theirs.values["value"]) == ("6", "2")
    assert view.theirs.person == "李秀梅" and view.theirs.written_at == "2023-11-14T22:13:20Z"
    assert view.mine.answer and view.theirs.answer and view.mine.answer != view.theirs.answer
    assert view.subject.startswith("A1 ")
    assert {"value", "note", "answered_by"} <= set(view.changed)


@pytest.mark.parametrize(("choice", "merged", "expected"), [
    ("mine", None, ("6", "mine")),
    ("theirs", None, ("2", "theirs")),
    ("merge", {"value": "2", "note": "mine and theirs"}, ("2", "mine and theirs")),
])
def test_a_choice_is_a_dirty_edit_on_the_servers_revision_that_names_the_conflict(conflicted, choice, merged,
                                                                                   expected):
    p, visit, key, theirs = conflicted
    [view] = conflict_views(p, "zh", visit)
    rev = resolve_conflict(p, view.id, choice, merged)
    held = sq.get_row(p.db, "responses", key)
    assert (held["value"], held["note"]) == expected
    assert (held["rev"], held["dirty"], held["base_rev"], held["device_id"]) == (rev, 1, theirs.rev, p.device_id)
    assert sq.open_conflicts(p.db, visit) == []
    assert resolves_for(p, "responses", held) == [view.id]
    [change] = [c for c in pending_changes(p) if c.key == key]
    assert change.base_rev == theirs.rev
    # The visit may be finalized now; the conflict kept the choice's revision.
    finalize_visit(p, visit, accept_gaps=True)
    stored = p.db.execute("SELECT status, resolved_by_rev FROM sync_conflicts WHERE id = ?", (view.id,)).fetchone()
    assert tuple(stored) == ("resolved", rev)


def test_a_merge_cannot_set_a_column_the_row_lacks_and_changes_nothing(conflicted):
    p, visit, key, _ = conflicted
    before = sq.get_row(p.db, "responses", key)
    [view] = conflict_views(p, "zh", visit)
    with pytest.raises(ConflictChoiceError):
        resolve_conflict(p, view.id, "merge", {"colour": "red"})
    with pytest.raises(ConflictChoiceError):
        resolve_conflict(p, view.id, "merge", {"rev": "x"})
    assert sq.get_row(p.db, "responses", key) == before
    assert len(sq.open_conflicts(p.db, visit)) == 1


def test_a_row_acknowledged_after_the_choice_names_no_conflict_any_more(conflicted):
    p, visit, key, _ = conflicted
    [view] = conflict_views(p, "zh", visit)
    rev = resolve_conflict(p, view.id, "mine")
    assert sq.acknowledge(p.db, "responses", key, rev)
    assert resolves_for(p, "responses", sq.get_row(p.db, "responses", key)) == []
    assert json.loads(sq.get_row(p.db, "responses", key)["value"]) == 6
