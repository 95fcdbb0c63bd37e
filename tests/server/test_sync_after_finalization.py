"""A team-mate's edit that reaches the server after the team leader finalized the visit: kept as a
conflict, never lost and never applied silently; the leader keeps the finalized version or
accepts the edit as an amendment, and every laptop and the server end on the same version."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.canonical import content_hash
from app.finalize import amend_response, finalize_visit
from app.findings import add_finding
from app.sync.bundle_export import export_bundle
from app.sync.bundle_import import import_bundle
from app.sync.engine import sync
from app.sync.resolve import AmendmentReasonNeeded, conflict_views, resolve_conflict
from app.visits import get_visit, visit_record
from db.queries import sync as sq
from db.rows import fetch_all
from server.store.schema import sync_conflicts, sync_rows
from server.sync.visit_view import describe_visit
from tests.server.finalized_support import in_progress_visit
from tests.server.sync_support import QUICK, MemoryKeyring, laptop, use_keyring
from tests.server.test_sync_engine import answer_section, change_one, first_item, response_row


@pytest.fixture
def keychain() -> Iterator[MemoryKeyring]:
    yield from use_keyring(MemoryKeyring())  # type: ignore[misc]


@pytest.fixture
def finalized(server: Any, demo_template: Path, tmp_path: Path, keychain: MemoryKeyring) -> Iterator[Any]:
    """Two laptops of one visit: both answered a section and synced; A, the leader, finalized
    and synced; B has not heard of it yet."""
    a = laptop(server, demo_template, tmp_path / "a", mirror=True)
    b = laptop(server, demo_template, tmp_path / "b")
    for machine in (a, b):
        assert complete(machine)
    visit_id = in_progress_visit(a.profile)
    answer_section(a, visit_id, 0, 0.9, seed=1)
    answer_section(b, visit_id, 1, 0.4, seed=2)
    for machine in (a, b, a):
        assert complete(machine)
    finalize_visit(a.profile, visit_id, accept_gaps=True)
    assert complete(a)
    yield a, b, visit_id
    a.profile.close()
    b.profile.close()


def complete(machine: Any) -> bool:
    result = sync(machine.profile, machine.session, retry=QUICK)
    assert result.complete, (result.reason, result.message)
    return True


def server_view(server: Any, visit_id: str) -> dict[str, Any]:
    with server.engine.connect() as conn:
        return describe_visit(conn, visit_id)


def server_values(server: Any, table: str, key: str) -> dict[str, Any] | None:
    with server.engine.connect() as conn:
        row = conn.execute(select(sync_rows.c.row_values, sync_rows.c.deleted)
                           .where(sync_rows.c.table_name == table, sync_rows.c.key == key)).first()
    return None if row is None else {**json.loads(row.row_values), "deleted": bool(row.deleted)}


def server_conflicts(server: Any, key: str) -> list[str]:
    with server.engine.connect() as conn:
        return [r.status for r in conn.execute(select(sync_conflicts.c.status).where(sync_conflicts.c.key == key))]


def local_hash(machine: Any, visit_id: str) -> str:
    return content_hash(visit_record(machine.profile, visit_id))


def late_edit(server: Any, a: Any, b: Any, visit_id: str) -> tuple[str, str]:
    """B changes an item A answered, after A finalized; B's sync keeps it as a conflict."""
    code = first_item(a, visit_id)
    finalized_note = response_row(a, visit_id, code)["note"]
    change_one(b, visit_id, code, "B's late note")
    result = sync(b.profile, b.session, retry=QUICK)
    assert result.reason == "conflicts", (result.reason, result.message)
    key = response_row(b, visit_id, code)["id"]
    # Never applied silently: the server's row and the finalized version are as A finalized them.
    held = server_values(server, "responses", key)
    assert held is not None and held["note"] == finalized_note
    view = server_view(server, visit_id)
    assert (view["status"], view["matches_latest"]) == ("finalized", True)
    assert [c["table"] for c in view["open_conflicts"]] == ["responses"]
    # Never lost: B's laptop keeps its edit, waiting.
    assert response_row(b, visit_id, code)["note"] == "B's late note" and response_row(b, visit_id, code)["dirty"]
    return code, key


def test_a_late_edit_accepted_as_an_amendment_reaches_every_laptop(server, finalized):
    a, b, visit_id = finalized
    code, key = late_edit(server, a, b, visit_id)
    result = sync(a.profile, a.session, retry=QUICK)
    assert result.reason == "conflicts"
    [view] = conflict_views(a.profile)
    assert view.visit_locked and view.mine.this_device
    assert (view.mine.values["note"], view.theirs.values["note"]) != ("B's late note", "B's late note")
    assert view.theirs.values["note"] == "B's late note"
    assert view.is_amendment("theirs") and not view.is_amendment("mine")
    # An amendment needs its reason; without one nothing changes.
    with pytest.raises(AmendmentReasonNeeded):
        resolve_conflict(a.profile, view.id, "theirs")
    assert get_visit(a.profile, visit_id).amendment_no == 0 and len(conflict_views(a.profile)) == 1
    resolve_conflict(a.profile, view.id, "theirs", reason="组员补充的现场记录")
    visit = get_visit(a.profile, visit_id)
    assert (visit.status, visit.amendment_no) == ("amended", 1)
    [audit] = fetch_all(a.profile.db, "SELECT * FROM audit_log WHERE visit_id = ? AND field = 'note'", (visit_id,))
    assert (audit["reason"], json.loads(audit["new_value"]), audit["amendment_no"]) == \
        ("组员补充的现场记录", "B's late note", 1)
    assert complete(a)
    held = server_view(server, visit_id)
    assert (held["status"], held["matches_latest"], held["open_conflicts"]) == ("amended", True, [])
    assert server_values(server, "responses", key)["note"] == "B's late note"
    assert server_conflicts(server, key) == ["resolved"]
    # B hears of the choice: its edit is the row now, clean, and no conflict is left anywhere.
    assert complete(b)
    row = response_row(b, visit_id, code)
    assert (row["note"], row["dirty"]) == ("B's late note", 0)
    assert not sq.open_conflicts(b.profile.db) and not sq.open_conflicts(a.profile.db)
    assert local_hash(a, visit_id) == local_hash(b, visit_id) == held["content_hash"]
    assert get_visit(b.profile, visit_id).amendment_no == 1


