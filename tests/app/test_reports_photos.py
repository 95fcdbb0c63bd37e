"""Photos on paper: which ones the sheet carries (the inspector's choice), their captions and labels."""

from __future__ import annotations

import pytest

from app.errors import InvalidAnswer, VisitLocked
from app.evidence import (
    delete_photo,
    get_photo,
    import_bytes,
    list_photos,
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
