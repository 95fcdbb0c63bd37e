"""The demo profile shows evidence: photos with EXIF, on items and findings, one marked up, on paper."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.demo import build_demo
from app.evidence import get_annotations, list_photos, verify_media
from app.profile import Profile
from app.reports import build_report
from app.visits import VisitFilter, list_visits
from tests.app.report_factory import page_variances, pdf_text, squeeze

TODAY = date(2026, 11, 24)
ANNOTATION_RED = (0xE5, 0x39, 0x35)


def _build(root: Path) -> Profile:
    profile = Profile.open(root)
    build_demo(profile, today=TODAY)
    return profile


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    profile = _build(tmp_path_factory.mktemp("demo") / "profile")
    yield profile
    profile.close()


def _visit(profile: Profile, *, status: str, visit_type: str | None = None) -> str:
    visits = list_visits(profile, VisitFilter(status=status), limit=100)
    return next(v.id for v in visits if visit_type in (None, v.visit_type))


def _photos(profile: Profile) -> list:
    return [p for v in list_visits(profile, VisitFilter(), limit=100) for p in list_photos(profile, v.id)]


def test_the_demo_has_photos_read_from_their_exif(demo):
    photos = _photos(demo)
    assert len(photos) >= 8
    for photo in photos:
        # The import read what the camera wrote: date, time zone, camera and place.
        assert photo.taken_at and photo.taken_at.startswith("2026-") and photo.taken_offset == "+08:00"
        assert photo.camera in ("HUAWEI ELS-AN00", "Canon EOS 200D")
        assert photo.gps_lat is not None and 32 < photo.gps_lat < 33.5
        assert photo.gps_lon is not None and 110 < photo.gps_lon < 112
        assert photo.media_type == "image/jpeg" and photo.caption
    assert any(p.orientation == 6 for p in photos)  # a phone held upright: shown upright through EXIF
    assert verify_media(demo).ok


def test_photos_sit_on_items_and_on_findings_and_one_is_marked_up(demo):
    photos = _photos(demo)
    assert sum(1 for p in photos if p.item_code) >= 5
    assert sum(1 for p in photos if p.finding_id) >= 3
    assert any(p.item_code and p.finding_id for p in photos)
    marked = [p for p in photos if p.has_annotations]
    assert len(marked) == 1
    assert len(get_annotations(demo, marked[0].id).shapes) == 3


def test_every_visit_under_way_today_has_photos_to_open(demo):
    """What a newcomer opens first on screen is a visit in progress: whichever it is, it has photos."""
    today = [v for v in list_visits(demo, VisitFilter(status="in_progress"), limit=100)
             if v.starts_on == TODAY.isoformat()]
    assert len(today) == 3
    for visit in today:
        photos = list_photos(demo, visit.id)
        assert photos and all(p.item_code for p in photos), visit.unit_name


def test_the_feedback_sheet_prints_the_photos(demo):
    vid = _visit(demo, status="amended")
    photos = list_photos(demo, vid)
    built = build_report(demo, vid, kind="feedback", lang="zh")
    assert built.warnings == ()
    text = squeeze(pdf_text(built.pdf))
    assert "现场照片" in text
    for photo in photos:
        assert squeeze(photo.caption) in text, photo.caption
    # Every photo is an image on the page (the QR code is drawn, not an image).
    images = [image for page in PdfReader(io.BytesIO(built.pdf)).pages for image in page.images]
    assert len(images) >= len(photos) >= 5
    # And the pages show it: rendered by PDFium, none is blank.
    assert all(v > 50 for v in page_variances(built.pdf))
    # The photos filled the gaps the checklist would otherwise print ("缺照片": a photo missing).
    assert "缺照片" not in text


def test_the_marked_up_photo_prints_with_its_marks(demo):
    vid = _visit(demo, status="finalized", visit_type="themed")
    built = build_report(demo, vid, kind="feedback", lang="zh")
    reds = []
    for page in PdfReader(io.BytesIO(built.pdf)).pages:
        for image in page.images:
            data = image.image.convert("RGB").tobytes()
            reds.append(sum(1 for i in range(0, len(data), 3)
                            if all(abs(data[i + c] - ANNOTATION_RED[c]) < 25 for c in range(3))))
    # Only the marked-up photo has the annotation red in it (rectangle, arrow and words).
    assert sum(1 for n in reds if n > 50) == 1, reds


def test_the_photos_are_the_same_on_every_build(demo, tmp_path):
    again = _build(tmp_path / "again")
    try:
        assert sorted(p.sha256 for p in _photos(again)) == sorted(p.sha256 for p in _photos(demo))
    finally:
        again.close()
