"""Child process for the crash-recovery test: answers items through the checklist page with the
real TaskRunner and prints each answer once the page reports it saved, until it is killed."""

from __future__ import annotations

import sys

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from app.profile import Profile
from ui.checklist import ChecklistPage
from ui.tasks import TaskRunner


def main(data_dir: str, visit_id: str) -> None:
    app = QApplication([])
    profile = Profile.open(data_dir)
    runner = TaskRunner()
    page = ChecklistPage(profile, runner)
    acked: list[tuple[str, str]] = []
    page.answerSaved.connect(lambda h, code: acked.append((h, code)))

    def wait_for(condition) -> None:
        loop = QEventLoop()
        timer = QTimer()
        timer.timeout.connect(lambda: condition() and loop.quit())
        timer.start(1)
        loop.exec()
        timer.stop()

    page.open_visit(visit_id)
    wait_for(lambda: page.data is not None and page.current is not None)
    rubric_hash = page.current[0]
    codes = [code for code, item in page.data.rubrics[rubric_hash].items.items() if item.kind == "points"]
    print("READY", flush=True)
    for round_no in range(1000):
        for code in codes:
            page.go_to(rubric_hash, code)
            item = page.data.rubrics[rubric_hash].items[code]
            value = float(item.max) - float(item.step) * (round_no % 3)
            before = len(acked)
            page.pane.editor.entry.setValue(value)
            wait_for(lambda n=before: len(acked) > n)
            print("ACK", code, page.drafts[(rubric_hash, code)].value, flush=True)
    app.quit()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
