from __future__ import annotations

import json

import pytest

from app.canonical import content_hash
from app.errors import InvalidAnswer, NotFound, VisitLocked
from app.finalize import amend_response, finalize_visit
from app.findings import add_finding, add_good_practice
from app.visits import (
    NewVisit,
    VisitFilter,
    answer_item,
    audit_trail,
    cancel_visit,
    clear_item,
    create_visit,
    get_visit,
    list_responses,
    list_visits,
    visit_record,
)


def new_visit(s, **kw):
    spec = dict(unit_id=s.unit_id, visit_type="acceptance", starts_on="2026-11-20",
                rubric_hashes=[s.rubric_hash], team_id=s.team_id)
    spec.update(kw)
    return create_visit(s.profile, NewVisit(**spec)).id


def answer(s, vid, code, value=None, **kw):
    return answer_item(s.profile, vid, rubric_hash=s.rubric_hash, item_code=code, value=value, **kw)


def test_create_visit_ad_hoc_takes_the_team_and_pins_the_rubric(seeded):
    created = create_visit(seeded.profile, NewVisit(
        unit_id=seeded.unit_id, visit_type="routine", starts_on="2026-11-20", ends_on="2026-11-21",
        rubric_hashes=[seeded.rubric_hash], team_id=seeded.team_id,
        sections={(seeded.rubric_hash, "A"): seeded.inspector_ids[1]}))
    assert created.changes.visit and created.id in created.changes.visit_ids
    visit = get_visit(seeded.profile, created.id)
    assert visit.status == "in_progress"
    assert visit.rubric_hashes == (seeded.rubric_hash,)
    assert [m.role for m in visit.members] == ["leader", "member"]
    assert visit.unit_name == "均州路中心小学"
    record = visit_record(seeded.profile, created.id)
    assert record["sections"] == [{"rubric_hash": seeded.rubric_hash, "section_code": "A",
                                   "inspector_id": seeded.inspector_ids[1]}]


@pytest.mark.parametrize("kw, message", [
    ({"visit_type": "picnic"}, "unknown visit type"),
    ({"starts_on": "20-11-2026"}, "not a date"),
    ({"ends_on": "2026-11-01"}, "ends"),
    ({"rubric_hashes": []}, "at least one rubric"),
    ({"sections": {("x", "A"): "y"}}, "not in the visit's rubric"),
])
def test_create_visit_rejects_bad_input(seeded, kw, message):
    with pytest.raises((InvalidAnswer, NotFound), match=message):
        new_visit(seeded, **kw)


def test_create_visit_for_unknown_unit(seeded):
    with pytest.raises(NotFound):
        new_visit(seeded, unit_id="nope")


def test_answer_and_clear_an_item(seeded):
    vid = new_visit(seeded)
    changes = answer(seeded, vid, "A1", 8.5, evidence_methods=["site", "documents"], note="两具灭火器过期",
                     reason="灭火器过期")
    assert changes.responses and changes.item_codes == {"A1"}
    [r] = list_responses(seeded.profile, vid)
    assert (r.item_code, r.value, r.evidence_methods, r.note) == ("A1", 8.5, ("site", "documents"), "两具灭火器过期")
    answer(seeded, vid, "A1", 9)
    assert [r.value for r in list_responses(seeded.profile, vid)] == [9]
    clear_item(seeded.profile, vid, rubric_hash=seeded.rubric_hash, item_code="A1")
    assert list_responses(seeded.profile, vid) == []
    # The cleared answer is a tombstone, so the clearing itself syncs.
    row = seeded.profile.db.execute("SELECT deleted, dirty FROM responses").fetchone()
    assert row == (1, 1)


def test_one_row_per_visit_and_item(seeded):
    vid = new_visit(seeded)
    for value in (1, 2, 3):
        answer(seeded, vid, "A1", value)
    assert seeded.profile.db.execute("SELECT count(*) FROM responses").fetchone()[0] == 1


@pytest.mark.parametrize("code, value, kw, message", [
    ("A1", 11, {}, "A1"),
    ("A1", 0.3, {}, "A1"),
    ("B1", "excellent", {}, "B1"),
    ("ZZ", 1, {}, "not in rubric"),
    ("A1", None, {"na": True}, "not applicable"),
    ("A1", 5, {"evidence_methods": ["telepathy"]}, "unknown evidence method"),
])
def test_answers_that_do_not_fit_the_item_are_refused(seeded, code, value, kw, message):
    vid = new_visit(seeded)
    with pytest.raises(InvalidAnswer, match=message):
        answer(seeded, vid, code, value, **kw)
    assert list_responses(seeded.profile, vid) == []


def test_na_where_allowed(seeded):
    vid = new_visit(seeded)
    answer(seeded, vid, "B2", na=True)
    [r] = list_responses(seeded.profile, vid)
    assert r.na and r.value is None


def test_finalize_locks_the_visit_and_records_its_hash(seeded):
    vid = new_visit(seeded)
    answer(seeded, vid, "A1", 10)
    answer(seeded, vid, "A2", True)
    add_finding(seeded.profile, vid, description="疏散标志损坏", deadline="2026-12-20")
    add_good_practice(seeded.profile, vid, "安全台账规范")
    expected = content_hash(visit_record(seeded.profile, vid))
    result = finalize_visit(seeded.profile, vid, accept_gaps=True)
    visit = get_visit(seeded.profile, vid)
    assert visit.status == "finalized" and visit.locked
    assert visit.content_hash == result.id == expected
    assert visit.finalized_at


