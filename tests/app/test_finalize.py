"""Finalizing with gaps is deliberate (or forbidden); amendments are numbered and re-ask signatures."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from app.errors import GapsOpen, InvalidAnswer, VisitLocked
from app.finalize import amend_response, finalize_policy, finalize_visit
from app.gaps import gap_check
from app.settings import set_setting
from app.signatures import add_signature, earlier_signatures, list_signatures
from app.visits import NewVisit, answer_item, audit_trail, create_visit, get_visit, list_responses
from db import rows


def fail_audit_writes(monkeypatch) -> None:
    """The disk fills up just as an amendment writes its audit row."""
    import sqlite3

    real = rows.insert

    def failing(db, table, row, meta):
        if table == "audit_log":
            raise sqlite3.OperationalError("database or disk is full")
        return real(db, table, row, meta)
    monkeypatch.setattr(rows, "insert", failing)


def png() -> bytes:
    out = io.BytesIO()
    Image.new("L", (40, 20), 255).save(out, "PNG")
    return out.getvalue()


def complete_visit(s) -> str:
    """A visit with every item answered in full and both signatures: no gap at all."""
    vid = create_visit(s.profile, NewVisit(unit_id=s.unit_id, visit_type="routine", starts_on="2026-11-24",
                                           rubric_hashes=[s.rubric_hash], team_id=s.team_id)).id
    for code, value in (("A1", 10), ("A2", True), ("B1", "met"), ("B2", "good")):
        answer_item(s.profile, vid, rubric_hash=s.rubric_hash, item_code=code, value=value)
    sign_both(s, vid)
    assert gap_check(s.profile, vid) == []
    return vid


def sign_both(s, vid) -> None:
    add_signature(s.profile, vid, role="team_leader", signer_name="张建华", png=png())
    add_signature(s.profile, vid, role="unit_head", signer_name="刘志强", png=png())


def gapped_visit(s) -> str:
    vid = create_visit(s.profile, NewVisit(unit_id=s.unit_id, visit_type="routine", starts_on="2026-11-24",
                                           rubric_hashes=[s.rubric_hash], team_id=s.team_id)).id
    answer_item(s.profile, vid, rubric_hash=s.rubric_hash, item_code="A1", value=6)
    return vid


def test_a_complete_visit_finalizes_without_confirmation(seeded):
    vid = complete_visit(seeded)
    finalize_visit(seeded.profile, vid)
    assert get_visit(seeded.profile, vid).status == "finalized"


def test_finalizing_with_gaps_needs_the_confirmation_and_lists_them(seeded):
    vid = gapped_visit(seeded)
    with pytest.raises(GapsOpen) as caught:
        finalize_visit(seeded.profile, vid)
    gaps = gap_check(seeded.profile, vid)
    assert caught.value.gaps == gaps and f"{len(gaps)} gap(s)" in str(caught.value)
    assert len(caught.value.problems) == len(gaps)
    assert get_visit(seeded.profile, vid).status == "in_progress"
    finalize_visit(seeded.profile, vid, accept_gaps=True)
    assert get_visit(seeded.profile, vid).status == "finalized"


def test_the_setting_can_forbid_finalizing_with_gaps(seeded):
    vid = gapped_visit(seeded)
    set_setting(seeded.profile, "finalize_with_gaps", "forbid")
    with pytest.raises(GapsOpen, match="does not allow"):
        finalize_visit(seeded.profile, vid, accept_gaps=True)
    assert get_visit(seeded.profile, vid).status == "in_progress"
    complete = complete_visit(seeded)
    finalize_visit(seeded.profile, complete)  # no gap: nothing to forbid


def campaign_visit(s, rule: str | None) -> str:
    profile = s.profile
    with profile.transaction() as tx:
        rows.insert(tx.db, "campaigns", {"id": "c1", "name": "2026年秋季督导", "finalize_with_gaps": rule}, tx.meta)
        rows.insert(tx.db, "assignments", {
            "id": "a1", "campaign_id": "c1", "unit_id": s.unit_id, "team_id": s.team_id,
            "visit_type": "routine", "window_start": "2026-11-20", "window_end": "2026-11-30",
            "rubric_hashes": f'["{s.rubric_hash}"]'}, tx.meta)
    return create_visit(profile, NewVisit(unit_id=s.unit_id, visit_type="routine", starts_on="2026-11-24",
                                          rubric_hashes=[s.rubric_hash], assignment_id="a1")).id


@pytest.mark.parametrize("campaign, setting, expected", [
    (None, "confirm", "confirm"), (None, "forbid", "forbid"),
    ("forbid", "confirm", "forbid"), ("confirm", "forbid", "confirm"),
])
def test_a_campaign_rule_wins_over_the_setting(seeded, campaign, setting, expected):
    vid = campaign_visit(seeded, campaign)
    set_setting(seeded.profile, "finalize_with_gaps", setting)
    assert finalize_policy(seeded.profile, get_visit(seeded.profile, vid)) == expected
    if expected == "forbid":
        with pytest.raises(GapsOpen):
            finalize_visit(seeded.profile, vid, accept_gaps=True)
    else:
        finalize_visit(seeded.profile, vid, accept_gaps=True)


def test_an_amendment_can_set_what_a_gap_needs(seeded):
    """A missing reason, an N/A and the note: each by amendment, each in the audit trail."""
    profile = seeded.profile
    vid = gapped_visit(seeded)
    finalize_visit(profile, vid, accept_gaps=True)
    amend_response(profile, vid, rubric_hash=seeded.rubric_hash, item_code="A1", value=6,
                   reason="灭火器过期两具", reason_for_change="补记扣分理由")
    amend_response(profile, vid, rubric_hash=seeded.rubric_hash, item_code="B2", na=True,
                   note="本校无此项", reason_for_change="该项不适用")
    stored = {r.item_code: r for r in list_responses(profile, vid)}
    assert stored["A1"].value == 6 and stored["A1"].reason == "灭火器过期两具"
    assert stored["B2"].na and stored["B2"].note == "本校无此项"
    trail = audit_trail(profile, vid)
    assert [e.reason for e in trail] == ["补记扣分理由", "该项不适用"]
    visit = get_visit(profile, vid)
    assert visit.amendment_no == 2 and visit.amended_at


def test_an_amendment_that_changes_nothing_is_refused(seeded):
    vid = gapped_visit(seeded)
    finalize_visit(seeded.profile, vid, accept_gaps=True)
    with pytest.raises(InvalidAnswer, match="changes nothing"):
        amend_response(seeded.profile, vid, rubric_hash=seeded.rubric_hash, item_code="A1", value=6,
                       reason_for_change="x")
    assert audit_trail(seeded.profile, vid) == [] and get_visit(seeded.profile, vid).amendment_no == 0


def test_a_score_changing_amendment_turns_signatures_into_earlier_ones(seeded):
    profile = seeded.profile
    vid = complete_visit(seeded)
    finalize_visit(profile, vid)
    with pytest.raises(VisitLocked):  # what was finalized stays as signed
        add_signature(profile, vid, role="unit_head", signer_name="刘志强", png=png())

    amend_response(profile, vid, rubric_hash=seeded.rubric_hash, item_code="A1", value=8,
                   reason="消防栓压力不足", reason_for_change="复核后扣分")
    visit = get_visit(profile, vid)
    assert visit.version == 1 and visit.amendment_no == 1
    assert list_signatures(profile, vid) == []
    assert {s.role for s in earlier_signatures(profile, vid)} == {"team_leader", "unit_head"}
    assert {g.kind for g in gap_check(profile, vid)} == {"signature_missing"}
    # The amended version is signed again, once per role.
    sign_both(seeded, vid)
    assert {(s.role, s.signed_version) for s in list_signatures(profile, vid)} == {
        ("team_leader", 1), ("unit_head", 1)}
    with pytest.raises(VisitLocked):
        add_signature(profile, vid, role="unit_head", signer_name="刘志强", png=png())


def test_a_note_only_amendment_keeps_the_signatures(seeded):
    profile = seeded.profile
    vid = complete_visit(seeded)
    finalize_visit(profile, vid)
    amend_response(profile, vid, rubric_hash=seeded.rubric_hash, item_code="A1", value=10,
                   note="器材齐全", reason_for_change="补记备注")
    visit = get_visit(profile, vid)
    assert visit.version == 0 and visit.amendment_no == 1
    assert {s.role for s in list_signatures(profile, vid)} == {"team_leader", "unit_head"}


def test_a_failed_amendment_leaves_the_visit_as_it_was(seeded, monkeypatch):

    from app.errors import WriteFailed

    profile = seeded.profile
    vid = complete_visit(seeded)
    finalize_visit(profile, vid)
    before = get_visit(profile, vid)
    fail_audit_writes(monkeypatch)
    with pytest.raises(WriteFailed):
        amend_response(profile, vid, rubric_hash=seeded.rubric_hash, item_code="A1", value=3,
                       reason_for_change="复核")
    monkeypatch.undo()
    after = get_visit(profile, vid)
    assert after == before
    assert {r.item_code: r.value for r in list_responses(profile, vid)}["A1"] == 10


def test_findings_count_as_what_was_signed(seeded):
    from app.finalize import Change, outcome, record_amendment

    profile = seeded.profile
    vid = complete_visit(seeded)
    finalize_visit(profile, vid)
    visit = get_visit(profile, vid)
    before = outcome(profile, visit)
    # A finding changed by an amendment (as a later amendment kind would) moves the version.
    with profile.transaction() as tx:
        fid = "f1"
        rows.insert(tx.db, "findings", {"id": fid, "visit_id": vid, "unit_id": seeded.unit_id,
                                        "description": "安全台账缺失", "created_at": tx.now}, tx.meta)
        record_amendment(profile, tx, visit, reason="补记问题", by=None, before=before,
                         changes=[Change("findings", fid, "added", None, "安全台账缺失")])
    assert get_visit(profile, vid).version == 1


# --- photos by amendment ----------------------------------------------------------------------

def school_visit_finalized(s) -> tuple[str, str]:
    from app.rubric.samples import load_sample
    from app.rubric_store import import_document

    school, _ = import_document(s.profile, load_sample("standardized-school"))
    vid = create_visit(s.profile, NewVisit(unit_id=s.unit_id, visit_type="acceptance", starts_on="2026-11-24",
                                           rubric_hashes=[school.hash], team_id=s.team_id)).id
    answer_item(s.profile, vid, rubric_hash=school.hash, item_code="A2.4", value=True)
    finalize_visit(s.profile, vid, accept_gaps=True)
    return vid, school.hash


def photo_gaps(profile, vid):
    return [g.item_code for g in gap_check(profile, vid) if g.kind == "photo_missing"]


def test_a_missing_photo_is_added_by_amendment(seeded, tmp_path):
    from app.evidence import import_bytes, import_files, list_photos
    from tests.app.photo_factory import jpeg, write

    profile = seeded.profile
    vid, school = school_visit_finalized(seeded)
    assert "A2.4" in photo_gaps(profile, vid)
    with pytest.raises(VisitLocked, match="amendment"):
        import_bytes(profile, jpeg(), "a.jpg", visit_id=vid, item_code="A2.4")
    paths = [write(tmp_path, f"IMG_{k}.jpg", jpeg(seed=k)) for k in (1, 2)]
    summary = import_files(profile, paths, visit_id=vid, item_code="A2.4", amendment="补拍校舍鉴定公示牌")
    assert [r.status for r in summary.results] == ["imported", "imported"]
    assert len(list_photos(profile, vid, item_code="A2.4")) == 2
    assert "A2.4" not in photo_gaps(profile, vid)
    visit = get_visit(profile, vid)
    assert visit.amendment_no == 1 and visit.status == "amended" and visit.version == 0
    trail = audit_trail(profile, vid)
    assert [(e.table_name, e.field, e.reason) for e in trail] == [("evidence", "photo added", "补拍校舍鉴定公示牌")] * 2
    amendment_numbers = {r[0] for r in profile.db.execute("SELECT amendment_no FROM audit_log WHERE visit_id = ?", [vid])}
    assert amendment_numbers == {1}


def test_amending_photos_needs_a_finalized_visit(seeded, photo_visit):
    from app.evidence import import_bytes
    from tests.app.photo_factory import jpeg

    with pytest.raises(InvalidAnswer, match="not finalized"):
        import_bytes(seeded.profile, jpeg(), "a.jpg", visit_id=photo_visit, amendment="补拍")


def test_a_photo_amendment_that_cannot_be_written_leaves_no_row_and_no_file(seeded, monkeypatch):

    from app.evidence import import_bytes, list_photos
    from tests.app.photo_factory import jpeg

    profile = seeded.profile
    vid, _school = school_visit_finalized(seeded)
    files_before = sorted(p for p in profile.media_dir.rglob("*") if p.is_file())
    fail_audit_writes(monkeypatch)
    summary = import_bytes(profile, jpeg(seed=7), "a.jpg", visit_id=vid, item_code="A2.4", amendment="补拍")
    monkeypatch.undo()
    assert summary.failed and "disk is full" in summary.failed[0].message
    assert list_photos(profile, vid) == []
    assert sorted(p for p in profile.media_dir.rglob("*") if p.is_file()) == files_before
    assert get_visit(profile, vid).amendment_no == 0 and audit_trail(profile, vid) == []
