"""Dates follow the interface language; the Visits list sizes its columns and shows scores."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QDate, QLocale, Qt
from PySide6.QtWidgets import QApplication

from app.scores import score_visit
from app.visits import get_visit
from tests.ui import shell_support
from tests.ui.shell_support import TODAY
from ui.app import locale_for
from ui.checklist.finding_dialog import FindingDialog
from ui.pages.visits_page import GRADE, TOTAL, VisitsPage, _optional_date_edit
from ui.tasks import TaskRunner
from ui.widgets.i18n import format_date, format_datetime

demo_source, demo_dir, demo = shell_support.demo_source, shell_support.demo_dir, shell_support.demo


@pytest.fixture
def locale():
    """Set the interface locale for one test (the shell does it at start), then put it back."""
    before = QLocale()
    yield QLocale.setDefault
    QLocale.setDefault(before)


@pytest.mark.parametrize("name, day, stamp", [
    ("C", "2026-11-24", "2026-11-24"),  # a bare LANG=C system: Qt's own format is "24 11 2026"
    ("en", "2026-11-24", "2026-11-24"),  # not the US "11/24/26"
    ("zh_CN", "2026年11月24日", "2026年11月24日"),
])
def test_dates_follow_the_interface_language(qtbot, locale, name, day, stamp):
    locale(QLocale.c() if name == "C" else locale_for(name))
    assert format_date("2026-11-24") == day
    assert format_datetime("2026-11-24T06:05:00.000+00:00").startswith(stamp)
    dialog = FindingDialog(today=TODAY, deadline_days=0)
    qtbot.addWidget(dialog)
    assert dialog.deadline.text() == day
    edit = _optional_date_edit(dialog, "any")  # the Visits list's date filters
    edit.setDate(QDate(2026, 11, 24))
    assert edit.text() == day


@pytest.fixture
def visits(qtbot, demo):
    """The Visits view with its rows and scores arriving from worker threads, as in the app."""
    runner = TaskRunner()
    page = VisitsPage(demo, runner)
    qtbot.addWidget(page)
    page.resize(1216, 700)  # the view's room on a 1366-pixel screen
    page.show()
    qtbot.waitExposed(page)
    qtbot.waitUntil(lambda: page.model.rowCount() > 0 and not runner.busy, timeout=5000)
    QApplication.processEvents()
    yield page
    runner.shutdown()


def cells(page: VisitsPage) -> dict[str, tuple[str, str, str]]:
    """(status, total, grade) by "unit · start" for every row."""
    m = page.model
    return {f"{m.data(m.index(r, 0))} · {m.data(m.index(r, 4))}": (
        m.data(m.index(r, 3)), m.data(m.index(r, TOTAL)), m.data(m.index(r, GRADE))) for r in range(m.rowCount())}


def test_the_visits_list_shows_each_visits_total_and_grade(visits, demo):
    headers = [visits.model.headerData(c, Qt.Orientation.Horizontal) for c in range(visits.model.columnCount())]
    assert headers[TOTAL:] == ["Total", "Grade"]
    rows = cells(visits)
    done = next(v for v in visits.model.visits if v.unit_name == "大坝中心小学")
    result = score_visit(demo, done.id, get_visit(demo, done.id).rubric_hashes[0])
    assert result.band is not None and not any("unanswered" in r.gaps for r in result.items.values())
    assert rows["大坝中心小学 · 2026-11-23"] == (
        "Finalized", f"{result.display(result.awarded)} / {result.display(result.maximum)}", result.band.label.en)
    # Nothing answered yet: no total, no grade (the enterprise check would say "halt" from nothing).
    assert rows["湖北汉江化工有限公司 · 2026-11-24"][1:] == ("—", "—")
    status, total, grade = rows["大坝初级中学 · 2026-11-24"]
    assert total.endswith("/ 1000.0") and grade.startswith("Does not meet the standard (provisional: ")


def test_the_visits_list_sizes_every_column_to_its_content(visits):
    table, m = visits.table, visits.model
    metrics = table.fontMetrics()
    clipped = []
    for column in range(1, m.columnCount()):
        width = table.columnWidth(column)
        for row in range(m.rowCount()):
            text = m.data(m.index(row, column)) or ""
            if metrics.horizontalAdvance(text) + 6 > width:
                clipped.append((column, text, width))
    assert clipped == []
