"""Units: the administrative tree, and a unit's page with its history, trend and open findings."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QFont, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.findings import open_findings_of_unit
from app.labels import (
    AREA_LEVEL_LABELS,
    FINDING_STATUS_LABELS,
    PROFILE_NUMBER_LABELS,
    SEVERITY_LABELS,
    UNIT_TYPE_LABELS,
    VISIT_STATUS_LABELS,
    VISIT_TYPE_LABELS,
    label_of,
)
from app.models import Finding, Unit
from app.profile import Profile
from app.rubric import Label
from app.units import AreaNode, HistoryEntry, area_tree, get_unit, unit_history
from ui.pages.base import WorkspacePage
from ui.tasks import TaskRunner
from ui.widgets.i18n import both_of, format_date, format_number, text_of
from ui.widgets.layout import master_detail
from ui.widgets.lists import add_row, current_record, flat_tree
from ui.widgets.score_trend import ScoreTrendWidget

UNIT_ROLE = Qt.ItemDataRole.UserRole + 1
PATH_ROLE = Qt.ItemDataRole.UserRole + 2


@dataclass(frozen=True)
class UnitDetail:
    unit: Unit
    history: list[HistoryEntry]
    findings: list[Finding]


def load_unit(profile: Profile, unit_id: str) -> UnitDetail | None:
    unit = get_unit(profile, unit_id)
    if unit is None:
        return None
    return UnitDetail(unit, unit_history(profile, unit_id), open_findings_of_unit(profile, unit_id))


class UnitDetailWidget(QWidget):
    """One unit: who and what it is, how it scored over time, and what it still has to fix."""

    openVisitRequested = Signal(str)
    showVisitsRequested = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.detail: UnitDetail | None = None
        self.title = QLabel(self)
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.subtitle = QLabel(self)
        self.subtitle.setWordWrap(True)
        self.numbers = QFormLayout()
        self.trend = ScoreTrendWidget(self)
        self.history = flat_tree([self.tr("Date"), self.tr("Visit type"), self.tr("Status"), self.tr("Score"),
                                  self.tr("Grade")], self, stretch=4)
        self.history.setAccessibleName(self.tr("Visit history"))
        self.history.itemActivated.connect(self._open_history)
        self.findings = flat_tree([self.tr("Finding"), self.tr("Severity"), self.tr("Deadline"),
                                   self.tr("Status"), self.tr("Responsible")], self)
        self.findings.setAccessibleName(self.tr("Open rectifications"))
        self.findings.setWordWrap(True)
        self.show_visits = QPushButton(self.tr("Show &all visits of this unit"), self)
        self.show_visits.clicked.connect(self._show_visits)
        self.empty = QLabel(self.tr("Choose a unit in the tree."), self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.body = QWidget(self)
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        head_text = QVBoxLayout()
        head_text.addWidget(self.title)
        head_text.addWidget(self.subtitle)
        head.addLayout(head_text, 1)
        head.addWidget(self.show_visits, 0, Qt.AlignmentFlag.AlignTop)
        body.addLayout(head)
        top = QHBoxLayout()
        numbers_box = QGroupBox(self.tr("Profile"), self.body)
        numbers_box.setLayout(self.numbers)
        trend_box = QGroupBox(self.tr("Score trend"), self.body)
        QVBoxLayout(trend_box).addWidget(self.trend)
        top.addWidget(numbers_box, 1)
        top.addWidget(trend_box, 2)
        body.addLayout(top)
        history_box = QGroupBox(self.tr("Visit history"), self.body)
        QVBoxLayout(history_box).addWidget(self.history)
        findings_box = QGroupBox(self.tr("Open rectifications"), self.body)
        QVBoxLayout(findings_box).addWidget(self.findings)
        body.addWidget(history_box, 1)
        body.addWidget(findings_box, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.empty)
        layout.addWidget(self.body)
        self.body.hide()

    def show_detail(self, detail: UnitDetail | None, area_path: str) -> None:
        self.detail = detail
        self.empty.setVisible(detail is None)
        self.body.setVisible(detail is not None)
        if detail is None:
            return
        unit = detail.unit
        self.title.setText(unit.name)
        parts = [unit.code, text_of(label_of(UNIT_TYPE_LABELS, unit.unit_type)), area_path]
        if unit.head_name:
            parts.append(self.tr("Head: {name}").format(name=unit.head_name))
        self.subtitle.setText("  ·  ".join(p for p in parts if p))
        while self.numbers.rowCount():
            self.numbers.removeRow(0)
        for key, value in unit.profile.items():
            self.numbers.addRow(text_of(label_of(PROFILE_NUMBER_LABELS, key)), QLabel(format_number(value)))
        if not unit.profile:
            self.numbers.addRow(QLabel(self.tr("No profile numbers recorded.")))

        self.history.clear()
        points = []
        for entry in detail.history:
            visit = entry.visit
            score = "—" if entry.percentage is None else f"{format_number(entry.percentage.quantize(1))}%"
            add_row(self.history, [format_date(visit.starts_on), text_of(label_of(VISIT_TYPE_LABELS, visit.visit_type)),
                                   text_of(label_of(VISIT_STATUS_LABELS, visit.status)), score,
                                   both_of(entry.band) if isinstance(entry.band, Label) else ""], visit)
            if entry.percentage is not None and visit.status != "cancelled":
                points.append((visit.starts_on, entry.percentage))
        self.trend.set_points(points)

        self.findings.clear()
        for f in detail.findings:
            add_row(self.findings, [f.description, text_of(label_of(SEVERITY_LABELS, f.severity)),
                                    format_date(f.deadline), text_of(label_of(FINDING_STATUS_LABELS, f.status)),
                                    f.responsible], f, tooltip=f.requirement or f.description)
        if not detail.findings:
            add_row(self.findings, [self.tr("No open rectifications."), "", "", "", ""], None)

    def _open_history(self) -> None:
        visit = current_record(self.history)
        if visit is not None:
            self.openVisitRequested.emit(visit.id)  # type: ignore[attr-defined]

    def _show_visits(self) -> None:
        if self.detail is not None:
            self.showVisitsRequested.emit(self.detail.unit.id, self.detail.unit.name)


class UnitsPage(WorkspacePage):
    # (unit id, unit name): list this unit's visits in the Visits view.
    showVisitsRequested = Signal(str, str)

    def __init__(self, profile: Profile, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(profile, runner, parent)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(self.tr("Filter by unit name or code"))
        self.search.setClearButtonEnabled(True)
        self.model = QStandardItemModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setRecursiveFilteringEnabled(True)
        self.proxy.setAutoAcceptChildRows(True)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterRole(Qt.ItemDataRole.ToolTipRole)
        self.tree = QTreeView(self)
        self.tree.setModel(self.proxy)
        self.tree.setHeaderHidden(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setAccessibleName(self.tr("Administrative areas and units"))
        self.tree.selectionModel().currentChanged.connect(self._current_changed)
        self.search.textChanged.connect(self._filter)
        self.search.returnPressed.connect(self.tree.setFocus)

        self.detail = UnitDetailWidget(self)
        self.detail.openVisitRequested.connect(self.openVisitRequested)
        self.detail.showVisitsRequested.connect(self.showVisitsRequested)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self.detail)
        self.detail.setMinimumHeight(520)

        master_detail(self, [self.search, self.tree], scroll, sizes=(300, 800))
        self._unit_id: str | None = None

    def refresh(self) -> None:
        self.runner.run(lambda: area_tree(self.profile), on_done=self._fill, on_error=self.failed.emit,
                        label="units")

    def _fill(self, roots: list[AreaNode]) -> None:
        self.model.clear()

        def add(parent: QStandardItem, node: AreaNode, path: list[str]) -> None:
            item = QStandardItem(node.name)
            item.setToolTip(f"{node.name} {node.code} · {text_of(label_of(AREA_LEVEL_LABELS, node.level))}")
            item.setData(" › ".join([*path, node.name]), PATH_ROLE)
            parent.appendRow(item)
            for child in node.children:
                add(item, child, [*path, node.name])
            for unit in node.units:
                leaf = QStandardItem(f"{unit.name}  {unit.code}")
                leaf.setToolTip(f"{unit.name} {unit.code}")
                leaf.setData(unit.id, UNIT_ROLE)
                leaf.setData(" › ".join([*path, node.name]), PATH_ROLE)
                item.appendRow(leaf)

        for root in roots:
            add(self.model.invisibleRootItem(), root, [])
        self.tree.expandToDepth(2)
        if self._unit_id:
            self.show_unit(self._unit_id)
        self.loaded.emit()

    def _filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())
        if text.strip():
            self.tree.expandAll()

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        unit_id = current.data(UNIT_ROLE)
        if unit_id:
            self.show_unit(unit_id, current.data(PATH_ROLE) or "")

    def show_unit(self, unit_id: str, area_path: str = "") -> None:
        self._unit_id = unit_id
        self.runner.run(lambda: load_unit(self.profile, unit_id),
                        on_done=lambda detail: self.detail.show_detail(detail, area_path),
                        on_error=self.failed.emit, label="unit")

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()
