"""The newest version of a rubric is the one stored last, though the laptop's clock was set back
between the two imports (``imported_at`` then says the opposite)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

import app.profile
from app.rubric.samples import load_sample
from app.rubric_store import import_document, list_rubrics, resolve


def test_a_version_imported_after_the_clock_went_back_is_the_newest(profile, monkeypatch):
    first = load_sample("civilized-unit")
    second = copy.deepcopy(first)
    second["version"] = "2011.2"
    older, _ = import_document(profile, first)
    back = timedelta(hours=3)
    profile.clock._now = lambda: int((datetime.now(UTC) - back).timestamp() * 1000)
    monkeypatch.setattr(app.profile, "utc_now", lambda: (datetime.now(UTC) - back).isoformat(timespec="milliseconds"))
    newer, _ = import_document(profile, second)
    stamps = dict(profile.db.execute("SELECT hash, imported_at FROM rubric_templates").fetchall())
    assert stamps[newer.hash] < stamps[older.hash]

    assert resolve(profile, first["id"]).hash == newer.hash
    assert [r.hash for r in list_rubrics(profile) if r.rubric_id == first["id"]] == [older.hash, newer.hash]
