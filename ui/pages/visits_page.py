"""Visits: every visit of the profile, filtered and searched, loaded a page at a time."""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.labels import VISIT_STATUS_LABELS, VISIT_STATUSES, VISIT_TYPE_LABELS, VISIT_TYPES, label_of
from app.models import Visit
from app.overview import list_campaigns
from app.profile import Profile
from app.scores import ScoreSummary, visit_summaries
from app.visits import VisitFilter, list_visits
from ui.pages.base import WorkspacePage
from ui.tasks import TaskRunner
from ui.widgets.grades import GradeWords
from ui.widgets.i18n import date_format, format_date, text_of

PAGE_SIZE = 100
VISIT_ROLE = Qt.ItemDataRole.UserRole + 1
TOTAL, GRADE = 6, 7  # the score columns
AnyIndex = QModelIndex | QPersistentModelIndex


class VisitTableModel(QAbstractTableModel):
    """Visits matching a filter, fetched ``PAGE_SIZE`` rows at a time as the view scrolls.

    A profile may hold tens of thousands of visits; the view asks for more only when the user
    scrolls near the end, so the first screen costs one small query.
    """

    failed = Signal(object)
    # Emitted after each page arrives (also after a reset), with the number of rows now held.
    pageLoaded = Signal(int)
    # Emitted after the totals and grades of a page arrived.
    scoresLoaded = Signal()

    def __init__(self, profile: Profile, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.profile = profile
        self.runner = runner
        self.filter = VisitFilter()
        self.visits: list[Visit] = []
        # Nothing to fetch until a filter is set: a view laid out early must not query.
        self._more = False
        self._loading = False
        # Bumped on every reset so a page of an old filter that arrives late is dropped.
        self._generation = 0
        self.headers = [self.tr("Unit"), self.tr("Code"), self.tr("Visit type"), self.tr("Status"),
                        self.tr("Starts"), self.tr("Ends"), self.tr("Total"), self.tr("Grade")]
        # Scores arrive after their page of rows, in a task of their own: the list shows at once.
        self.summaries: dict[str, ScoreSummary] = {}
        self.words = GradeWords(self)

    def set_filter(self, f: VisitFilter) -> None:
        self.beginResetModel()
        self.filter = f
        self.visits = []
        self.summaries = {}
        self._more = True
        self._loading = False
        self._generation += 1
        self.endResetModel()
        self.fetchMore(QModelIndex())

    def reload(self) -> None:
        self.set_filter(self.filter)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.visits)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        visit = self.visits[index.row()]
        if role == VISIT_ROLE:
            return visit
        column = index.column()
        if role == Qt.ItemDataRole.TextAlignmentRole and column == TOTAL:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole) and column >= TOTAL:
            return self._score_cell(visit, column, role == Qt.ItemDataRole.ToolTipRole)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if column == 0:
                return visit.unit_name
            if column == 1:
                return visit.unit_code
            if column == 2:
                return text_of(label_of(VISIT_TYPE_LABELS, visit.visit_type))
            if column == 3:
                return text_of(label_of(VISIT_STATUS_LABELS, visit.status))
            if column == 4:
                return format_date(visit.starts_on)
            return format_date(visit.ends_on)
        return None

    def _score_cell(self, visit: Visit, column: int, tooltip: bool) -> str | None:
        summary = self.summaries.get(visit.id)
        if summary is None:
            return None if tooltip else ""
        if column == TOTAL:
            if not summary.answered:
                return self.tr("Nothing answered yet") if tooltip else "—"
            total = self.tr("{awarded} / {maximum}").format(awarded=summary.awarded, maximum=summary.maximum)
            if tooltip and summary.rubrics > 1:
                return self.tr("The first of %n rubrics", "", summary.rubrics)
            return None if tooltip else total
        grade = self.words.grade(summary)
        return grade if tooltip else (grade or "—")

    def _add_summaries(self, generation: int, summaries: dict[str, ScoreSummary]) -> None:
        if generation != self._generation or not self.visits:
            return
        self.summaries.update(summaries)
        rows = [k for k, v in enumerate(self.visits) if v.id in summaries]
        if rows:
            self.dataChanged.emit(self.index(min(rows), TOTAL), self.index(max(rows), GRADE))
        self.scoresLoaded.emit()

    def canFetchMore(self, parent: AnyIndex) -> bool:
        return not parent.isValid() and self._more and not self._loading

    def fetchMore(self, parent: AnyIndex) -> None:
        if parent.isValid() or not self._more or self._loading:
            return
        self._loading = True
        generation, f, offset = self._generation, self.filter, len(self.visits)
        self.runner.run(lambda: list_visits(self.profile, f, limit=PAGE_SIZE, offset=offset),
                        on_done=lambda page: self._append(generation, page),
                        on_error=self._fail, label="visits page")

    def _append(self, generation: int, page: list[Visit]) -> None:
        if generation != self._generation:
            return
        self._loading = False
        self._more = len(page) == PAGE_SIZE
        if page:
            start = len(self.visits)
            self.beginInsertRows(QModelIndex(), start, start + len(page) - 1)
            self.visits.extend(page)
            self.endInsertRows()
            ids = [v.id for v in page]
            self.runner.run(lambda: visit_summaries(self.profile, ids),
                            on_done=lambda found: self._add_summaries(generation, found),
                            on_error=self._fail, label="visit scores")
        self.pageLoaded.emit(len(self.visits))

    def _fail(self, exc: BaseException) -> None:
        self._loading = False
        self.failed.emit(exc)

    @property
    def has_more(self) -> bool:
        return self._more


