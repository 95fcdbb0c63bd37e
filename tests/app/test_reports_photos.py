"""Photos on paper: which ones the sheet carries (the inspector's choice), their captions and labels."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from app.errors import InvalidAnswer, VisitLocked
from app.evidence import (
    delete_photo,
    get_photo,
    import_bytes,
    list_photos,
    photo_file,
    set_caption,
    set_on_sheet,
)
from app.finalize import finalize_visit
from app.findings import list_findings
from app.reports import build_report, save_layout
from app.reports.layout import parse_layout
from db.queries import evidence as eq
from tests.app.photo_factory import jpeg
from tests.app.report_factory import banded_visit, pdf_text, squeeze


def _ids(profile, vid) -> list[str]:
    return [p.id for p in list_photos(profile, vid)]


def test_set_on_sheet_stores_the_choice_and_marks_the_row_for_sync(seeded):
    vid, _ = banded_visit(seeded, photos=2)
    first = _ids(seeded.profile, vid)[0]
    assert get_photo(seeded.profile, first).on_sheet is None  # the default rule
    changes = set_on_sheet(seeded.profile, first, False)
    assert changes.evidence and changes.visit_ids == {vid}
    assert get_photo(seeded.profile, first).on_sheet is False
    row = eq.get_evidence(seeded.profile.db, first)
    assert row["on_sheet"] == 0 and row["dirty"] == 1
    set_on_sheet(seeded.profile, first, True)
    assert get_photo(seeded.profile, first).on_sheet is True
    set_on_sheet(seeded.profile, first, None)
    assert get_photo(seeded.profile, first).on_sheet is None
    # Nothing to change: no write, no refresh asked for.
    assert set_on_sheet(seeded.profile, first, None).evidence is False


def test_set_on_sheet_refuses_bad_input_deleted_photos_and_finalized_visits(seeded):
    vid, _ = banded_visit(seeded, photos=2)
    first, second = _ids(seeded.profile, vid)
    with pytest.raises(InvalidAnswer, match="True, False or None"):
        set_on_sheet(seeded.profile, first, 1)  # type: ignore[arg-type]
    delete_photo(seeded.profile, second)
    with pytest.raises(InvalidAnswer, match="deleted"):
        set_on_sheet(seeded.profile, second, True)
    finalize_visit(seeded.profile, vid, accept_gaps=True)
    with pytest.raises(VisitLocked):
        set_on_sheet(seeded.profile, first, True)
    assert get_photo(seeded.profile, first).on_sheet is None


def test_the_sheet_carries_the_chosen_photos_and_never_the_left_out_ones(seeded):
    profile = seeded.profile
    vid, _ = banded_visit(seeded, photos=0)
    finding = list_findings(profile, vid)[1]
    ids = []
    for n in range(5):
        summary = import_bytes(profile, jpeg((320, 240), seed=n), f"IMG_{n:04d}.jpg", visit_id=vid,
                               finding_id=finding.id if n == 4 else None)
        ids.append(summary.evidence_ids[0])
        set_caption(profile, ids[-1], f"照片说明{n}号")
    save_layout(profile, parse_layout({"feedback_photos": 2}))

    def on_sheet() -> set[str]:
        text = squeeze(pdf_text(build_report(profile, vid).pdf))
        return {f"照片说明{n}号" for n in range(5) if f"照片说明{n}号" in text}

    # By default the finding's photo comes first, then the rest in order.
    assert on_sheet() == {"照片说明4号", "照片说明0号"}
    # Chosen photos take the places first; a photo left out never prints on the sheet.
    set_on_sheet(profile, ids[3], True)
    set_on_sheet(profile, ids[4], False)
    assert on_sheet() == {"照片说明3号", "照片说明0号"}
    set_on_sheet(profile, ids[2], True)
    assert on_sheet() == {"照片说明2号", "照片说明3号"}
    # The full report still carries every photo.
    full = squeeze(pdf_text(build_report(profile, vid, kind="full").pdf))
    assert all(f"照片说明{n}号" in full for n in range(5))


@pytest.mark.parametrize("kind", ["feedback", "full"])
def test_a_missing_photo_prints_as_missing_even_with_a_cached_rendition(seeded, kind):
    profile = seeded.profile
    vid, _ = banded_visit(seeded, photos=1)
    photo = list_photos(profile, vid)[0]
    set_caption(profile, photo.id, "教学楼消防通道")
    first = build_report(profile, vid, kind=kind, lang="zh")  # makes the cached rendition
    assert first.warnings == ()
    assert any((profile.root / "pdfcache").rglob("*.jpg"))
    photo_file(profile, photo.id).unlink()
    built = build_report(profile, vid, kind=kind, lang="zh")
    text = squeeze(pdf_text(built.pdf))
    images = [image for page in PdfReader(io.BytesIO(built.pdf)).pages for image in page.images]
    assert images == []  # the cached picture is not printed in its place
    # The box speaks to the principal; the caption still says what the photo was of.
    assert "照片缺失：原照片已找不到，此处不予打印。" in text and "教学楼消防通道" in text
    assert "媒体文件夹" not in text and "缺失证据" not in text
    # The inspector is told which file and what to do.
    assert len(built.warnings) == 1
    assert photo.original_name in built.warnings[0] and "fieldmark evidence verify" in built.warnings[0]


def test_a_truncated_photo_with_a_cached_rendition_prints_as_damaged_not_as_the_old_picture(seeded):
    profile = seeded.profile
    vid, _ = banded_visit(seeded, photos=1)
    photo = list_photos(profile, vid)[0]
    build_report(profile, vid, lang="en")
    path = photo_file(profile, photo.id)
    path.chmod(0o644)
    path.write_bytes(path.read_bytes()[:300])
    built = build_report(profile, vid, lang="en")
    text = pdf_text(built.pdf)
    assert "Photo damaged: the original photo cannot be read" in " ".join(text.split()) and built.warnings
    assert "media folder" not in text


def test_captions_are_the_inspectors_or_the_items_text_never_a_file_name(seeded):
    profile = seeded.profile
    vid, rubric_hash = banded_visit(seeded, photos=0)
    findings = list_findings(profile, vid)
    import_bytes(profile, jpeg(seed=1), "IMG_0001.jpg", visit_id=vid)  # no caption, no item
    import_bytes(profile, jpeg(seed=2), "IMG_0002.jpg", visit_id=vid, item_code="A1", rubric_hash=rubric_hash)
    captioned = import_bytes(profile, jpeg(seed=3), "IMG_0003.jpg", visit_id=vid, item_code="B1",
                             rubric_hash=rubric_hash).evidence_ids[0]
    set_caption(profile, captioned, "作业公示栏")
    import_bytes(profile, jpeg(seed=4), "IMG_0004.jpg", visit_id=vid, finding_id=findings[1].id)
    both = import_bytes(profile, jpeg(seed=5), "IMG_0005.jpg", visit_id=vid, finding_id=findings[0].id,
                        item_code="A2", rubric_hash=rubric_hash).evidence_ids[0]
    set_caption(profile, both, "危化品柜未上双锁")
    for kind in ("feedback", "full"):
        zh = squeeze(pdf_text(build_report(profile, vid, kind=kind).pdf))
        assert "IMG_" not in zh and ".jpg" not in zh
        assert "A1消防器材配备" in zh  # no caption: the item's text
        assert "B1作业公示栏" in zh  # the inspector's caption
        assert "问题2附图" in zh  # a finding's photo carries the finding's number
        assert "问题1附图：A2危化品柜未上双锁" in zh
        en = " ".join(pdf_text(build_report(profile, vid, kind=kind, lang="en").pdf).split())
        assert "A1 Fire equipment" in en and "Finding 2 photo" in en and "IMG_" not in en


def test_the_findings_photos_come_first_on_the_sheet_by_finding_number(seeded):
    profile = seeded.profile
    vid, _ = banded_visit(seeded, photos=2)
    findings = list_findings(profile, vid)
    for n, finding in enumerate(reversed(findings)):
        import_bytes(profile, jpeg(seed=10 + n), f"F{n}.jpg", visit_id=vid, finding_id=finding.id)
    text = squeeze(pdf_text(build_report(profile, vid).pdf))
    assert text.index("问题1附图") < text.index("问题2附图")
