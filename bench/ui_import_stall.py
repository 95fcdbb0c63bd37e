"""The UI thread during a 200-photo import: its event loop's worst stall (the real TaskRunner).

A 5 ms timer ticks on the UI thread while ``ImportJob`` imports a card of 200 photos (2 MP
camera-like JPEGs with EXIF, generated once into ``bench/out/import_stall/``); the longest gap
between two ticks is how long the window could not repaint or take a key press.

    python bench/ui_import_stall.py
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench.common import Figure, print_table  # noqa: E402

PHOTOS = 200
SIZE = (1600, 1200)
TICK_MS = 5
TARGET_MS = 250.0
CACHE = Path(__file__).resolve().parent / "out" / "import_stall"


def _photo(index: int) -> bytes:
    from PIL import Image

    w, h = SIZE
    base = Image.merge("RGB", [Image.effect_noise((w // 20, h // 20), 50 + 7 * c).resize(SIZE) for c in range(3)])
    img = Image.blend(base, Image.effect_noise(SIZE, 10).convert("RGB"), 0.2)
    exif = Image.Exif()
    exif[0x0110] = "Bench Camera"
    exif[0x0112] = 6 if index % 4 == 0 else 1
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=88, exif=exif.tobytes())
    return out.getvalue()


def card() -> Path:
    """The 200 photos, made once and reused by later runs."""
    CACHE.mkdir(parents=True, exist_ok=True)
    for i in range(PHOTOS):
        path = CACHE / f"IMG_{i:04d}.JPG"
        if not path.exists():
            tmp = path.with_suffix(".part")
            tmp.write_bytes(_photo(i))
            tmp.replace(path)
    return CACHE


def _stalls(app: Any, folder: Path, root: Path) -> tuple[list[float], float]:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QWidget

    import ui.checklist  # noqa: F401 - loads ui.evidence in the order the window does
    from app.evidence import import_folder
    from bench.save_latency import _visit
    from ui.evidence.import_dialog import ImportJob
    from ui.tasks import TaskRunner

    profile, visit, _ = _visit(root)
    runner = TaskRunner()
    host = QWidget()
    ticks: list[float] = []
    outcome: list[Any] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    try:
        timer.start(TICK_MS)
        start = time.perf_counter()
        job = ImportJob(runner, lambda report, token, db: import_folder(
            profile, folder, visit_id=visit, progress=report, cancel=token, db=db),
            title="bench", parent=host, on_done=outcome.append, on_error=outcome.append)
        while not job.finished:
            app.processEvents()
            time.sleep(0.001)
        took = time.perf_counter() - start
        timer.stop()
    finally:
        runner.shutdown()
        profile.close()
    summary = outcome[0]
    if isinstance(summary, BaseException) or len(summary.imported) != PHOTOS:
        raise RuntimeError(f"the import did not complete: {summary}")
    gaps = [(b - a) * 1000.0 for a, b in zip(ticks, ticks[1:], strict=False)]
    return gaps, took


def run(repeat: int = 2) -> list[Figure]:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    folder = card()
    worst, took = 0.0, 0.0
    for k in range(repeat):
        with tempfile.TemporaryDirectory(prefix="fieldmark-bench-stall-") as tmp:
            gaps, took = _stalls(app, folder, Path(tmp) / f"profile{k}")
        worst = max(worst, max(gaps))
        ordered = sorted(gaps)
        print(f"200-photo import run {k + 1}: {took:.2f} s, {len(gaps)} ticks, "
              f"gap p50 {ordered[len(ordered) // 2]:.1f} p99 {ordered[int(len(ordered) * 0.99)]:.1f} "
              f"max {ordered[-1]:.1f} ms", file=sys.stderr)
    return [Figure("ui: event loop's worst stall during a 200-photo import", worst, "ms", TARGET_MS)]


if __name__ == "__main__":
    print_table(run())