def _optional_date_edit(parent: QWidget, special: str) -> QDateEdit:
    """A date field whose lowest value means "no limit" (QDateEdit has no empty state)."""
    edit = QDateEdit(parent)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat(date_format())
    edit.setMinimumDate(QDate(2000, 1, 1))
    edit.setSpecialValueText(special)
    edit.setDate(edit.minimumDate())
    return edit


def _date_or_none(edit: QDateEdit) -> str | None:
    return None if edit.date() == edit.minimumDate() else edit.date().toString(Qt.DateFormat.ISODate)


class VisitsPage(WorkspacePage):
    def __init__(self, profile: Profile, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(profile, runner, parent)
        self.unit_id: str | None = None

        self.search = QLineEdit(self)
        self.search.setPlaceholderText(self.tr("Search unit name or code"))
        self.search.setClearButtonEnabled(True)
        self.status = QComboBox(self)
        self.status.addItem(self.tr("All statuses"), None)
        for code in VISIT_STATUSES:
            self.status.addItem(text_of(label_of(VISIT_STATUS_LABELS, code)), code)
        self.visit_type = QComboBox(self)
        self.visit_type.addItem(self.tr("All visit types"), None)
        for code in VISIT_TYPES:
            self.visit_type.addItem(text_of(label_of(VISIT_TYPE_LABELS, code)), code)
        self.campaign = QComboBox(self)
        self.campaign.addItem(self.tr("All campaigns"), None)
        self.campaign.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.campaign.setMinimumContentsLength(12)
        self.date_from = _optional_date_edit(self, self.tr("Any start"))
        self.date_to = _optional_date_edit(self, self.tr("Any end"))
        for edit, name in ((self.date_from, self.tr("From")), (self.date_to, self.tr("To"))):
            edit.setAccessibleName(name)
            edit.setToolTip(name)
        clear = QPushButton(self.tr("C&lear filters"), self)
        clear.clicked.connect(self.clear_filters)

        self.unit_chip = QToolButton(self)
        self.unit_chip.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.unit_chip.setToolTip(self.tr("Remove the unit filter"))
        self.unit_chip.clicked.connect(lambda: self.show_unit(None, ""))
        self.unit_chip.hide()

        self.model = VisitTableModel(profile, runner, self)
        self.model.failed.connect(self.failed)
        self.model.pageLoaded.connect(self._page_loaded)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        # Every column as wide as its widest cell, measured again when rows or scores arrive (a
        # header left to size itself measures the empty table once); the unit takes the rest.
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(40)
        self.model.scoresLoaded.connect(self.fit_columns)
        # Enter, Return and double-click all activate: each opens the visit.
        self.table.activated.connect(self._open_index)
        self.count_label = QLabel(self)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(self._debounce.start)
        self.search.returnPressed.connect(self._search_entered)
        for combo in (self.status, self.visit_type, self.campaign):
            combo.currentIndexChanged.connect(self.apply_filters)
        for edit in (self.date_from, self.date_to):
            edit.dateChanged.connect(self.apply_filters)

        filters = QHBoxLayout()
        filters.addWidget(self.search, 2)
        filters.addWidget(self.status)
        filters.addWidget(self.visit_type)
        filters.addWidget(self.campaign, 1)
        filters.addWidget(self.date_from)
        filters.addWidget(QLabel("–", self))
        filters.addWidget(self.date_to)
        filters.addWidget(clear)
        chips = QHBoxLayout()
        chips.addWidget(self.unit_chip)
        chips.addWidget(self.count_label)
        chips.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addLayout(chips)
        layout.addWidget(self.table, 1)
        self._campaigns_loaded = False

    def current_filter(self) -> VisitFilter:
        return VisitFilter(
            status=self.status.currentData(), campaign_id=self.campaign.currentData(), unit_id=self.unit_id,
            visit_type=self.visit_type.currentData(), date_from=_date_or_none(self.date_from),
            date_to=_date_or_none(self.date_to), text=self.search.text().strip() or None,
        )

    def refresh(self) -> None:
        if not self._campaigns_loaded:
            self.runner.run(lambda: list_campaigns(self.profile), on_done=self._fill_campaigns,
                            on_error=self.failed.emit, label="campaigns")
        self.model.set_filter(self.current_filter())

    def apply_filters(self) -> None:
        self._debounce.stop()
        wanted = self.current_filter()
        if wanted != self.model.filter or self.stale:
            self.stale = False
            self.model.set_filter(wanted)

    def clear_filters(self) -> None:
        for widget in (self.search, self.status, self.visit_type, self.campaign, self.date_from, self.date_to):
            widget.blockSignals(True)
        self.search.clear()
        for combo in (self.status, self.visit_type, self.campaign):
            combo.setCurrentIndex(0)
        for edit in (self.date_from, self.date_to):
            edit.setDate(edit.minimumDate())
        for widget in (self.search, self.status, self.visit_type, self.campaign, self.date_from, self.date_to):
            widget.blockSignals(False)
        self.show_unit(None, "")

    def show_unit(self, unit_id: str | None, unit_name: str) -> None:
        """Narrow the list to one unit's visits (from the Units view), or widen it again."""
        self.unit_id = unit_id
        self.unit_chip.setVisible(unit_id is not None)
        self.unit_chip.setText(self.tr("Unit: {unit}  ✕").format(unit=unit_name))
        self.apply_filters()

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def _fill_campaigns(self, campaigns: list[tuple[str, str]]) -> None:
        self._campaigns_loaded = True
        self.campaign.blockSignals(True)
        for campaign_id, name in campaigns:
            self.campaign.addItem(name, campaign_id)
        self.campaign.blockSignals(False)

    def fit_columns(self) -> None:
        for column in range(1, self.model.columnCount()):
            self.table.resizeColumnToContents(column)

    def _page_loaded(self, count: int) -> None:
        self.fit_columns()
        if self.model.has_more:
            self.count_label.setText(self.tr("%n visit(s) shown; scroll for more", "", count))
        else:
            self.count_label.setText(self.tr("%n visit(s)", "", count))
        if count and not self.table.currentIndex().isValid():
            self.table.setCurrentIndex(self.model.index(0, 0))
        self.loaded.emit()

    def _search_entered(self) -> None:
        # Enter in the search box applies at once and moves to the results.
        self.apply_filters()
        self.table.setFocus()

    def _open_index(self, index: QModelIndex) -> None:
        visit = self.model.data(index, VISIT_ROLE)
        if isinstance(visit, Visit):
            self.openVisitRequested.emit(visit.id)

    def open_current(self) -> None:
        self._open_index(self.table.currentIndex())

