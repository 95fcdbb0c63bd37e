"""Every change records who made it; one user action is one transaction; a refused write is typed."""

from __future__ import annotations

import sqlite3

import pytest

from app.errors import InvalidAnswer, WriteFailed
from app.evidence import import_bytes, link_photos_to_finding, list_photos
from app.finalize import amend_response, finalize_visit
from app.findings import add_finding, finding_history, set_finding_status
from app.profile import UNNAMED_INSPECTOR
from app.settings import get_setting, set_settings
from app.visits import (
    NewVisit,
    answer_item,
    audit_trail,
    create_visit,
    list_responses,
)
from db import rows
from db.queries import meta
from tests.app.photo_factory import jpeg


def visit_of(s):
    return create_visit(s.profile, NewVisit(unit_id=s.unit_id, visit_type="routine", starts_on="2026-11-24",
                                            rubric_hashes=[s.rubric_hash], team_id=s.team_id)).id


def inspector_name(profile, inspector_id):
    return profile.db.execute("SELECT name FROM inspectors WHERE id = ?", [inspector_id]).fetchone()[0]


def test_answers_findings_and_amendments_record_the_profiles_inspector(seeded):
    profile = seeded.profile
    vid = visit_of(seeded)
    answer_item(profile, vid, rubric_hash=seeded.rubric_hash, item_code="A1", value=8)
    finding = add_finding(profile, vid, description="灭火器过期").id
    set_finding_status(profile, finding, "fixed_on_site")
    finalize_visit(profile, vid, accept_gaps=True)
    amend_response(profile, vid, rubric_hash=seeded.rubric_hash, item_code="A1", value=9,
                   reason_for_change="复核后改正")
    me = profile.inspector_id
    assert me is not None and inspector_name(profile, me) == UNNAMED_INSPECTOR
    assert [r.answered_by for r in list_responses(profile, vid)] == [me]
    assert [e.by_inspector for e in finding_history(profile, finding)] == [me, me]
    trail = audit_trail(profile, vid)
    assert trail and all(e.by_inspector == me for e in trail)
    empty = profile.db.execute("SELECT count(*) FROM audit_log WHERE by_inspector IS NULL").fetchone()[0]
    assert empty == 0


def test_the_inspectors_name_setting_names_the_recorded_inspector(seeded):
    profile = seeded.profile
    set_settings(profile, {"inspector_name": "王志强"})
    vid = visit_of(seeded)
    answer_item(profile, vid, rubric_hash=seeded.rubric_hash, item_code="A1", value=8)
    assert inspector_name(profile, list_responses(profile, vid)[0].answered_by) == "王志强"
    set_settings(profile, {"inspector_name": "王志刚"})
    assert inspector_name(profile, profile.inspector_id) == "王志刚"


def test_an_explicit_inspector_wins(seeded):
    vid = visit_of(seeded)
    answer_item(seeded.profile, vid, rubric_hash=seeded.rubric_hash, item_code="A1", value=8,
                by=seeded.inspector_ids[1])
    assert list_responses(seeded.profile, vid)[0].answered_by == seeded.inspector_ids[1]


def test_a_rolled_back_first_write_leaves_no_inspector_behind(seeded, monkeypatch):
    profile = seeded.profile
    vid = visit_of(seeded)
    profile.inspector_id = None  # as on a profile whose first recorded change is this one
    with profile.db.atomic():
        profile.db.execute("DELETE FROM meta WHERE key = 'inspector_id'")
    count = profile.db.execute("SELECT count(*) FROM inspectors").fetchone()[0]

    def failing(*a, **k):
        raise sqlite3.OperationalError("disk I/O error")
    monkeypatch.setattr("db.queries.responses.upsert_response", failing)
    with pytest.raises(WriteFailed):
        answer_item(profile, vid, rubric_hash=seeded.rubric_hash, item_code="A1", value=8)
    assert profile.inspector_id is None
    assert profile.db.execute("SELECT count(*) FROM inspectors").fetchone()[0] == count
    monkeypatch.undo()
    answer_item(profile, vid, rubric_hash=seeded.rubric_hash, item_code="A1", value=8)
    assert profile.db.execute("SELECT count(*) FROM inspectors").fetchone()[0] == count + 1


