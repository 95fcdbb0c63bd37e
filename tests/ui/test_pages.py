"""The four views driven offscreen on the demo profile: lists, filters, search, unit page, preview."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import QDate, QModelIndex, Qt

from app import labels
from app.overview import Assignment
from app.rubric import Item
from tests.ui import shell_support
from tests.ui.shell_support import TODAY
from ui.pages import visits_page as visits_module
from ui.pages.rubrics_page import RubricsPage
from ui.pages.today_page import TodayPage
from ui.pages.units_page import UNIT_ROLE, UnitsPage
from ui.pages.visits_page import VisitsPage
from ui.widgets.lists import RECORD_ROLE
from ui.widgets.score_trend import ScoreTrendWidget

# The shared fixtures, made visible to pytest in this module.
demo_source, demo_dir, demo, runner = (shell_support.demo_source, shell_support.demo_dir, shell_support.demo,
                                       shell_support.runner)


def shown(qtbot, page):
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    qtbot.waitExposed(page)
    return page


# --- Today ---------------------------------------------------------------------------------------


def test_today_lists_assignments_with_their_state_and_visits_in_progress(qtbot, demo, runner):
    page = shown(qtbot, TodayPage(demo, runner, TODAY))
    tree = page.assignments
    states = [tree.topLevelItem(i).text(4) for i in range(tree.topLevelItemCount())]
    assert states == ["Done"] * 3 + ["In progress"] * 2 + ["Not started"] * 5
    assert page.visits.topLevelItemCount() == 3
    # Four windows include today; three of those visits are finalized: one is still due.
    assert page.due_label.text() == "1 assignment(s) due today"
    # Members come with the visits in progress.
    assert "张建华" in page.visits.topLevelItem(0).text(3)


def test_today_starts_or_continues_an_assignment(qtbot, demo, runner):
    page = shown(qtbot, TodayPage(demo, runner, TODAY))
    started, opened = [], []
    page.startAssignmentRequested.connect(started.append)
    page.openVisitRequested.connect(opened.append)
    page.assignments.setCurrentItem(page.assignments.topLevelItem(3))
    assert page.start_button.text() == "&Continue visit"
    page.start_button.click()
    assert len(opened) == 1 and not started
    page.assignments.setCurrentItem(page.assignments.topLevelItem(6))
    assert page.start_button.text() == "&Start visit"
    page.start_button.click()
    assert isinstance(started[0], Assignment) and started[0].unit_name == page.assignments.topLevelItem(6).text(0)
    page.visits.setCurrentItem(page.visits.topLevelItem(0))
    page.open_button.click()
    assert len(opened) == 2


# --- Visits --------------------------------------------------------------------------------------


@pytest.fixture
def visits(qtbot, demo, runner) -> VisitsPage:
    return shown(qtbot, VisitsPage(demo, runner))


def test_visits_lists_everything_newest_first(visits):
    model = visits.model
    assert model.rowCount() == 14
    dates = [v.starts_on for v in model.visits]
    assert dates == sorted(dates, reverse=True)
    assert visits.count_label.text() == "14 visit(s)"


@pytest.mark.parametrize(("combo", "code", "expected"), [
    ("status", "finalized", 10), ("status", "in_progress", 3), ("status", "amended", 1),
    ("visit_type", "follow_up", 1), ("visit_type", "routine", 7), ("visit_type", "spot_check", 0),
])
def test_visits_filter_by_status_and_type(visits, combo, code, expected):
    box = getattr(visits, combo)
    box.setCurrentIndex(box.findData(code))
    assert visits.model.rowCount() == expected
    assert all(getattr(v, "status" if combo == "status" else "visit_type") == code for v in visits.model.visits)


def test_visits_filter_by_campaign(visits):
    assert visits.campaign.count() == 2  # "all" and the demo's one campaign
    visits.campaign.setCurrentIndex(1)
    assert visits.model.rowCount() == 5
    assert all(v.assignment_id for v in visits.model.visits)


def test_visits_filter_by_date_range(visits):
    visits.date_from.setDate(QDate(2026, 11, 20))
    assert visits.model.rowCount() == 6
    visits.date_to.setDate(QDate(2026, 11, 22))
    assert [v.starts_on for v in visits.model.visits] == ["2026-11-22", "2026-11-21"]
    visits.clear_filters()
    assert visits.model.rowCount() == 14


def test_visits_search_by_name_or_code(qtbot, visits):
    # Chinese arrives through the input method as committed text, hence setText.
    visits.search.setText("均州路中心小学")
    qtbot.waitUntil(lambda: visits.model.rowCount() == 4, timeout=2000)  # debounced
    visits.search.clear()
    visits.search.setText("DJK039")
    visits.apply_filters()
    assert {v.unit_name for v in visits.model.visits} == {"湖北汉江化工有限公司"}


def test_visits_unit_filter_from_the_units_view(visits):
    unit = visits.model.visits[0]
    visits.show_unit(unit.unit_id, unit.unit_name)
    assert visits.unit_chip.isVisible() and unit.unit_name in visits.unit_chip.text()
    assert {v.unit_id for v in visits.model.visits} == {unit.unit_id}
    visits.unit_chip.click()
    assert visits.model.rowCount() == 14


def test_visits_model_pages_as_the_view_scrolls(qtbot, demo, runner, monkeypatch):
    monkeypatch.setattr(visits_module, "PAGE_SIZE", 5)
    model = visits_module.VisitTableModel(demo, runner)
    model.set_filter(visits_module.VisitFilter())
    assert model.rowCount() == 5 and model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 14 and not model.canFetchMore(QModelIndex())
    assert len({v.id for v in model.visits}) == 14
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Unit"
    assert model.data(model.index(0, 3)) == "In progress"


def test_visits_late_page_of_an_old_filter_is_dropped(demo, runner):
    model = visits_module.VisitTableModel(demo, runner)
    model.set_filter(visits_module.VisitFilter(status="finalized"))
    model._append(model._generation - 1, model.visits[:1])
    assert model.rowCount() == 10


# --- Units ---------------------------------------------------------------------------------------


def _find_unit(page: UnitsPage, code: str) -> QModelIndex:
    page.search.setText(code)
    proxy = page.proxy

    def walk(parent: QModelIndex) -> QModelIndex | None:
        for row in range(proxy.rowCount(parent)):
            index = proxy.index(row, 0, parent)
            if index.data(UNIT_ROLE):
                return index
            found = walk(index)
            if found is not None:
                return found
        return None

    found = walk(QModelIndex())
    assert found is not None
    return found


def test_units_tree_and_unit_page(qtbot, demo, runner):
    page = shown(qtbot, UnitsPage(demo, runner))
    root = page.model.item(0)
    assert root.text() == "湖北省"
    page.tree.setCurrentIndex(_find_unit(page, "DJK001"))
    detail = page.detail
    assert detail.title.text() == "均州路中心小学"
    assert "DJK001" in detail.subtitle.text() and "丹江口市" in detail.subtitle.text()
    assert detail.numbers.rowCount() == 2  # enrolment and staff
    assert detail.history.topLevelItemCount() == 4
    assert len(detail.trend.points) == 4
    assert all(Decimal(0) <= p <= Decimal(100) for _, p in detail.trend.points)
    assert detail.findings.topLevelItemCount() == 2
    asked = []
    page.showVisitsRequested.connect(lambda uid, name: asked.append(name))
    detail.show_visits.click()
    assert asked == ["均州路中心小学"]
    opened = []
    page.openVisitRequested.connect(opened.append)
    detail.history.setCurrentItem(detail.history.topLevelItem(0))
    detail.history.itemActivated.emit(detail.history.topLevelItem(0), 0)
    assert opened == [detail.history.topLevelItem(0).data(0, RECORD_ROLE).id]


def test_units_filter_keeps_the_path_to_matches(qtbot, demo, runner):
    page = shown(qtbot, UnitsPage(demo, runner))
    page.search.setText("化工")
    assert page.proxy.rowCount() == 1  # only the province above the match


@pytest.mark.parametrize("count", [0, 1, 6])
def test_score_trend_draws_any_number_of_points(qtbot, count):
    widget = ScoreTrendWidget()
    qtbot.addWidget(widget)
    widget.resize(400, 140)
    widget.set_points([(f"2026-0{i + 1}-01", Decimal(60 + 7 * i)) for i in range(count)])
    image = widget.grab().toImage()
    assert not image.isNull()
    if count:
        assert "2026" in widget.toolTip() or "26" in widget.toolTip()


# --- Rubrics -------------------------------------------------------------------------------------


def test_rubrics_list_and_preview(qtbot, demo, runner):
    page = shown(qtbot, RubricsPage(demo, runner))
    assert page.list.topLevelItemCount() == 7
    row = next(i for i in range(7) if page.list.topLevelItem(i).text(0) == "义务教育标准化学校评估验收评分细则")
    page.list.setCurrentItem(page.list.topLevelItem(row))
    root = page.outline.topLevelItem(0)
    assert root.text(2).replace(",", "") == "1000"  # grouping follows the locale
    maxima = [root.child(i).text(2) for i in range(6)]
    assert maxima == ["250", "200", "150", "150", "100", "150"]
    overview = page.details.toPlainText()
    assert "≥ 900" in overview and "≥ 850" in overview and "otherwise" in overview
    assert "Veto items" in overview and "D类危房" in overview

    item = root.child(0)
    while not isinstance(item.data(0, RECORD_ROLE), Item):  # sections may nest
        item = item.child(0)
    page.outline.setCurrentItem(item)
    text = page.details.toPlainText()
    assert "Guidance" in text and "Kind" in text and "Maximum" in text
    page.outline.setCurrentItem(root.child(0))
    assert "Maximum" in page.details.toPlainText()


def test_every_code_has_a_label():
    for codes, table in ((labels.VISIT_TYPES, labels.VISIT_TYPE_LABELS),
                         (labels.VISIT_STATUSES, labels.VISIT_STATUS_LABELS),
                         (labels.SEVERITIES, labels.SEVERITY_LABELS),
                         (labels.FINDING_STATUSES, labels.FINDING_STATUS_LABELS),
                         (labels.AREA_LEVELS, labels.AREA_LEVEL_LABELS),
                         (labels.EVIDENCE_METHODS, labels.EVIDENCE_METHOD_LABELS)):
        assert set(codes) == set(table)
        assert all(label.zh and label.en for label in table.values())
    assert labels.label_of(labels.UNIT_TYPE_LABELS, "observatory").zh == "observatory"
