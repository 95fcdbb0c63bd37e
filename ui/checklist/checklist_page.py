"""The checklist page: section tree, item pane and live score for one visit.

Every edit is applied to the live Scorer on the UI thread (the score panel follows each key) and
saved through the task runner at once (text after a short pause). There is no Save button.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import FieldmarkError
from app.profile import Profile
from app.rubric import Answer, check_answer
from app.session import Position, save_position
from ui.checklist.answers import AnswerCommand, AnswerWriter, Draft
from ui.checklist.findings_panel import FindingsPanelWidget
from ui.checklist.item_pane import ItemPaneWidget
from ui.checklist.page_flows import PageFlowsMixin
from ui.checklist.score_panel import ScorePanelWidget
from ui.checklist.section_tree import SectionTreeModel, make_tree_view, size_columns
from ui.checklist.shortcuts import install_actions
from ui.checklist.signature_status import SignatureStatusWidget
from ui.checklist.style import page_style
from ui.checklist.visit_data import VisitData, load_visit
from ui.tasks import TaskRunner
from ui.widgets.geometry import SplitterMemory
from ui.widgets.i18n import format_date
from ui.widgets.text_size import text_size_changed

# Kinds whose editor is typed into, so quick successive edits merge into one undo step.
_TYPED_KINDS = frozenset({"points", "count", "indicator", "deduction", "text"})


class ChecklistPage(PageFlowsMixin, QWidget):
    visitChanged = Signal(str)  # after every saved change of the open visit
    closeRequested = Signal()
    # After the page has shown a visit (tests and the shell wait for it).
    visitOpened = Signal(str)
    # One answer is durable on disk: (rubric hash, item code).
    answerSaved = Signal(str, str)

    def __init__(self, profile: Profile, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("checklistPage")
        self.setStyleSheet(page_style())
        text_size_changed().connect(self._text_size_changed)
        self.profile, self.runner = profile, runner
        self.data: VisitData | None = None
        self.drafts: dict[tuple[str, str], Draft] = {}
        self.current: tuple[str, str] | None = None
        self.undo_stack = QUndoStack(self)
        self.writer = AnswerWriter(self, runner, profile, self._saved, self.show_save_state)
        self.dialog: QWidget | None = None  # the open dialog, if any (dialogs are non-blocking)
        self.print_dialog: QWidget | None = None  # the on-site print's preview, once opened

        self.title = QLabel()
        self.title.setObjectName("visitTitle")
        self.state = QLabel()
        self.state.setObjectName("visitState")
        self.saved = QLabel()
        self.saved.setObjectName("savedState")
        self.saved.setWordWrap(True)
        self.retry_button = QPushButton(self.tr("&Retry saving"))
        self.retry_button.setObjectName("retrySave")
        self.retry_button.clicked.connect(self.writer.retry)
        self.retry_button.hide()
        self.header = QHBoxLayout()
        self.header.setContentsMargins(12, 8, 12, 8)
        self.header.addWidget(self.title)
        self.header.addWidget(self.state)
        self.header.addStretch(1)
        self.header.addWidget(self.saved)
        self.header.addWidget(self.retry_button)

        self.model = SectionTreeModel(self)
        self.tree = make_tree_view(self.model)
        self.tree.selectionModel().currentChanged.connect(self._tree_current)
        self.pane = ItemPaneWidget()
        self.pane.edited.connect(self._edited)
        self.pane.tabbedOut.connect(self._tabbed_out)
        self.prev_button = QPushButton(self.tr("Previous"))
        self.next_button = QPushButton(self.tr("Next"))
        self.next_open_button = QPushButton(self.tr("Next unanswered"))
        nav = QHBoxLayout()
        nav.setContentsMargins(20, 0, 20, 10)
        for button in (self.prev_button, self.next_button, self.next_open_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # reached by their shortcuts
            nav.addWidget(button)
        nav.addStretch(1)
        centre = QWidget()
        cbox = QVBoxLayout(centre)
        cbox.setContentsMargins(0, 0, 0, 0)
        cbox.addWidget(self.pane, 1)
        cbox.addLayout(nav)

        self.score = ScorePanelWidget()
        self.findings = FindingsPanelWidget()
        right = QWidget()
        right.setObjectName("rightColumn")
        rbox = QVBoxLayout(right)
        rbox.setContentsMargins(8, 8, 8, 8)
        self.signature_status = SignatureStatusWidget()
        rbox.addWidget(self.score)
        rbox.addWidget(self.signature_status)
        rbox.addWidget(self.findings, 1)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.tree)
        self.splitter.addWidget(centre)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 4)
        self.splitter.setStretchFactor(1, 5)
        self.splitter.setStretchFactor(2, 3)
        self.splitter.setSizes([390, 580, 300])  # a wide tree: item names need the room
        self.splitter.setChildrenCollapsible(False)
        SplitterMemory(self.splitter, "ChecklistPage")  # a tree the inspector widened stays wide
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addLayout(self.header)
        box.addWidget(self.splitter, 1)

        self.actions_by_name = install_actions(self)
        self.action_buttons: dict[str, QToolButton] = {}
        for name in ("gap_check", "sign_leader", "sign_head", "finalize", "print_copies", "amend", "audit", "close"):
            button = QToolButton()
            button.setDefaultAction(self.actions_by_name[name])
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.header.addWidget(button)
            self.action_buttons[name] = button
        self.prev_button.clicked.connect(self.previous_item)
        self.next_button.clicked.connect(self.next_item)
        self.next_open_button.clicked.connect(self.next_unanswered)
        self.connect_flows()

    def _text_size_changed(self) -> None:
        # Titles and the score are sized in points, the tree's number columns from the font.
        self.setStyleSheet("")
        self.setStyleSheet(page_style())
        size_columns(self.tree)

    # --- opening a visit ----------------------------------------------------------------------

    def open_visit(self, visit_id: str, rubric_hash: str | None = None, item_code: str | None = None) -> None:
        self.writer.flush()
        profile = self.profile
        self.runner.run(lambda: load_visit(profile, visit_id),
                        on_done=lambda data: self._loaded(data, rubric_hash, item_code),
                        on_error=self.show_error, label="open visit")

    def _loaded(self, data: VisitData, rubric_hash: str | None, item_code: str | None) -> None:
        if self.data is None or self.data.visit.id != data.visit.id:
            self.undo_stack.clear()
        self.data = data
        self.writer.visit_id = data.visit.id
        self.drafts = {key: Draft.of(r, *key) for key, r in data.responses.items()}
        self.model.load(data.rubrics, {h: s.result for h, s in data.scorers.items()})
        self.tree.expandAll()
        visit = data.visit
        self.title.setText(self.tr("{unit} · {date}").format(unit=visit.unit_name, date=format_date(visit.starts_on)))
        self.state.setText(self.status_text(visit.status))
        self.state.setProperty("locked", visit.locked)
        self.state.style().polish(self.state)
        self.show_save_state()
        self.pane.set_read_only(visit.locked)
        self.findings.set_read_only(visit.locked)
        # The item shown belonged to the previous visit: forget it before the panels redraw.
        self.current = None
        self.update_actions()
        self.show_side()
        key = (rubric_hash, item_code) if rubric_hash and item_code else None
        if key is None and item_code:
            key = next((k for k in self.model.order if k[1] == item_code), None)
        if key not in self.model.order:
            key = self._next_open(-1) or (self.model.order[0] if self.model.order else None)
        if key is not None:
            self.go_to(*key)
            if self.isVisible():
                self.pane.focus_entry()  # ready for typing the first answer
        self.visitOpened.emit(visit.id)

    @property
    def read_only(self) -> bool:
        return self.data is None or self.data.visit.locked

    # --- navigation ---------------------------------------------------------------------------

    def go_to(self, rubric_hash: str, item_code: str) -> None:
        index = self.model.index_of(rubric_hash, item_code)
        if index.isValid():
            self.tree.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
            self.tree.scrollTo(index)

    def _tree_current(self, index: QModelIndex, _previous: QModelIndex) -> None:
        key = self.model.key_of(index)
        if key is None or key == self.current or self.data is None:
            return
        self.writer.flush()  # the text typed into the item being left is saved now
        self.current = key
        rubric_hash, code = key
        item = self.data.rubrics[rubric_hash].items[code]
        result = self.data.scorers[rubric_hash].result
        vetoes = [v for v in self.data.rubrics[rubric_hash].vetoes if v.item == code]
        self.pane.show_item(item, self.model.path_text(rubric_hash, code), self.draft_of(key), result,
                            self.read_only, vetoes)
        self.score.set_result(result, self.missing_signatures())
        self.pane.photos.reset()
        self.load_photos()
        profile, position = self.profile, Position(self.data.visit.id, rubric_hash, code)
        self.runner.run(lambda: save_position(profile, position), on_error=self.show_error, label="position")

    def draft_of(self, key: tuple[str, str]) -> Draft:
        return self.drafts.get(key) or Draft(*key)

    def _step(self, delta: int) -> None:
        order = self.model.order
        if not order:
            return
        k = order.index(self.current) if self.current in order else -delta
        self.go_to(*order[(k + delta) % len(order)])

    def next_item(self) -> None:
        self._step(1)

    def previous_item(self) -> None:
        self._step(-1)

    def _next_open(self, start: int, delta: int = 1) -> tuple[str, str] | None:
        """The next item still needing an answer (wrapping around), or None when all are done."""
        if self.data is None:
            return None
        order = self.model.order
        for step in range(1, len(order) + 1):
            key = order[(start + delta * step) % len(order)]
            item_result = self.data.scorers[key[0]].result.items.get(key[1])
            if item_result is not None and not item_result.answered and not item_result.na:
                return key
        return None

    def next_unanswered(self, delta: int = 1) -> None:
        order = self.model.order
        start = order.index(self.current) if self.current in order else -1
        key = self._next_open(start, delta)
        if key is not None:
            self.go_to(*key)
            self.pane.focus_entry()

    def focus_entry(self) -> None:
        self.pane.focus_entry()

    def _tabbed_out(self, forward: bool) -> None:
        """Tab past an item's last field opens the next item at its answer; Shift+Tab, the one
        before at its last field."""
        self._step(1 if forward else -1)
        if forward:
            self.pane.focus_entry()
        else:
            self.pane.focus_last()

    # --- answering ----------------------------------------------------------------------------

    def _edited(self, draft: Draft, debounce: bool) -> None:
        if self.data is None or self.read_only:
            return
        item = self.data.rubrics[draft.rubric_hash].items[draft.item_code]
        if draft.value is not None and not draft.na:
            try:
                check_answer(item, draft.value)
            except FieldmarkError as exc:
                self.pane.show_error(str(exc))
                return
        old = self.draft_of(draft.key)
        self.undo_stack.push(AnswerCommand(self.apply_draft, old, draft,
                                           self.tr("Answer {code}").format(code=draft.item_code), debounce,
                                           typing=debounce or item.kind in _TYPED_KINDS))

    def apply_draft(self, draft: Draft, show: bool, debounce: bool) -> None:
        """Make ``draft`` the item's answer: score it, show it, save it (edits, undo and redo)."""
        if self.data is None:
            return
        scorer = self.data.scorers[draft.rubric_hash]
        previous = scorer.answers.get(draft.item_code)
        answer = Answer(value=None if draft.na else draft.value, na=draft.na,
                        reason=draft.reason or None, photos=previous.photos if previous else 0)
        result = scorer.set_answer(draft.item_code, answer)
        self.drafts[draft.key] = draft
        if show:
            self.go_to(*draft.key)
            if self.current == draft.key:
                self.pane.set_draft(draft)
        self.model.set_result(draft.rubric_hash, result, draft.item_code)
        self.score.set_result(result, self.missing_signatures())
        if self.current == draft.key:
            self.pane.update_result(result)
        self.writer.save(draft, debounce=debounce)

    def _saved(self, draft: Draft) -> None:
        self.answerSaved.emit(draft.rubric_hash, draft.item_code)
        if self.data is not None:
            self.visitChanged.emit(self.data.visit.id)

    def show_save_state(self) -> None:
        """Say in words whether every edit is on disk; a failed save stays visible until it succeeds."""
        writer = self.writer
        visit_id = self.data.visit.id if self.data is not None else ""
        self.model.set_unsaved(writer.failed_keys(visit_id))
        failed = len(writer.failed)
        if failed:
            error = writer.last_error
            text = self.tr("Not saved: %n answer(s).", "", failed)
            if error is not None:
                text += " " + self.save_error_text(error)
            if writer.retry_timer.isActive():
                text += " " + self.tr("Trying again in %n second(s).", "",
                                      max(1, round(writer.retry_timer.remainingTime() / 1000)))
            self.saved.setText(text)
            self.saved.setProperty("error", True)
        else:
            self.saved.setText(self.tr("Saving…") if writer.busy else self.tr("All changes saved"))
            self.saved.setProperty("error", False)
        self.retry_button.setVisible(bool(failed))
        self.saved.style().polish(self.saved)

    def flush(self) -> None:
        """Save typed text now (the shell calls this before leaving the page or quitting)."""
        self.writer.flush()

    def save_error_text(self, error: BaseException) -> str:
        """Why a save failed, in the interface's language when the cause is a known one."""
        cause = getattr(error, "cause", None)
        words = {
            "full": self.tr("The disk is full: free some space."),
            "read_only": self.tr("The data folder is read-only."),
            "busy": self.tr("The database is busy."),
            "io": self.tr("The disk could not be written."),
        }
        return words.get(cause, str(error)) if isinstance(cause, str) else str(error)

    def unsaved(self) -> tuple[int, BaseException | None]:
        """How many answers are not on disk, and the last save error (the shell asks at closing)."""
        writer = self.writer
        return len(writer.failed) + (1 if writer.busy else 0), writer.last_error

    def retry_saves(self) -> None:
        self.writer.retry()

    def abandon_unsaved(self) -> None:
        """Quitting without the answers that could not be saved: they go to the log file."""
        self.writer.give_up()