def test_a_finalized_visit_cannot_change_except_by_amendment(seeded):
    vid = new_visit(seeded)
    answer(seeded, vid, "A1", 10)
    finalize_visit(seeded.profile, vid, accept_gaps=True)
    with pytest.raises(VisitLocked):
        answer(seeded, vid, "A1", 5)
    with pytest.raises(VisitLocked):
        clear_item(seeded.profile, vid, rubric_hash=seeded.rubric_hash, item_code="A1")
    with pytest.raises(VisitLocked):
        add_finding(seeded.profile, vid, description="x")
    with pytest.raises(VisitLocked):
        add_good_practice(seeded.profile, vid, "x")
    with pytest.raises(VisitLocked):
        finalize_visit(seeded.profile, vid, accept_gaps=True)
    with pytest.raises(VisitLocked):
        cancel_visit(seeded.profile, vid)
    assert [r.value for r in list_responses(seeded.profile, vid)] == [10]


def test_amendment_needs_a_reason_and_keeps_the_old_value(seeded):
    vid = new_visit(seeded)
    answer(seeded, vid, "A1", 6, reason="器材不足")
    first_hash = finalize_visit(seeded.profile, vid, accept_gaps=True).id
    for reason in ("", "   "):
        with pytest.raises(InvalidAnswer, match="reason"):
            amend_response(seeded.profile, vid, rubric_hash=seeded.rubric_hash, item_code="A1",
                           value=9, reason_for_change=reason)
    changes = amend_response(seeded.profile, vid, rubric_hash=seeded.rubric_hash, item_code="A1", value=9,
                             reason_for_change="学校补交了采购凭证", by=seeded.inspector_ids[0])
    assert changes.audit and changes.responses
    [entry] = audit_trail(seeded.profile, vid)
    assert json.loads(entry.old_value)["value"] == 6
    assert json.loads(entry.new_value)["value"] == 9
    assert entry.reason == "学校补交了采购凭证"
    visit = get_visit(seeded.profile, vid)
    assert visit.status == "amended" and visit.locked
    assert visit.content_hash != first_hash
    assert visit.content_hash == content_hash(visit_record(seeded.profile, vid))
    # The audit log is append-only.
    with pytest.raises(Exception, match="append-only"):
        seeded.profile.db.execute("DELETE FROM audit_log")


def test_amend_is_only_for_finalized_visits(seeded):
    vid = new_visit(seeded)
    with pytest.raises(InvalidAnswer, match="not finalized"):
        amend_response(seeded.profile, vid, rubric_hash=seeded.rubric_hash, item_code="A1", value=1,
                       reason_for_change="x")


def test_amendment_that_fails_validation_changes_nothing(seeded):
    vid = new_visit(seeded)
    answer(seeded, vid, "A1", 6)
    h = finalize_visit(seeded.profile, vid, accept_gaps=True).id
    with pytest.raises(InvalidAnswer):
        amend_response(seeded.profile, vid, rubric_hash=seeded.rubric_hash, item_code="A1", value=99,
                       reason_for_change="typo")
    assert get_visit(seeded.profile, vid).content_hash == h
    assert audit_trail(seeded.profile, vid) == []


def test_list_visits_filters_and_sorts(seeded):
    a = new_visit(seeded, starts_on="2026-11-01")
    b = new_visit(seeded, starts_on="2026-11-05")
    c = new_visit(seeded, starts_on="2026-11-03")
    finalize_visit(seeded.profile, c, accept_gaps=True)
    assert [v.id for v in list_visits(seeded.profile)] == [b, c, a]
    assert [v.id for v in list_visits(seeded.profile, VisitFilter(status="in_progress"))] == [b, a]
    assert [v.id for v in list_visits(seeded.profile, VisitFilter(text="均州"), limit=1)] == [b]
    assert [v.id for v in list_visits(seeded.profile, VisitFilter(date_from="2026-11-02", date_to="2026-11-04"))] == [c]


def test_rows_carry_sync_bookkeeping(seeded):
    vid = new_visit(seeded)
    answer(seeded, vid, "A1", 10)
    rev_v, dev_v, dirty_v = seeded.profile.db.execute("SELECT rev, device_id, dirty FROM visits").fetchone()
    rev_r, dev_r, dirty_r = seeded.profile.db.execute("SELECT rev, device_id, dirty FROM responses").fetchone()
    assert dev_v == dev_r == seeded.profile.device_id
    assert dirty_v == dirty_r == 1
    assert rev_r > rev_v


def test_create_visit_from_an_assignment(seeded):
    from app.visits import create_visit_from_assignment
    from tests.conftest import insert_row

    campaign = insert_row(seeded.profile, "campaigns", name="2026年秋季督导")
    assignment = insert_row(seeded.profile, "assignments", campaign_id=campaign, unit_id=seeded.unit_id,
                            team_id=seeded.team_id, visit_type="acceptance", window_start="2026-11-20",
                            window_end="2026-11-30", rubric_hashes=json.dumps([seeded.rubric_hash]))
    vid = create_visit_from_assignment(seeded.profile, assignment, starts_on="2026-11-24").id
    visit = get_visit(seeded.profile, vid)
    assert (visit.assignment_id, visit.visit_type, visit.unit_id) == (assignment, "acceptance", seeded.unit_id)
    assert visit.rubric_hashes == (seeded.rubric_hash,)
    assert len(visit.members) == 2
    assert [v.id for v in list_visits(seeded.profile, VisitFilter(campaign_id=campaign))] == [vid]
    with pytest.raises(NotFound):
        create_visit_from_assignment(seeded.profile, "missing", starts_on="2026-11-24")


def test_count_visits_matches_the_filter(seeded):
    from app.visits import count_visits

    new_visit(seeded, starts_on="2026-11-01")
    finalize_visit(seeded.profile, new_visit(seeded, starts_on="2026-11-02"), accept_gaps=True)
    assert count_visits(seeded.profile) == 2
    assert count_visits(seeded.profile, VisitFilter(status="finalized")) == 1
