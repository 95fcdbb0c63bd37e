"""The core services the desktop workspace calls: settings, resume position, scores, gaps,
signatures, the unit tree and the day's overview."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from PIL import Image

from app.errors import InvalidAnswer, VisitLocked
from app.finalize import finalize_visit
from app.gaps import gap_check
from app.overview import open_assignments, sync_status, visits_in_progress
from app.people import list_inspectors, list_teams
from app.scores import live_scorer, score_visit
from app.session import Position, last_position, save_position
from app.settings import all_settings, get_setting, set_setting
from app.signatures import add_signature, list_signatures
from app.units import area_tree, search_units, unit_history
from app.visits import NewVisit, answer_item, create_visit


def png(color="black") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 20), color).save(buf, "PNG")
    return buf.getvalue()


def visit(s):
    return create_visit(s.profile, NewVisit(unit_id=s.unit_id, visit_type="routine", starts_on="2026-11-24",
                                            rubric_hashes=[s.rubric_hash], team_id=s.team_id)).id


def test_settings_have_defaults_and_are_checked(profile):
    assert get_setting(profile, "deadline_days") == 30
    set_setting(profile, "deadline_days", "14")
    set_setting(profile, "language", "en")
    assert all_settings(profile)["deadline_days"] == 14
    assert get_setting(profile, "language") == "en"
    for key, value in (("language", "klingon"), ("deadline_days", "soon"), ("deadline_days", -1), ("nope", 1)):
        with pytest.raises(InvalidAnswer):
            set_setting(profile, key, value)


def test_position_is_remembered(profile):
    assert last_position(profile) is None
    save_position(profile, Position("v1", "h", "A1"))
    assert last_position(profile) == Position("v1", "h", "A1")
    save_position(profile, None)
    assert last_position(profile) is None


def test_score_of_a_stored_visit_and_the_live_scorer_agree(seeded):
    vid = visit(seeded)
    answer_item(seeded.profile, vid, rubric_hash=seeded.rubric_hash, item_code="A1", value=7.5, reason="过期")
    answer_item(seeded.profile, vid, rubric_hash=seeded.rubric_hash, item_code="B1", value="basic")
    result = score_visit(seeded.profile, vid, seeded.rubric_hash)
    assert result.awarded == Decimal("10.5")
    scorer = live_scorer(seeded.profile, vid, seeded.rubric_hash)
    assert scorer.result.awarded == result.awarded
    assert scorer.result.gap_count == result.gap_count


def test_gap_check_lists_unanswered_items_and_missing_signatures(seeded):
    vid = visit(seeded)
    gaps = gap_check(seeded.profile, vid)
    assert {(g.kind, g.item_code) for g in gaps if g.item_code} == {("unanswered", c) for c in ("A1", "A2", "B1")}
    assert {g.role for g in gaps if g.kind == "signature_missing"} == {"team_leader", "unit_head"}
    add_signature(seeded.profile, vid, role="team_leader", signer_name="张建华", png=png())
    assert {g.role for g in gap_check(seeded.profile, vid) if g.kind == "signature_missing"} == {"unit_head"}


def test_signatures_are_stored_as_media_and_replaced_per_role(seeded):
    vid = visit(seeded)
    add_signature(seeded.profile, vid, role="unit_head", signer_name="刘志强", png=png("black"))
    add_signature(seeded.profile, vid, role="unit_head", signer_name="刘志强", png=png("blue"))
    [sig] = list_signatures(seeded.profile, vid)
    assert sig.path.read_bytes() == png("blue")
    assert sig.signed_at


@pytest.mark.parametrize("kw, error", [
    ({"role": "mayor", "signer_name": "x", "png": png()}, InvalidAnswer),
    ({"role": "unit_head", "signer_name": " ", "png": png()}, InvalidAnswer),
    ({"role": "unit_head", "signer_name": "x", "png": b"not a png"}, InvalidAnswer),
])
def test_bad_signatures_are_refused(seeded, kw, error):
    vid = visit(seeded)
    with pytest.raises(error):
        add_signature(seeded.profile, vid, **kw)
    assert list_signatures(seeded.profile, vid) == []


def test_a_finalized_visit_cannot_be_signed(seeded):
    vid = visit(seeded)
    finalize_visit(seeded.profile, vid, accept_gaps=True)
    with pytest.raises(VisitLocked):
        add_signature(seeded.profile, vid, role="unit_head", signer_name="x", png=png())


def test_unit_tree_search_and_history(seeded):
    [root] = area_tree(seeded.profile)
    assert root.name == "丹江口市" and [u.name for u in root.units] == ["均州路中心小学"]
    assert [u.code for u in search_units(seeded.profile, "均州")] == ["DJK001"]
    vid = visit(seeded)
    answer_item(seeded.profile, vid, rubric_hash=seeded.rubric_hash, item_code="A1", value=10)
    [entry] = unit_history(seeded.profile, seeded.unit_id)
    assert entry.visit.id == vid and entry.percentage == Decimal(50)  # 10 of 20 points


def test_overview_people_and_sync_status(seeded):
    vid = visit(seeded)
    assert [v.id for v in visits_in_progress(seeded.profile)] == [vid]
    assert open_assignments(seeded.profile, date(2026, 11, 24)) == []
    assert sync_status(seeded.profile).pending_changes > 0
    assert sync_status(seeded.profile).last_sync is None
    assert [i.name for i in list_inspectors(seeded.profile)] == sorted(["张建华", "李秀梅"])
    [team] = list_teams(seeded.profile)
    assert [m.role for m in team.members] == ["leader", "member"]
