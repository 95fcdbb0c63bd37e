"""A team-mate's edit that reaches the server before the server hears of a finalization made
offline (found by the sync chaos run): the server takes it as any edit, so the finalizing laptop
must not let it slip into its finalized visit when it pulls it. It waits there as a conflict;
keeping the finalized answer is no amendment and lets the version be recorded, accepting the
team-mate's is an amendment with a reason. Either way both laptops and the server end alike."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.finalize import finalize_visit
from app.sync.engine import sync
from app.sync.resolve import AmendmentReasonNeeded, conflict_views, resolve_conflict
from app.visits import get_visit
from db.queries import sync as sq
from server.store.schema import finalized_versions
from tests.server.finalized_support import in_progress_visit
from tests.server.sync_support import QUICK, MemoryKeyring, laptop, use_keyring
from tests.server.test_sync_after_finalization import complete, local_hash, server_view
from tests.server.test_sync_engine import answer_section, change_one, first_item, response_row


@pytest.fixture
def keychain() -> Iterator[MemoryKeyring]:
    yield from use_keyring(MemoryKeyring())  # type: ignore[misc]


@pytest.fixture
def raced(server: Any, demo_template: Path, tmp_path: Path, keychain: MemoryKeyring) -> Iterator[Any]:
    """A finalized its visit offline; B, not knowing, changed an answer A gave and synced first;
    then A syncs."""
    a = laptop(server, demo_template, tmp_path / "a", mirror=True)
    b = laptop(server, demo_template, tmp_path / "b")
    for machine in (a, b):
        assert complete(machine)
    visit_id = in_progress_visit(a.profile)
    answer_section(a, visit_id, 0, 0.9, seed=1)
    for machine in (a, b):
        assert complete(machine)
    code = first_item(a, visit_id)
    finalized_note = response_row(a, visit_id, code)["note"]
    finalized_hash = finalize_visit(a.profile, visit_id, accept_gaps=True).id
    change_one(b, visit_id, code, "B's note, before B heard of the finalization")
    assert complete(b)
    result = sync(a.profile, a.session, retry=QUICK)
    yield a, b, visit_id, code, finalized_note, finalized_hash, result
    a.profile.close()
    b.profile.close()


def server_versions(server: Any, visit_id: str) -> list[tuple[int, str]]:
    with server.engine.connect() as conn:
        return [(r.amendment_no, r.content_hash) for r in conn.execute(
            select(finalized_versions).where(finalized_versions.c.visit_id == visit_id)
            .order_by(finalized_versions.c.amendment_no))]


def test_the_pulled_edit_waits_as_a_conflict_and_the_finalized_visit_is_untouched(raced):
    a, _, visit_id, code, finalized_note, finalized_hash, result = raced
    assert result.reason == "conflicts", (result.reason, result.message)
    # What A finalized is what A holds: the rows still hash as the finalized version.
    assert response_row(a, visit_id, code)["note"] == finalized_note
    assert local_hash(a, visit_id) == finalized_hash == get_visit(a.profile, visit_id).content_hash
    [view] = conflict_views(a.profile)
    assert view.visit_locked and view.finalized_here
    assert (view.mine.values["note"], view.theirs.values["note"]) == \
        (finalized_note, "B's note, before B heard of the finalization")
    # Keeping the finalized answer changes nothing finalized; taking B's does.
    assert not view.is_amendment("mine") and view.is_amendment("theirs")


def test_keeping_the_finalized_answer_lets_the_version_be_recorded(server, raced):
    a, b, visit_id, code, finalized_note, finalized_hash, _ = raced
    [view] = conflict_views(a.profile)
    resolve_conflict(a.profile, view.id, "mine")
    assert get_visit(a.profile, visit_id).amendment_no == 0
    assert complete(a) and complete(b)
    assert server_versions(server, visit_id) == [(0, finalized_hash)]
    assert [v["status"] for v in sq.versions_of(a.profile.db, visit_id)] == ["recorded"]
    held = server_view(server, visit_id)
    assert (held["status"], held["content_hash"], held["matches_latest"]) == ("finalized", finalized_hash, True)
    row = response_row(b, visit_id, code)
    assert (row["note"], row["dirty"]) == (finalized_note, 0)
    assert local_hash(b, visit_id) == finalized_hash
    assert not sq.open_conflicts(a.profile.db) and not sq.open_conflicts(b.profile.db)


def test_accepting_the_team_mates_answer_is_an_amendment_every_side_holds(server, raced):
    a, b, visit_id, code, _, _, _ = raced
    [view] = conflict_views(a.profile)
    with pytest.raises(AmendmentReasonNeeded):
        resolve_conflict(a.profile, view.id, "theirs")
    resolve_conflict(a.profile, view.id, "theirs", reason="组员的记录更准确")
    visit = get_visit(a.profile, visit_id)
    assert (visit.status, visit.amendment_no) == ("amended", 1)
    assert complete(a) and complete(b)
    # The server never held the rows of version 0 (B's edit was there first): the amendment
    # stands alone, and A marks version 0 superseded (docs/sync-protocol.md section 9).
    assert server_versions(server, visit_id) == [(1, visit.content_hash)]
    assert [v["status"] for v in sq.versions_of(a.profile.db, visit_id)] == ["superseded", "recorded"]
    held = server_view(server, visit_id)
    assert (held["status"], held["content_hash"], held["matches_latest"]) == ("amended", visit.content_hash, True)
    assert response_row(b, visit_id, code)["note"] == "B's note, before B heard of the finalization"
    assert local_hash(a, visit_id) == local_hash(b, visit_id) == visit.content_hash
    assert get_visit(b.profile, visit_id).amendment_no == 1
