"""Answer-save latency while background work runs: a 50-photo 12 MP import, a 20-page PDF build.

The real ``TaskRunner`` (offscreen Qt) carries everything, as in the desktop: the import goes
through ``ImportJob`` and the PDF through ``PrintPreviewDialog``. While each runs, an answer is
submitted every ~30 ms the way the checklist page submits it; a save's latency is the time from
submit on the UI thread to its committed, fsynced transaction on the database thread ("durable").
The time until the UI hears of it is printed too.

    python bench/save_latency.py     # photos are generated once into bench/out/
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench.common import Figure, print_table  # noqa: E402

TARGET_MS = 50.0
SUBMIT_EVERY_MS = 30
ITEMS = 550  # with the 50 photos, the full report runs to 20 pages


class Saves:
    """Answers submitted through the runner while ``busy()``; latencies in milliseconds."""

    def __init__(self, runner: Any, profile: Any, visit_id: str, rubric_hash: str) -> None:
        self.runner, self.profile, self.visit_id, self.rubric_hash = runner, profile, visit_id, rubric_hash
        self.durable: list[float] = []
        self.delivered: list[float] = []
        self.failed: list[BaseException] = []
        self._k = 0

    def submit(self) -> None:
        from app.visits import answer_item

        self._k += 1
        k, profile, vid, rh = self._k, self.profile, self.visit_id, self.rubric_hash
        start = time.perf_counter()

        def work() -> float:
            answer_item(profile, vid, rubric_hash=rh, item_code=f"S{k % 10}.{k % 7}",
                        value=(k % 8) / 2, evidence_methods=["site"])
            return time.perf_counter()  # the transaction has committed

        def done(committed: float) -> None:
            self.durable.append((committed - start) * 1000.0)
            self.delivered.append((time.perf_counter() - start) * 1000.0)
        self.runner.run(work, on_done=done, on_error=self.failed.append, label="answer")


def _while(app: Any, busy: Callable[[], bool], saves: Saves, timeout_s: float = 600.0) -> float:
    """Submit answers every SUBMIT_EVERY_MS until ``busy()`` is false; returns the elapsed time."""
    from PySide6.QtCore import QTimer

    timer = QTimer()
    timer.timeout.connect(saves.submit)
    timer.start(SUBMIT_EVERY_MS)
    start = time.perf_counter()
    while busy():
        app.processEvents()
        time.sleep(0.002)
        if time.perf_counter() - start > timeout_s:
            raise RuntimeError("the background work did not finish")
    elapsed = time.perf_counter() - start
    timer.stop()
    while saves.runner.busy:  # the saves still in flight when the work ended count too
        app.processEvents()
        time.sleep(0.002)
    return elapsed


def _stats(values: list[float]) -> tuple[float, float, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return statistics.median(ordered), p95, ordered[-1]


def _import(app: Any, runner: Any, profile: Any, visit_id: str, photos: list[Path], saves: Saves) -> float:
    from PySide6.QtWidgets import QWidget

    import ui.checklist  # noqa: F401 - loads ui.evidence in the order the window does
    from app.evidence import import_files
    from ui.evidence.import_dialog import ImportJob

    host = QWidget()
    outcome: list[Any] = []
    job = ImportJob(runner, lambda report, token, db: import_files(
        profile, [str(p) for p in photos], visit_id=visit_id, progress=report, cancel=token, db=db),
        title="bench", parent=host, on_done=outcome.append, on_error=outcome.append)
    elapsed = _while(app, lambda: not job.finished, saves)
    summary = outcome[0]
    if isinstance(summary, BaseException) or len(summary.imported) != len(photos):
        raise RuntimeError(f"the import did not complete: {summary}")
    host.deleteLater()
    return elapsed


def _pdf(app: Any, runner: Any, profile: Any, visit_id: str, saves: Saves) -> tuple[float, int]:
    from ui.print_preview_dialog import PrintPreviewDialog

    shutil.rmtree(profile.root / "pdfcache", ignore_errors=True)  # the first print after an import
    pages: list[int] = []
    errors: list[str] = []
    dialog = PrintPreviewDialog(profile, runner, visit_id, "full")
    dialog.loaded.connect(pages.append)
    dialog.failed.connect(errors.append)
    elapsed = _while(app, lambda: not pages and not errors, saves)
    if errors:
        raise RuntimeError(f"the PDF build failed: {errors[0]}")
    dialog.deleteLater()
    return elapsed, pages[0]


def _visit(root: Path) -> tuple[Any, str, str]:
    from app.ids import new_id
    from app.profile import Profile
    from app.rubric_store import import_document
    from app.visits import NewVisit, create_visit
    from bench.report import _rubric
    from db import rows

    profile = Profile.open(root)
    area, unit = new_id(), new_id()
    with profile.transaction() as tx:
        rows.insert(tx.db, "admin_areas", {"id": area, "parent_id": None, "level": "county", "code": "1",
                                           "name": "县"}, tx.meta)
        rows.insert(tx.db, "units", {"id": unit, "area_id": area, "code": "U1", "name": "基准小学",
                                     "unit_type": "primary", "profile": "{}"}, tx.meta)
    ref, _ = import_document(profile, _rubric(ITEMS))
    visit = create_visit(profile, NewVisit(unit_id=unit, visit_type="routine", starts_on="2026-11-24",
                                           rubric_hashes=[ref.hash])).id
    return profile, visit, ref.hash


def run() -> list[Figure]:
    from PySide6.QtWidgets import QApplication

    from app.reports.fonts import register_fonts
    from bench.photo_ingest import photos as ingest_photos
    from ui.tasks import TaskRunner

    app = QApplication.instance() or QApplication([])
    register_fonts()  # once per process, as in the desktop
    photos = ingest_photos()
    for p in photos:  # from the page cache, as a second import from a card would be
        p.read_bytes()
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="fieldmark-bench-save-") as tmp:
        profile, visit, rubric_hash = _visit(Path(tmp) / "profile")
        runner = TaskRunner()
        try:
            saves = Saves(runner, profile, visit, rubric_hash)
            took = _import(app, runner, profile, visit, photos, saves)
            imp = (_stats(saves.durable), _stats(saves.delivered), len(saves.durable), took)
            saves = Saves(runner, profile, visit, rubric_hash)
            took, pages = _pdf(app, runner, profile, visit, saves)
            pdf = (_stats(saves.durable), _stats(saves.delivered), len(saves.durable), took)
            if saves.failed:
                raise RuntimeError(f"a save failed: {saves.failed[0]!r}")
        finally:
            runner.wait_idle()
            runner.shutdown()
            profile.close()
    for what, (durable, delivered, n, took) in ((f"{len(photos)} x 12 MP import", imp),
                                                (f"{pages}-page PDF build", pdf)):
        print(f"{what} ({took:.1f} s, {n} saves): durable p50 {durable[0]:.1f} p95 {durable[1]:.1f} "
              f"max {durable[2]:.1f} ms; on screen p50 {delivered[0]:.1f} p95 {delivered[1]:.1f} "
              f"max {delivered[2]:.1f} ms", file=sys.stderr)
        p50, p95, worst = durable
        figures.append(Figure(f"save: answer durable during a {what}, p95 (p50 {p50:.0f}, max {worst:.0f})",
                              p95, "ms", TARGET_MS))
    return figures


if __name__ == "__main__":
    print_table(run())
