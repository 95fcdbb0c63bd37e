"""Today: the day's assignments and the visits in progress."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QDate, QLocale, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QVBoxLayout,
    QWidget,
)

from app.labels import VISIT_TYPE_LABELS, label_of
from app.models import Visit
from app.overview import (
    Assignment,
    assignment_done,
    count_due,
    open_assignments,
    visits_in_progress,
)
from app.profile import Profile
from app.visits import VisitFilter, get_visit, list_visits
from ui.pages.base import WorkspacePage
from ui.tasks import TaskRunner
from ui.widgets.i18n import format_date, text_of
from ui.widgets.lists import add_row, current_record, flat_tree, select_first


@dataclass(frozen=True)
class TodayData:
    assignments: list[Assignment]
    # Assignment id -> the visit already started from it.
    started: dict[str, Visit]
    in_progress: list[Visit]


def load_today(profile: Profile, today: date) -> TodayData:
    assignments = open_assignments(profile, today)
    started: dict[str, Visit] = {}
    for a in assignments:
        for visit in list_visits(profile, VisitFilter(unit_id=a.unit_id), limit=50):
            if visit.assignment_id == a.id and visit.status != "cancelled":
                started[a.id] = visit
                break
    # The in-progress list comes without members; the handful of visits is cheap to complete.
    in_progress = [get_visit(profile, v.id) for v in visits_in_progress(profile)]
    return TodayData(assignments, started, in_progress)


class TodayPage(WorkspacePage):
    # An assignment to start a visit from (through the new-visit dialog).
    startAssignmentRequested = Signal(object)
    newVisitRequested = Signal()

    def __init__(self, profile: Profile, runner: TaskRunner, today: date, parent: QWidget | None = None) -> None:
        super().__init__(profile, runner, parent)
        self.today = today
        self.data: TodayData | None = None

        title = QLabel(self)
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        title.setFont(font)
        title.setText(QLocale().toString(QDate(today.year, today.month, today.day), QLocale.FormatType.LongFormat))
        self.due_label = QLabel(self)
        self.progress_label = QLabel(self)

        self.assignments = flat_tree(
            [self.tr("Unit"), self.tr("Visit type"), self.tr("Window"), self.tr("Campaign"), self.tr("State")], self)
        self.assignments.setAccessibleName(self.tr("Assignments"))
        self.assignments.itemActivated.connect(lambda *_: self.start_or_open_current())
        self.assignments.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.start_button = QPushButton(self.tr("&Start visit"), self)
        self.start_button.clicked.connect(self.start_or_open_current)
        new_button = QPushButton(self.tr("New visit without assignment…"), self)
        new_button.clicked.connect(self.newVisitRequested)

        self.visits = flat_tree([self.tr("Unit"), self.tr("Visit type"), self.tr("Started"), self.tr("Team")], self)
        self.visits.setAccessibleName(self.tr("Visits in progress"))
        self.visits.itemActivated.connect(lambda *_: self.open_current_visit())
        self.open_button = QPushButton(self.tr("&Open visit"), self)
        self.open_button.clicked.connect(self.open_current_visit)

        assignment_box = QGroupBox(self.tr("Assignments"), self)
        box = QVBoxLayout(assignment_box)
        box.addWidget(self.assignments)
        row = QHBoxLayout()
        row.addWidget(self.start_button)
        row.addWidget(new_button)
        row.addStretch(1)
        box.addLayout(row)

        visits_box = QGroupBox(self.tr("Visits in progress"), self)
        box = QVBoxLayout(visits_box)
        box.addWidget(self.visits)
        row = QHBoxLayout()
        row.addWidget(self.open_button)
        row.addStretch(1)
        box.addLayout(row)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        summary = QHBoxLayout()
        summary.addWidget(self.due_label)
        summary.addSpacing(24)
        summary.addWidget(self.progress_label)
        summary.addStretch(1)
        layout.addLayout(summary)
        layout.addWidget(assignment_box, 3)
        layout.addWidget(visits_box, 2)
        self._update_buttons()

    def refresh(self) -> None:
        today = self.today
        self.runner.run(lambda: load_today(self.profile, today), on_done=self._show,
                        on_error=self.failed.emit, label="today")

    def _show(self, data: TodayData) -> None:
        self.data = data
        self._fill_assignments(data)
        self._fill_visits(data.in_progress)
        due = count_due(data.assignments, data.started, self.today)
        self.due_label.setText(self.tr("%n assignment(s) due today", "", due))
        self.progress_label.setText(self.tr("%n visit(s) in progress", "", len(data.in_progress)))
        self._update_buttons()
        self.loaded.emit()

    def _fill_assignments(self, data: TodayData) -> None:
        tree = self.assignments
        tree.clear()
        for a in data.assignments:
            visit = data.started.get(a.id)
            if visit is None:
                state = self.tr("Not started")
            elif assignment_done(visit):
                state = self.tr("Done")
            else:
                state = self.tr("In progress")
            window = self.tr("{start} – {end}").format(start=format_date(a.window_start),
                                                       end=format_date(a.window_end))
            item = add_row(tree, [a.unit_name, text_of(label_of(VISIT_TYPE_LABELS, a.visit_type)), window,
                                  a.campaign_name, state], a, tooltip=a.unit_name)
            if a.due_on(self.today) and visit is None:
                for column in range(tree.columnCount()):
                    font = item.font(column)
                    font.setBold(True)
                    item.setFont(column, font)
        select_first(tree)

    def _fill_visits(self, visits: list[Visit]) -> None:
        tree: QTreeWidget = self.visits
        tree.clear()
        for v in visits:
            members = self.tr(", ").join(m.name for m in v.members) if v.members else ""
            add_row(tree, [v.unit_name, text_of(label_of(VISIT_TYPE_LABELS, v.visit_type)),
                           format_date(v.starts_on), members], v)
        select_first(tree)

    def _update_buttons(self) -> None:
        record = current_record(self.assignments)
        started = self.data.started.get(record.id) if self.data and isinstance(record, Assignment) else None
        self.start_button.setEnabled(isinstance(record, Assignment))
        self.start_button.setText(self.tr("&Continue visit") if started else self.tr("&Start visit"))
        self.open_button.setEnabled(self.visits.currentItem() is not None)

    def start_or_open_current(self) -> None:
        """Start a visit from the selected assignment, or continue the one already started."""
        record = current_record(self.assignments)
        if not isinstance(record, Assignment) or self.data is None:
            return
        started = self.data.started.get(record.id)
        if started is not None:
            self.openVisitRequested.emit(started.id)
        else:
            self.startAssignmentRequested.emit(record)

    def open_current_visit(self) -> None:
        record = current_record(self.visits)
        if isinstance(record, Visit):
            self.openVisitRequested.emit(record.id)
