"""Every document of the demo, in both languages, by the rules of Chinese typesetting (禁则).

The lines are extracted from the PDFs as printed: no line starts with closing punctuation, none
ends with opening punctuation, and no person's name is split between two lines.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from app.demo import HEADS, INSPECTORS, OFFICE, build_demo
from app.profile import Profile
from app.reports import build_report
from app.visits import VisitFilter, list_visits
from tests.app.report_factory import pdf_text, squeeze

CLOSING = set("，。、；：？！）》」』】〕〗〉”’…‥％,.;:?!)]}%")
OPENING = set("（《「『【〔〖〈“‘([{")
NAMES = [name for name, _, _ in INSPECTORS] + HEADS


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    """Every demo visit's feedback sheet, notice and full report in Chinese and English: their text."""
    root = tmp_path_factory.mktemp("demo-docs") / "profile"
    with Profile.open(Path(root)) as profile:
        build_demo(profile, today=date(2026, 11, 24))
        visits = list_visits(profile, VisitFilter(), limit=100)
        return {f"{v.unit_name} {v.starts_on} {v.status} {kind} {lang}": {
                    "text": pdf_text(build_report(profile, v.id, kind=kind, lang=lang).pdf), "status": v.status}
                for v in visits for kind in ("feedback", "rectification", "full") for lang in ("zh", "en")}


def test_there_are_documents_of_every_kind_draft_finalized_and_amended(documents):
    assert len(documents) >= 14 * 6
    assert {d["status"] for d in documents.values()} >= {"in_progress", "finalized", "amended"}


def test_no_line_starts_with_closing_or_ends_with_opening_punctuation(documents):
    bad = []
    for name, doc in documents.items():
        for line in (x.strip() for x in doc["text"].splitlines()):
            if line and (line[0] in CLOSING or line[-1] in OPENING):
                bad.append(f"{name}: {line!r}")
    assert not bad, "\n".join(bad[:20])


def test_no_name_is_split_between_lines(documents):
    split = []
    for name, doc in documents.items():
        lines = [x.strip() for x in doc["text"].splitlines() if x.strip()]
        for above, below in zip(lines, lines[1:], strict=False):
            for person in NAMES:
                for k in range(1, len(person)):
                    if above.endswith(person[:k]) and below.startswith(person[k:]):
                        split.append(f"{name}: {above!r} / {below!r}")
    assert not split, "\n".join(split[:20])


def test_the_demo_papers_are_issued_by_its_office(documents):
    for name, doc in documents.items():
        if " full " not in name:
            assert OFFICE in squeeze(doc["text"]), name
