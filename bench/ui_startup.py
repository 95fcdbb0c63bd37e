"""Desktop start-up: launch to an interactive main window on a 10,000-visit profile.

Both launches are separate processes, timed from spawn until the process says so: the bare
window once its event loop runs with the window shown; Fieldmark once its main window is shown
and answering input ("interactive": it opens the profile in the background after that), and
again once Today's lists and the sync status are on screen ("ready"). Shutting down is not part
of launching, so it is not timed. Median of several interleaved runs.

    python bench/ui_startup.py            # builds the profile in a temporary folder
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.profile import Profile  # noqa: E402
from bench import db_scale  # noqa: E402
from bench.common import Figure, print_table  # noqa: E402

RUNS = 7
TARGET_RATIO = 1.5
# Our own budget for the first data (the issue sets none): within a second of the click.
DATA_TARGET_MS = 1000.0
# Start-up reads no responses, so a few items per visit keep the build quick without changing
# what is measured (10,000 visits: 40,000 responses instead of 1,000,000).
ITEMS = 4

BARE_WINDOW = """
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
window = QMainWindow()
window.setWindowTitle("bare")
window.resize(1280, 760)
window.show()

def ready():
    print("ready", flush=True)
    app.quit()

QTimer.singleShot(0, ready)
app.exec()
"""


def build_profile(root: Path) -> None:
    saved = db_scale.ITEMS
    db_scale.ITEMS = ITEMS
    try:
        with Profile.open(root) as profile:
            db_scale.build(profile)
    finally:
        db_scale.ITEMS = saved


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    # An installed app has its bytecode compiled; a developer shell that disables writing it
    # would charge every launch for compiling Fieldmark's own modules.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def _time(command: list[str]) -> dict[str, float]:
    """Milliseconds from spawn until each marker line the child prints ("interactive", "ready")."""
    start = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, env=_env(), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    assert child.stdout is not None
    marks: dict[str, float] = {}
    for line in child.stdout:
        word = line.split(" ", 1)[0].strip()
        marks[word] = (time.perf_counter() - start) * 1000.0
        if word == "ready":
            break
    _out, err = child.communicate(timeout=120)
    if child.returncode != 0 or "ready" not in marks:
        raise RuntimeError(f"{command[:3]} failed ({child.returncode}): {err[-2000:]}")
    return marks


def launch_figures(runs: int = RUNS) -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="fieldmark-ui-bench-") as tmp:
        root = Path(tmp) / "profile"
        start = time.perf_counter()
        build_profile(root)
        print(f"built {db_scale.VISITS} visits in {time.perf_counter() - start:.1f} s", file=sys.stderr)
        app_cmd = [sys.executable, "-m", "ui.app", "--data-dir", str(root), "--exit-when-ready"]
        bare_cmd = [sys.executable, "-c", BARE_WINDOW]
        # One warm-up of each fills the OS file cache, as for a user who has used the laptop today.
        _time(bare_cmd)
        _time(app_cmd)
        bare, shown, data = [], [], []
        for _ in range(runs):
            bare.append(_time(bare_cmd)["ready"])
            marks = _time(app_cmd)
            shown.append(marks["interactive"])
            data.append(marks["ready"])
    bare_ms, shown_ms, data_ms = statistics.median(bare), statistics.median(shown), statistics.median(data)
    return [
        Figure(f"ui: launch to interactive window, 10k visits (bare {bare_ms:.0f} ms)", shown_ms, "ms",
               round(bare_ms * TARGET_RATIO, 1)),
        Figure("ui: launch ratio, Fieldmark / bare PySide6 window", shown_ms / bare_ms, "x", TARGET_RATIO),
        Figure("ui: launch to Today's data on screen, 10k visits", data_ms, "ms", DATA_TARGET_MS),
    ]


def run() -> list[Figure]:
    """All three desktop figures of one run: launch, opening a visit, answer to score."""
    from bench import ui_checklist

    return launch_figures() + ui_checklist.run()


if __name__ == "__main__":
    print_table(run())
