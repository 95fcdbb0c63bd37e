"""Checklist page speed: opening a visit on a 300-item rubric, and answer -> updated score panel.

Both run the real page offscreen with the synchronous task runner, so the open figure covers
the whole path (reading the visit, building the live scorers, the tree, the first item) until
the page is populated. The first open of a template in a process also parses and validates it
(JSON Schema), which the core caches by content hash; it is reported as its own figure.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench.common import Figure, print_table  # noqa: E402
from bench.scoring import KINDS, _label, rubric_sections  # noqa: E402

SECTIONS, SUBSECTIONS, ITEMS_PER_SUB = 6, 2, 25  # 300 items
OPEN_TARGET_MS = 150.0
ANSWER_TARGET_MS = 16.0


def generate_rubric() -> dict[str, Any]:
    return {"format": "fieldmark.rubric/1", "id": "bench-300", "version": "1",
            "name": _label("300-item checklist"),
            "sections": rubric_sections(SECTIONS, SUBSECTIONS, ITEMS_PER_SUB)}


def _profile(root: Path) -> tuple[Any, str, str]:
    from app.ids import new_id
    from app.profile import Profile
    from app.rubric_store import import_document
    from app.visits import NewVisit, answer_item, create_visit
    from db import rows

    profile = Profile.open(root)
    with profile.transaction() as tx:
        area = new_id()
        rows.insert(tx.db, "admin_areas", {"id": area, "parent_id": None, "level": "county", "code": "1",
                                           "name": "县"}, tx.meta)
        unit = new_id()
        rows.insert(tx.db, "units", {"id": unit, "area_id": area, "code": "U1", "name": "测试学校",
                                     "unit_type": "primary", "profile": json.dumps({})}, tx.meta)
    ref, _ = import_document(profile, generate_rubric())
    visit = create_visit(profile, NewVisit(unit_id=unit, visit_type="routine", starts_on="2026-11-24",
                                           rubric_hashes=[ref.hash])).id
    # Half the items already answered: a visit in progress.
    for k in range(0, 300, 2):
        if KINDS[k % len(KINDS)] == "points":
            answer_item(profile, visit, rubric_hash=ref.hash, item_code=f"I{k}", value=3)
    return profile, visit, ref.hash


def _deferred_runner() -> Any:
    """A runner that queues tasks: the answer figure times the UI thread only, as in the app,
    where the save runs on the database thread while the panel is already updated."""
    from ui.tasks import SyncTaskRunner

    class DeferredTaskRunner(SyncTaskRunner):
        def __init__(self) -> None:
            super().__init__()
            self.queue: list[tuple[Any, dict]] = []
            self.deferring = False

        def run(self, fn, **kwargs):  # type: ignore[no-untyped-def, override]
            if self.deferring:
                self.queue.append((fn, kwargs))
                return None
            return super().run(fn, **kwargs)

        def drain(self) -> None:
            queue, self.queue = self.queue, []
            for fn, kwargs in queue:
                super().run(fn, **kwargs)

    return DeferredTaskRunner()


def run() -> list[Figure]:
    from PySide6.QtWidgets import QApplication

    from app import rubric_store
    from ui.checklist import ChecklistPage
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        profile, visit, rubric_hash = _profile(Path(tmp) / "profile")
        runner = _deferred_runner()
        page = ChecklistPage(profile, runner)
        page.resize(1366, 768)
        page.show()
        app.processEvents()
        opens = []
        for k in range(8):
            if k == 0:
                rubric_store._PARSED.clear()  # the first open of a template parses and validates it
            start = time.perf_counter()
            page.open_visit(visit)
            app.processEvents()  # until the page has laid out and painted its first frame
            opens.append((time.perf_counter() - start) * 1000.0)
        page.go_to(rubric_hash, "I0")  # a points item
        entry = page.pane.editor.entry
        answers = []
        for k in range(60):
            value = float(k % 8) / 2
            runner.deferring = True
            start = time.perf_counter()
            entry.setValue(value)
            assert page.score.total.text()
            answers.append((time.perf_counter() - start) * 1000.0)
            runner.deferring = False
            runner.drain()
        page.close()
        profile.close()
    return [
        Figure("checklist: open a visit, 300-item rubric (median)", statistics.median(opens[1:]), "ms", OPEN_TARGET_MS),
        Figure("checklist: first open of the visit's rubric this session", opens[0], "ms", OPEN_TARGET_MS),
        Figure("checklist: answer -> score panel updated (median)", statistics.median(answers), "ms", ANSWER_TARGET_MS),
    ]


if __name__ == "__main__":
    print_table(run())
