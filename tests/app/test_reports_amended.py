"""An amended sheet says so, with its number and date, and asks again for signatures it changed."""

from __future__ import annotations

import io

from PIL import Image

from app.finalize import amend_response, finalize_visit
from app.reports import build_report
from app.signatures import add_signature
from app.visits import get_visit
from tests.app.report_factory import banded_visit, pdf_text, squeeze


def png() -> bytes:
    out = io.BytesIO()
    Image.new("L", (60, 20), 255).save(out, "PNG")
    return out.getvalue()


def signed_and_final(seeded):
    vid, rubric_hash = banded_visit(seeded, photos=0)
    add_signature(seeded.profile, vid, role="team_leader", signer_name="张建华", png=png())
    add_signature(seeded.profile, vid, role="unit_head", signer_name="刘志强", png=png())
    finalize_visit(seeded.profile, vid, accept_gaps=True)
    return vid, rubric_hash


def test_an_amended_sheet_names_its_amendment_and_asks_for_new_signatures(seeded):
    vid, rubric_hash = signed_and_final(seeded)
    original = squeeze(pdf_text(build_report(seeded.profile, vid).pdf))
    assert "修订" not in original and "请重新签字" not in original

    amend_response(seeded.profile, vid, rubric_hash=rubric_hash, item_code="A1", value=10,
                   reason_for_change="补交材料")
    visit = get_visit(seeded.profile, vid)
    assert visit.version == 1
    text = squeeze(pdf_text(build_report(seeded.profile, vid).pdf))
    y, m, d = (int(x) for x in visit.amended_at[:10].split("-"))
    assert "现场反馈意见书（修订）" in text
    assert f"本文件为第1次修订，修订日期{y}年{m}月{d}日" in text
    assert "张建华于" in text and "签字确认的是修订前的版本，请重新签字" in text
    assert "刘志强于" in text

    english = squeeze(pdf_text(build_report(seeded.profile, vid, lang="en").pdf))
    assert "(Amended)" in english and "Amendmentno.1of" in english and "pleasesignagain" in english

    # Signed again: the sheet carries the new signatures and no longer asks.
    add_signature(seeded.profile, vid, role="team_leader", signer_name="张建华", png=png())
    add_signature(seeded.profile, vid, role="unit_head", signer_name="刘志强", png=png())
    again = squeeze(pdf_text(build_report(seeded.profile, vid).pdf))
    assert "请重新签字" not in again and "第1次修订" in again


def test_a_note_only_amendment_keeps_the_signatures_on_paper(seeded):
    vid, rubric_hash = signed_and_final(seeded)
    amend_response(seeded.profile, vid, rubric_hash=rubric_hash, item_code="A1", value=8.5,
                   note="补记：器材已更换", reason_for_change="补记备注")
    text = squeeze(pdf_text(build_report(seeded.profile, vid).pdf))
    assert "第1次修订" in text and "请重新签字" not in text