@pytest.mark.parametrize("message, words, transient", [
    ("database or disk is full", "disk is full", True),
    ("disk I/O error", "could not be written", True),
    ("database is locked", "busy", True),
    ("attempt to write a readonly database", "read-only", False),
])
def test_a_refused_write_is_a_typed_error(seeded, monkeypatch, message, words, transient):
    vid = visit_of(seeded)

    def failing(*a, **k):
        raise sqlite3.OperationalError(message)
    monkeypatch.setattr("db.queries.responses.upsert_response", failing)
    with pytest.raises(WriteFailed) as caught:
        answer_item(seeded.profile, vid, rubric_hash=seeded.rubric_hash, item_code="A1", value=8)
    assert words in str(caught.value) and caught.value.transient is transient
    monkeypatch.undo()
    assert list_responses(seeded.profile, vid) == []


def test_a_programming_error_is_not_disguised_as_a_disk_problem(seeded, monkeypatch):
    vid = visit_of(seeded)

    def failing(*a, **k):
        raise sqlite3.OperationalError("no such column: valu")
    monkeypatch.setattr("db.queries.responses.upsert_response", failing)
    with pytest.raises(sqlite3.OperationalError):
        answer_item(seeded.profile, vid, rubric_hash=seeded.rubric_hash, item_code="A1", value=8)


class CountingCommits:
    """Counts the transactions a call makes (each ``profile.transaction`` is one commit)."""

    def __init__(self, profile, monkeypatch):
        self.count = 0
        real = type(profile).transaction

        def counted(inner_self):
            self.count += 1
            return real(inner_self)
        monkeypatch.setattr(type(profile), "transaction", counted)


def test_linking_photos_to_a_finding_is_one_transaction(seeded, monkeypatch):
    profile = seeded.profile
    vid = visit_of(seeded)
    ids = [import_bytes(profile, jpeg(seed=k), f"{k}.jpg", visit_id=vid, item_code="A1").evidence_ids[0]
           for k in range(3)]
    finding = add_finding(profile, vid, description="消防器材不足").id
    commits = CountingCommits(profile, monkeypatch)
    link_photos_to_finding(profile, ids, finding)
    assert commits.count == 1
    assert {p.id for p in list_photos(profile, vid, finding_id=finding)} == set(ids)
    assert {p.item_code for p in list_photos(profile, vid)} == {"A1"}  # each stays on its item


def test_linking_fails_whole_when_one_photo_is_wrong(seeded):
    profile = seeded.profile
    vid = visit_of(seeded)
    good = import_bytes(profile, jpeg(), "a.jpg", visit_id=vid).evidence_ids[0]
    finding = add_finding(profile, vid, description="x").id
    with pytest.raises(Exception):  # noqa: B017 - NotFound for the missing photo
        link_photos_to_finding(profile, [good, "no-such-photo"], finding)
    assert list_photos(profile, vid, finding_id=finding) == []


def test_saving_the_settings_is_one_transaction(seeded, monkeypatch):
    profile = seeded.profile
    commits = CountingCommits(profile, monkeypatch)
    set_settings(profile, {"inspector_name": "李明", "office_name": "丹江口市教育督导室",
                           "deadline_days": 14, "reduce_photos": True})
    assert commits.count == 1
    assert get_setting(profile, "reduce_photos") is True
    assert meta.get(profile.db, "evidence.reduce_photos") == "1"  # where the importer reads it


def test_settings_are_saved_all_or_nothing(seeded, monkeypatch):
    profile = seeded.profile
    with pytest.raises(InvalidAnswer):
        set_settings(profile, {"office_name": "某督导室", "deadline_days": -3})
    assert get_setting(profile, "office_name") == ""

    real = rows.update

    def failing(*a, **k):
        raise sqlite3.OperationalError("database or disk is full")
    monkeypatch.setattr(rows, "update", failing)
    with pytest.raises(WriteFailed):
        set_settings(profile, {"office_name": "某督导室", "inspector_name": "李明"})
    monkeypatch.setattr(rows, "update", real)
    assert get_setting(profile, "office_name") == ""
