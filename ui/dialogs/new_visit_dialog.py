"""Starting a visit, from an assignment or ad hoc: unit, type, dates, team, 分工 and rubrics."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QDate, QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.errors import FieldmarkError
from app.labels import UNIT_TYPE_LABELS, VISIT_TYPE_LABELS, VISIT_TYPES, label_of
from app.models import RubricRef, Unit
from app.overview import Assignment
from app.people import Inspector, Team, list_inspectors, list_teams
from app.profile import Profile
from app.rubric import Rubric
from app.rubric_store import get_rubric, list_rubrics
from app.units import get_unit, search_units
from app.visits import NewVisit, create_visit
from ui.tasks import TaskRunner
from ui.widgets.geometry import place_window
from ui.widgets.i18n import both_of, date_format, text_of

ID_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class Choices:
    inspectors: list[Inspector]
    teams: list[Team]
    rubrics: list[RubricRef]
    unit: Unit | None


def load_choices(profile: Profile, unit_id: str | None) -> Choices:
    return Choices(list_inspectors(profile), list_teams(profile), list_rubrics(profile),
                   get_unit(profile, unit_id) if unit_id else None)


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


class NewVisitDialog(QDialog):
    failed = Signal(object)

    def __init__(self, profile: Profile, runner: TaskRunner, *, today: date,
                 assignment: Assignment | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.profile = profile
        self.runner = runner
        self.assignment = assignment
        self.unit: Unit | None = None
        self.created_visit_id: str | None = None
        self.choices: Choices | None = None
        self._rubrics: dict[str, Rubric] = {}
        self.setWindowTitle(self.tr("Start a visit from an assignment") if assignment else self.tr("New visit"))

        self.unit_search = QLineEdit(self)
        self.unit_search.setPlaceholderText(self.tr("Unit name or code"))
        self.unit_search.setClearButtonEnabled(True)
        self.unit_results = QListWidget(self)
        self.unit_results.setMaximumHeight(120)
        self.unit_results.currentItemChanged.connect(lambda *_: self._unit_chosen())
        self.unit_label = QLabel(self.tr("No unit chosen"), self)
        self.unit_label.setWordWrap(True)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(200)
        self._search_timer.timeout.connect(self.run_search)
        self.unit_search.textChanged.connect(self._search_timer.start)
        self.unit_search.returnPressed.connect(self.run_search)

        self.visit_type = QComboBox(self)
        for code in VISIT_TYPES:
            self.visit_type.addItem(text_of(label_of(VISIT_TYPE_LABELS, code)), code)
        self.starts_on = QDateEdit(_qdate(today), self)
        self.ends_on = QDateEdit(_qdate(today), self)
        for edit in (self.starts_on, self.ends_on):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat(date_format())
        self.starts_on.dateChanged.connect(
            lambda d: self.ends_on.setDate(d) if self.ends_on.date() < d else None)

        self.team = QComboBox(self)
        self.team.addItem(self.tr("No team"), None)
        self.team.currentIndexChanged.connect(self._team_chosen)
        self.members = QListWidget(self)
        self.members.setAccessibleName(self.tr("Team members"))
        self.members.setMaximumHeight(150)
        self.members.itemChanged.connect(lambda *_: self._members_changed())
        self.leader = QComboBox(self)
        self.leader.setAccessibleName(self.tr("Team leader"))
        self.leader.currentIndexChanged.connect(lambda *_: self._rebuild_division())

        self.rubrics = QListWidget(self)
        self.rubrics.setAccessibleName(self.tr("Rubrics"))
        self.rubrics.itemChanged.connect(lambda item: self._rubric_toggled(item))
        self.division = QTableWidget(0, 2, self)
        self.division.setHorizontalHeaderLabels([self.tr("Section"), self.tr("Checked by")])
        self.division.setAccessibleName(self.tr("Division of sections"))
        self.division.verticalHeader().hide()
        self.division.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.division.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.division.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)

        self.error_label = QLabel(self)
        self.error_label.setStyleSheet("color: #b00020")
        self.error_label.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("&Start visit"))
        self.buttons.accepted.connect(self.create)
        self.buttons.rejected.connect(self.reject)
        self._layout()
        if assignment is not None:
            self.unit_search.setEnabled(False)
            self.unit_results.hide()
            self.visit_type.setCurrentIndex(max(0, self.visit_type.findData(assignment.visit_type)))
        self.runner.run(lambda: load_choices(profile, assignment.unit_id if assignment else None),
                        on_done=self._fill_choices, on_error=self.failed.emit, label="visit choices")

    def _layout(self) -> None:
        unit_box = QGroupBox(self.tr("Unit"), self)
        box = QVBoxLayout(unit_box)
        box.addWidget(self.unit_search)
        box.addWidget(self.unit_results)
        box.addWidget(self.unit_label)
        visit_box = QGroupBox(self.tr("Visit"), self)
        form = QFormLayout(visit_box)
        form.addRow(self.tr("&Visit type"), self.visit_type)
        dates = QHBoxLayout()
        dates.addWidget(self.starts_on)
        dates.addWidget(QLabel("–", self))
        dates.addWidget(self.ends_on)
        dates.addStretch(1)
        form.addRow(self.tr("Dates"), dates)
        form.addRow(self.tr("&Team"), self.team)
        form.addRow(self.tr("&Members"), self.members)
        form.addRow(self.tr("&Leader"), self.leader)
        left = QVBoxLayout()
        left.addWidget(unit_box)
        left.addWidget(visit_box)
        left.addStretch(1)

        rubric_box = QGroupBox(self.tr("Rubrics"), self)
        QVBoxLayout(rubric_box).addWidget(self.rubrics)
        division_box = QGroupBox(self.tr("Division of sections (分工)"), self)
        QVBoxLayout(division_box).addWidget(self.division)
        right = QVBoxLayout()
        right.addWidget(rubric_box, 2)
        right.addWidget(division_box, 3)

        columns = QHBoxLayout()
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(columns, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        place_window(self, "NewVisitDialog", QSize(920, 620))

    # --- loading -----------------------------------------------------------------------------

    def _fill_choices(self, choices: Choices) -> None:
        self.choices = choices
        self.team.blockSignals(True)
        for team in choices.teams:
            self.team.addItem(team.name, team.id)
        self.team.blockSignals(False)
        self.members.blockSignals(True)
        for inspector in choices.inspectors:
            item = QListWidgetItem(f"{inspector.name}  {inspector.title}".strip(), self.members)
            item.setData(ID_ROLE, inspector.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
        self.members.blockSignals(False)
        wanted = set(self.assignment.rubric_hashes) if self.assignment else set()
        for ref in choices.rubrics:
            item = QListWidgetItem(f"{ref.name_zh}  {ref.version}", self.rubrics)
            item.setToolTip(f"{ref.name_zh}\n{ref.name_en}\n{ref.rubric_id} · {ref.hash[:12]}")
            item.setData(ID_ROLE, ref.hash)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if ref.hash in wanted else Qt.CheckState.Unchecked)
        if self.assignment is not None:
            if choices.unit is not None:
                self.set_unit(choices.unit)
            self.team.setCurrentIndex(max(0, self.team.findData(self.assignment.team_id)))
        elif len(choices.teams) == 1:
            self.team.setCurrentIndex(1)
        else:
            self.unit_search.setFocus()

    def run_search(self) -> None:
        self._search_timer.stop()
        text = self.unit_search.text().strip()
        if not text:
            self.unit_results.clear()
            return
        self.runner.run(lambda: search_units(self.profile, text, limit=30), on_done=self._show_results,
                        on_error=self.failed.emit, label="unit search")

    def _show_results(self, units: list[Unit]) -> None:
        self.unit_results.blockSignals(True)
        self.unit_results.clear()
        for unit in units:
            kind = text_of(label_of(UNIT_TYPE_LABELS, unit.unit_type))
            item = QListWidgetItem(f"{unit.name}  {unit.code}  {kind}", self.unit_results)
            item.setData(ID_ROLE, unit)
        self.unit_results.blockSignals(False)
        if len(units) == 1:
            self.unit_results.setCurrentRow(0)

    def _unit_chosen(self) -> None:
        item = self.unit_results.currentItem()
        if item is not None:
            self.set_unit(item.data(ID_ROLE))

    def set_unit(self, unit: Unit) -> None:
        self.unit = unit
        kind = text_of(label_of(UNIT_TYPE_LABELS, unit.unit_type))
        self.unit_label.setText(self.tr("Unit: {name} ({code}, {kind})").format(
            name=unit.name, code=unit.code, kind=kind))

    # --- team and 分工 -----------------------------------------------------------------------

    def _team_chosen(self) -> None:
        if self.choices is None:
            return
        team = next((t for t in self.choices.teams if t.id == self.team.currentData()), None)
        roles = {m.inspector_id: m.role for m in team.members} if team else {}
        self.members.blockSignals(True)
        for row in range(self.members.count()):
            item = self.members.item(row)
            item.setCheckState(Qt.CheckState.Checked if item.data(ID_ROLE) in roles else Qt.CheckState.Unchecked)
        self.members.blockSignals(False)
        leader = next((i for i, r in roles.items() if r == "leader"), None)
        self._members_changed(leader)

    def chosen_members(self) -> list[tuple[str, str]]:
        """(inspector id, name) of the ticked members, in list order."""
        return [(self.members.item(r).data(ID_ROLE), self.members.item(r).text())
                for r in range(self.members.count())
                if self.members.item(r).checkState() == Qt.CheckState.Checked]

    def _members_changed(self, leader: str | None = None) -> None:
        keep = leader or self.leader.currentData()
        self.leader.blockSignals(True)
        self.leader.clear()
        for inspector_id, name in self.chosen_members():
            self.leader.addItem(name, inspector_id)
        self.leader.setCurrentIndex(max(0, self.leader.findData(keep)))
        self.leader.blockSignals(False)
        self._rebuild_division()

    def chosen_rubrics(self) -> list[str]:
        return [self.rubrics.item(r).data(ID_ROLE) for r in range(self.rubrics.count())
                if self.rubrics.item(r).checkState() == Qt.CheckState.Checked]

    def _rubric_toggled(self, item: QListWidgetItem) -> None:
        rubric_hash = item.data(ID_ROLE)
        if item.checkState() == Qt.CheckState.Checked and rubric_hash not in self._rubrics:
            self.runner.run(lambda: get_rubric(self.profile, rubric_hash), on_done=self._rubric_loaded,
                            on_error=self.failed.emit, label="rubric")
        else:
            self._rebuild_division()

    def _rubric_loaded(self, rubric: Rubric) -> None:
        self._rubrics[rubric.content_hash] = rubric
        self._rebuild_division()

    def _rebuild_division(self) -> None:
        """One row per top-level section of each chosen rubric; keeps choices already made."""
        kept = self.division_choices()
        members = self.chosen_members()
        rows = [(h, s) for h in self.chosen_rubrics() if h in self._rubrics for s in self._rubrics[h].sections]
        self.division.setRowCount(len(rows))
        many = len(self.chosen_rubrics()) > 1
        for row, (rubric_hash, section) in enumerate(rows):
            name = both_of(section.name)
            if many:
                name = f"{self._rubrics[rubric_hash].name.zh} › {name}"
            cell = QTableWidgetItem(f"{section.code}  {name}")
            cell.setData(ID_ROLE, (rubric_hash, section.code))
            self.division.setItem(row, 0, cell)
            combo = self.division.cellWidget(row, 1)
            if not isinstance(combo, QComboBox):
                combo = QComboBox(self.division)
                self.division.setCellWidget(row, 1, combo)
            # Refilled in place: replacing cell widgets would leave the old ones on screen
            # until the event loop deletes them.
            combo.clear()
            combo.addItem(self.tr("Whole team"), None)
            for inspector_id, member_name in members:
                combo.addItem(member_name, inspector_id)
            combo.setCurrentIndex(max(0, combo.findData(kept.get((rubric_hash, section.code)))))

    def division_choices(self) -> dict[tuple[str, str], str]:
        """(rubric hash, section code) -> inspector id, for the sections given to one member."""
        chosen = {}
        for row in range(self.division.rowCount()):
            cell, combo = self.division.item(row, 0), self.division.cellWidget(row, 1)
            if cell is not None and isinstance(combo, QComboBox) and combo.currentData():
                chosen[cell.data(ID_ROLE)] = combo.currentData()
        return chosen

    # --- creating ----------------------------------------------------------------------------

    def spec(self) -> NewVisit | None:
        """The visit to create, or None after saying what is missing."""
        if self.unit is None:
            self.error_label.setText(self.tr("Choose the unit to visit."))
            return None
        rubrics = self.chosen_rubrics()
        if not rubrics:
            self.error_label.setText(self.tr("Choose at least one rubric."))
            return None
        leader = self.leader.currentData()
        members = [(i, "leader" if i == leader else "member") for i, _ in self.chosen_members()]
        return NewVisit(
            unit_id=self.unit.id, visit_type=self.visit_type.currentData(),
            starts_on=self.starts_on.date().toString(Qt.DateFormat.ISODate),
            ends_on=self.ends_on.date().toString(Qt.DateFormat.ISODate), rubric_hashes=rubrics,
            team_id=self.team.currentData(), assignment_id=self.assignment.id if self.assignment else None,
            members=members, sections=self.division_choices(),
        )

    def create(self) -> None:
        spec = self.spec()
        if spec is None:
            return
        self.buttons.setEnabled(False)
        self.runner.run(lambda: create_visit(self.profile, spec), on_done=self._created,
                        on_error=self._not_created, label="create visit")

    def _created(self, result: object) -> None:
        self.created_visit_id = result.id  # type: ignore[attr-defined]
        self.accept()

    def _not_created(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        if isinstance(exc, FieldmarkError):
            self.error_label.setText(str(exc))
        else:
            self.failed.emit(exc)
