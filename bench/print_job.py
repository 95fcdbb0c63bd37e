"""From "Print" to the job accepted by the print service, for the feedback sheet (target 1 s).

Measured on a real CUPS (its own cupsd with Debian's cups-pdf queue, as in the tests), on the
demo profile's finalized visit:

- "preview": the sheet is already shown; Print asks CUPS for its queues, and after the dialog
  (the user's time, not counted) the PDF goes to the queue and CUPS answers with the job.
- "desktop": the same through the preview window (offscreen) and the task runner: from the
  click on Print to the print dialog shown, plus from its OK to the job on the status line.
- "on-site action": after finalizing, the one action builds the sheet (read, lay out) and
  sends two copies to the default queue, until CUPS holds the job.

Both take the median of several runs. Needs root (cups-pdf runs only under a root cupsd); where
that cannot be, it says why and reports nothing. Never fails on timing.

    .venv/bin/python bench/print_job.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Figure, print_table  # noqa: E402

TARGET_S = 1.0


def _finalized_visit(profile) -> str:  # noqa: ANN001 - a Profile
    from app.visits import list_visits

    return next(v.id for v in list_visits(profile) if v.status in ("finalized", "amended"))


def run(runs: int = 15) -> list[Figure]:
    from app.demo import build_demo
    from app.printing import PAPER_MEDIA, PrintOptions, list_queues, print_pdf
    from app.profile import Profile
    from app.reports import prepare_report, render_report
    from tests.cups_support import CupsServer, CupsUnavailable

    server = CupsServer()
    try:
        server.start()
        server.add_pdf_queue("bench_print")
    except CupsUnavailable as exc:
        server.stop()
        print(f"print_job: no figure, the benchmark CUPS cannot run here: {exc}", file=sys.stderr)
        return []
    os.environ["CUPS_SERVER"] = server.server
    try:
        with tempfile.TemporaryDirectory(prefix="fieldmark-bench-print-") as tmp, \
                Profile.open(Path(tmp) / "profile") as profile:
            build_demo(profile, today=date(2026, 11, 27))
            visit = _finalized_visit(profile)
            sheet = render_report(prepare_report(profile, visit, kind="feedback", lang="zh"))
            options = PrintOptions(media=PAPER_MEDIA["a4"], title="bench")

            def preview_print() -> None:
                queues = list_queues()
                job = print_pdf(sheet.pdf, queues[0].name, options)
                assert job.accepted

            def on_site() -> None:
                doc = prepare_report(profile, visit, kind="feedback", lang="zh")
                job = print_pdf(render_report(doc).pdf, "bench_print",
                                PrintOptions(copies=2, media=PAPER_MEDIA[doc.paper], title="bench"))
                assert job.accepted

            figures = [Figure("print: desktop preview Print -> job accepted (feedback sheet)",
                              _desktop(profile, visit, runs), "s", TARGET_S)]
            for name, fn in (("print: preview Print -> job accepted (feedback sheet)", preview_print),
                             ("print: on-site action, build + 2 copies -> job accepted", on_site)):
                fn()  # warm: fonts registered, connections made once
                samples = []
                for _ in range(runs):
                    start = time.perf_counter()
                    fn()
                    samples.append(time.perf_counter() - start)
                    time.sleep(0.2)  # let cups-pdf turn the job into a file, as between two real prints
                figures.append(Figure(name, statistics.median(samples), "s", TARGET_S))
            print(f"print_job: the sheet is {sheet.pages} page(s), {len(sheet.pdf) // 1024} KB; "
                  f"{runs} runs each", file=sys.stderr)
            return figures
    finally:
        os.environ.pop("CUPS_SERVER", None)
        server.stop()


def _desktop(profile, visit: str, runs: int) -> float:  # noqa: ANN001 - a Profile
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from ui.print_preview_dialog import PrintPreviewDialog
    from ui.tasks import TaskRunner

    app = QApplication.instance() or QApplication([])

    def wait(condition, limit: float = 30.0) -> None:  # noqa: ANN001 - a callable
        deadline = time.monotonic() + limit
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError("the preview did not get there in time")
            app.processEvents()
            time.sleep(0.0005)

    runner = TaskRunner()
    dialog = PrintPreviewDialog(profile, runner, visit, "feedback")
    try:
        wait(lambda: dialog.pdf_path is not None)
        samples = []
        for index in range(runs + 1):
            accepted: list[object] = []
            dialog.flow.accepted.connect(accepted.append)
            start = time.perf_counter()
            dialog.print_button.click()
            wait(lambda: dialog.flow.job_dialog is not None)
            shown = time.perf_counter()
            chooser = dialog.flow.job_dialog
            chooser.printer_box.setCurrentIndex(chooser.printer_box.findData("bench_print"))
            ok = time.perf_counter()  # the user's choice is not counted
            chooser.ok_button.click()
            wait(lambda got=accepted: bool(got))
            done = time.perf_counter()
            dialog.flow.accepted.disconnect(accepted.append)
            if index:  # the first one warms up
                samples.append((shown - start) + (done - ok))
            dialog.flow.job = None  # stop following it: the next run is a new print
            time.sleep(0.2)
        return statistics.median(samples)
    finally:
        dialog.close()
        dialog.deleteLater()
        runner.shutdown()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    print_table(run(parser.parse_args().runs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