def test_keeping_the_finalized_version_is_no_amendment_and_b_follows(server, finalized):
    a, b, visit_id = finalized
    code, key = late_edit(server, a, b, visit_id)
    finalized_hash = server_view(server, visit_id)["content_hash"]
    sync(a.profile, a.session, retry=QUICK)
    [view] = conflict_views(a.profile)
    resolve_conflict(a.profile, view.id, "mine")
    assert get_visit(a.profile, visit_id).amendment_no == 0
    assert complete(a) and complete(b)
    held = server_view(server, visit_id)
    assert (held["status"], held["content_hash"], held["matches_latest"]) == ("finalized", finalized_hash, True)
    assert server_conflicts(server, key) == ["resolved"]
    # B's edit is not lost: the server keeps it in the resolved conflict; B's row follows A's choice.
    with server.engine.connect() as conn:
        kept = conn.execute(select(sync_conflicts.c.incoming).where(sync_conflicts.c.key == key)).scalar_one()
    assert json.loads(kept)["values"]["note"] == "B's late note"
    row = response_row(b, visit_id, code)
    assert row["dirty"] == 0 and row["note"] == response_row(a, visit_id, code)["note"]
    assert not sq.open_conflicts(b.profile.db)
    assert local_hash(b, visit_id) == finalized_hash


def test_a_finding_added_after_finalization_waits_for_the_leader(server, finalized):
    a, b, visit_id = finalized
    rubric_hash = get_visit(b.profile, visit_id).rubric_hashes[0]
    finding_id = add_finding(b.profile, visit_id, rubric_hash=rubric_hash, item_code=first_item(b, visit_id),
                             description="消防通道堆放杂物", requirement="立即清理", deadline="2026-12-31",
                             responsible="总务处", severity="major").id
    result = sync(b.profile, b.session, retry=QUICK)
    assert result.reason == "conflicts", (result.reason, result.message)
    # The finalized visit holds no such finding: the server keeps none until the leader chooses.
    assert server_values(server, "findings", finding_id) is None
    assert server_view(server, visit_id)["matches_latest"] is True
    sync(a.profile, a.session, retry=QUICK)
    [view] = conflict_views(a.profile)
    assert view.table == "findings" and view.mine.deleted and not view.theirs.deleted
    resolve_conflict(a.profile, view.id, "theirs", reason="补记组员发现的问题")
    assert complete(a) and complete(b)
    assert server_values(server, "findings", finding_id)["description"] == "消防通道堆放杂物"
    held = server_view(server, visit_id)
    assert (held["status"], held["matches_latest"]) == ("amended", True)
    assert local_hash(a, visit_id) == local_hash(b, visit_id) == held["content_hash"]


def test_a_team_mate_who_amends_after_the_finalization_is_applied(server, finalized):
    a, b, visit_id = finalized
    assert complete(b)
    assert get_visit(b.profile, visit_id).locked
    code = first_item(b, visit_id)
    rubric_hash = get_visit(b.profile, visit_id).rubric_hashes[0]
    before = response_row(b, visit_id, code)
    amend_response(b.profile, visit_id, rubric_hash=rubric_hash, item_code=code, reason_for_change="复核更正",
                   value=json.loads(before["value"]), note="复核后的记录")
    assert complete(b)
    held = server_view(server, visit_id)
    assert (held["status"], held["matches_latest"], held["open_conflicts"]) == ("amended", True, [])
    assert complete(a)
    assert response_row(a, visit_id, code)["note"] == "复核后的记录"
    assert local_hash(a, visit_id) == held["content_hash"]


def test_a_late_edit_in_a_team_mates_bundle_is_a_conflict_not_applied(server, finalized, tmp_path):
    a, b, visit_id = finalized
    code = first_item(a, visit_id)
    finalized_note = response_row(a, visit_id, code)["note"]
    change_one(b, visit_id, code, "B's late note")
    out = tmp_path / "b.fmbundle"
    export_bundle(b.profile, [visit_id], out, recipient="team")
    imported = import_bundle(a.profile, out, trust=True)
    assert imported.conflicts == 1
    assert response_row(a, visit_id, code)["note"] == finalized_note
    [view] = conflict_views(a.profile)
    assert view.visit_locked and view.theirs.values["note"] == "B's late note"
