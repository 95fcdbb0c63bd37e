"""A visit with an open sync conflict: the printed sheet and the build's warnings say so."""

from __future__ import annotations

import pytest

from app.hlc import Stamp
from app.reports import build_report
from app.sync.ids import response_key
from app.sync.local import apply_pulled_row
from app.sync.protocol import RowVersion
from app.sync.resolve import conflict_views, resolve_conflict
from db.queries import sync as sq
from tests.app.report_factory import banded_visit, pdf_text, squeeze

TEAM_MATE = "6a7b8c9d-0e1f-4a2b-9c3d-4e5f6a7b8c9d"


def conflict_on(seeded, vid: str, rubric_hash: str) -> None:
    """A team-mate's other answer to A1 meets this laptop's edit of it."""
    key = response_key(vid, rubric_hash, "A1")
    local = sq.get_row(seeded.profile.db, "responses", key)
    values = {k: v for k, v in local.items() if k not in ("id", "rev", "device_id", "dirty", "deleted", "base_rev")}
    theirs = RowVersion(rev=str(Stamp(1_700_000_000_000, 0, TEAM_MATE)), device_id=TEAM_MATE, deleted=False,
                        values={**values, "note": "another note"})
    assert apply_pulled_row(seeded.profile, "responses", key, theirs) == "conflict"


@pytest.mark.parametrize(("kind", "lang", "line"), [("feedback", "zh", "同步冲突未解决"),
                                                    ("full", "en", "Asyncconflictisopen")])
def test_the_sheet_says_a_conflict_is_open_until_it_is_resolved(seeded, kind, lang, line):
    vid, rubric_hash = banded_visit(seeded, photos=0)
    assert line not in squeeze(pdf_text(build_report(seeded.profile, vid, kind=kind, lang=lang).pdf))
    conflict_on(seeded, vid, rubric_hash)
    built = build_report(seeded.profile, vid, kind=kind, lang=lang)
    assert line in squeeze(pdf_text(built.pdf))
    assert any(w.replace(" ", "").startswith(line) for w in built.warnings)
    [view] = conflict_views(seeded.profile, lang, vid)
    resolve_conflict(seeded.profile, view.id, "theirs")
    after = build_report(seeded.profile, vid, kind=kind, lang=lang)
    assert line not in squeeze(pdf_text(after.pdf)) and not after.warnings
