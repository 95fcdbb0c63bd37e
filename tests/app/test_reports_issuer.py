"""The issuing authority: the office's name (落款), its logo and the date of issue in the official style."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from app.finalize import finalize_visit
from app.reports import build_report
from app.settings import set_setting
from app.visits import get_visit
from tests.app.photo_factory import jpeg
from tests.app.report_factory import banded_visit, pdf_text, squeeze
from tests.conftest import insert_row

OFFICE = "丹江口市人民政府教育督导室"
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def _images(pdf: bytes) -> int:
    return sum(len(page.images) for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.parametrize("kind", ["feedback", "rectification"])
def test_the_paper_carries_the_office_and_the_date_of_issue(seeded, kind):
    set_setting(seeded.profile, "office_name", OFFICE)
    vid, _ = banded_visit(seeded, photos=0)
    # A draft is not issued yet: the office, and a date left for the hand.
    draft = squeeze(pdf_text(build_report(seeded.profile, vid, kind=kind).pdf))
    assert f"{OFFICE}年月日" in draft
    finalize_visit(seeded.profile, vid, accept_gaps=True)
    y, m, d = (int(x) for x in get_visit(seeded.profile, vid).finalized_at[:10].split("-"))
    final = squeeze(pdf_text(build_report(seeded.profile, vid, kind=kind).pdf))
    assert f"{OFFICE}{y}年{m}月{d}日" in final
    english = " ".join(pdf_text(build_report(seeded.profile, vid, kind=kind, lang="en").pdf).split())
    assert f"{OFFICE} {d} {MONTHS[m - 1]} {y}" in english


@pytest.mark.parametrize("kind", ["feedback", "rectification"])
def test_the_office_logo_prints_when_one_is_set(seeded, tmp_path, kind):
    vid, _ = banded_visit(seeded, photos=0)
    without = build_report(seeded.profile, vid, kind=kind)
    logo = tmp_path / "logo.jpg"
    logo.write_bytes(jpeg((120, 120)))
    set_setting(seeded.profile, "office_logo", str(logo))
    with_logo = build_report(seeded.profile, vid, kind=kind)
    assert with_logo.warnings == ()
    assert _images(with_logo.pdf) == _images(without.pdf) + with_logo.pages  # in every page's header


def test_the_campaigns_office_issues_the_paper_when_no_office_is_set(seeded):
    campaign = insert_row(seeded.profile, "campaigns", name="2026年秋季督导", office="郧西县教育督导室",
                          starts_on="2026-11-01", ends_on="2026-12-31", description="")
    assignment = insert_row(seeded.profile, "assignments", campaign_id=campaign, unit_id=seeded.unit_id,
                            team_id=seeded.team_id, visit_type="routine", window_start="2026-11-20",
                            window_end="2026-11-30", rubric_hashes="[]")
    vid, _ = banded_visit(seeded, photos=0, assignment_id=assignment)
    assert "郧西县教育督导室" in squeeze(pdf_text(build_report(seeded.profile, vid, kind="rectification").pdf))
    set_setting(seeded.profile, "office_name", OFFICE)  # the profile's own office comes first
    text = squeeze(pdf_text(build_report(seeded.profile, vid, kind="rectification").pdf))
    assert OFFICE in text and "郧西县教育督导室" not in text
