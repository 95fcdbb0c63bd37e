"""The item pane: the item's text and guidance, its answer editor, N/A, reason, evidence and note."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QKeyCombination,
    QMimeData,
    QObject,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedLayout,
    QVBoxLayout,
    QWidget,
)

from app.models import EVIDENCE_METHODS
from app.rubric import Item, ScoreResult, Veto
from ui.checklist.answers import Draft
from ui.checklist.editors import AnswerEditorWidget, make_editor
from ui.checklist.photo_strip import PhotoStripWidget
from ui.checklist.style import TOUCH_PX
from ui.checklist.text import label_text, number
from ui.widgets.flow_layout import FlowLayout

_REDO_SHIFT_Z = QKeySequence(QKeyCombination(Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier, Qt.Key.Key_Z))


def method_names() -> dict[str, str]:
    """The evidence methods (查阅资料, 实地察看, 座谈, 问卷, 抽查 in the Chinese translation)."""
    return {
        "documents": QCoreApplication.translate("ItemPaneWidget", "Documents"),
        "site": QCoreApplication.translate("ItemPaneWidget", "Site visit"),
        "interview": QCoreApplication.translate("ItemPaneWidget", "Interview"),
        "questionnaire": QCoreApplication.translate("ItemPaneWidget", "Questionnaire"),
        "spot_check": QCoreApplication.translate("ItemPaneWidget", "Spot check"),
    }


def veto_text(veto: Veto) -> str:
    """What failing a veto item means, in the interface language (一票否决 stays as the term)."""
    if veto.effect == "cap_band":
        text = QCoreApplication.translate(
            "ItemPaneWidget", "Veto item (一票否决): if “{label}”, the grade is capped, whatever the score.")
    else:
        text = QCoreApplication.translate(
            "ItemPaneWidget", "Veto item (一票否决): if “{label}”, the visit fails, whatever the score.")
    return text.format(label=label_text(veto.label))


class ItemPaneWidget(QWidget):
    """Shows one item; every change the inspector makes leaves as ``edited(draft, debounce)``."""

    edited = Signal(object, bool)
    filesDropped = Signal(list)
    # Tab past the item's last field (True), or Shift+Tab before its first (False).
    tabbedOut = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.item: Item | None = None
        self.draft: Draft | None = None
        self.editor: AnswerEditorWidget | None = None
        self._read_only = False
        self._loading = False

        # Labels wrap: with large text an unwrapped line would widen the pane past the screen.
        self.where = QLabel()
        self.where.setObjectName("itemWhere")
        self.where.setWordWrap(True)
        self.title = QLabel()
        self.title.setObjectName("itemTitle")
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.guidance = QLabel()
        self.guidance.setObjectName("itemGuidance")
        self.guidance.setWordWrap(True)
        self.meta = QLabel()
        self.meta.setObjectName("itemMeta")
        self.meta.setWordWrap(True)
        self.veto_note = QLabel()
        self.veto_note.setObjectName("vetoNote")
        self.veto_note.setWordWrap(True)
        self.veto_note.setTextFormat(Qt.TextFormat.PlainText)
        self.veto_note.hide()
        self.vetoes: tuple[Veto, ...] = ()
        self.award = QLabel()
        self.award.setObjectName("itemAward")
        self.award.setWordWrap(True)

        self.editor_box = QVBoxLayout()
        self.na = QCheckBox(self.tr("Not &applicable"))
        self.na.toggled.connect(self._na_toggled)
        self.clear = QPushButton(self.tr("C&lear answer"))
        self.clear.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Alt+L; Tab goes on to the reason
        self.clear.clicked.connect(self._clear)
        tools = QHBoxLayout()
        tools.addWidget(self.na)
        tools.addStretch(1)
        tools.addWidget(self.clear)

        self.reason_frame = QFrame()
        self.reason_frame.setObjectName("reasonFrame")
        self.reason_label = QLabel()
        self.reason_label.setWordWrap(True)
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("reasonEdit")
        self.reason_label.setBuddy(self.reason)
        self._setup_text(self.reason, 60)
        self.reason.textChanged.connect(lambda: self._text_edited("reason", self.reason))
        reason_box = QVBoxLayout(self.reason_frame)
        reason_box.addWidget(self.reason_label)
        reason_box.addWidget(self.reason)
        # The reason box takes the place of a quiet hint, never room of its own: what is below it
        # (note, methods, photos) stays where the pointer is aiming when an award drops.
        self.reason_hint = QLabel(self.tr("A reason is asked for when the award is below the maximum."))
        self.reason_hint.setObjectName("reasonHint")
        self.reason_hint.setWordWrap(True)
        self.reason_hint.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.reason_place = QWidget()
        self.reason_stack = QStackedLayout(self.reason_place)
        self.reason_stack.addWidget(self.reason_hint)
        self.reason_stack.addWidget(self.reason_frame)

        self.chips: dict[str, QPushButton] = {}
        chip_row = FlowLayout(spacing=6)  # wraps with large text instead of widening the pane
        for code, text in method_names().items():
            chip = QPushButton(text)
            chip.setObjectName("chip")
            chip.setMinimumHeight(TOUCH_PX)
            chip.setCheckable(True)
            chip.toggled.connect(self._methods_changed)
            self.chips[code] = chip
            chip_row.addWidget(chip)
        self.evidence_label = QLabel(self.tr("Evidence from:"))

        self.note_label = QLabel(self.tr("N&ote:"))
        self.note = QPlainTextEdit()
        self.note.setObjectName("noteEdit")
        self.note.setPlaceholderText(self.tr("What you saw, who you talked to"))
        self.note_label.setBuddy(self.note)
        self._setup_text(self.note, 70)
        self.note.textChanged.connect(lambda: self._text_edited("note", self.note))

        self.photos = PhotoStripWidget()

        self.locked_hint = QLabel(self.tr("This visit is finalized: its answers cannot be edited here. "
                                          "Use Amend to change one, with a reason."))
        self.locked_hint.setObjectName("lockedHint")
        self.locked_hint.setWordWrap(True)
        self.locked_hint.hide()

        self.error = QLabel()
        self.error.setObjectName("itemError")
        self.error.setWordWrap(True)
        self.error.hide()

        body = QWidget()
        box = QVBoxLayout(body)
        box.setContentsMargins(20, 16, 20, 16)
        box.setSpacing(10)
        for w in (self.where, self.title, self.veto_note, self.guidance, self.meta):
            box.addWidget(w)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setObjectName("rule")
        box.addWidget(line)
        box.addWidget(self.award)
        box.addWidget(self.locked_hint)
        # Top to bottom in the order Tab takes: answer, reason, note, methods, photos.
        box.addLayout(self.editor_box)
        box.addLayout(tools)
        box.addWidget(self.error)
        box.addWidget(self.reason_place)
        box.addWidget(self.note_label)
        box.addWidget(self.note)
        box.addWidget(self.evidence_label)
        box.addLayout(chip_row)
        box.addWidget(self.photos)
        box.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.scroll)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAcceptDrops(True)  # photos dropped anywhere on the item attach to it

    def _setup_text(self, edit: QPlainTextEdit, height: int) -> None:
        edit.setTabChangesFocus(True)
        edit.setUndoRedoEnabled(False)  # the page's undo stack owns Ctrl+Z
        edit.setFixedHeight(height)
        edit.installEventFilter(self)

    # --- showing an item -------------------------------------------------------------------

    def show_item(self, item: Item, where: str, draft: Draft, score: ScoreResult | None, read_only: bool,
                  vetoes: Sequence[Veto] = ()) -> None:
        """Show ``item`` with its answer ``draft``; ``vetoes`` are the rubric's vetoes on this item."""
        self.item = item
        self.vetoes = tuple(vetoes)
        self._read_only = read_only
        self.where.setText(where)
        self.title.setText(f"{item.code}  {label_text(item.text)}")
        self.guidance.setText(label_text(item.guidance))
        self.guidance.setVisible(item.guidance is not None)
        self.veto_note.setText("\n".join(veto_text(v) for v in self.vetoes))
        self.veto_note.setVisible(bool(self.vetoes))
        # A veto check carries no points: "maximum 0 pts" would say nothing true about it.
        bits = [] if self.vetoes and not item.maximum else [
            self.tr("Maximum {points} pts").format(points=number(item.maximum))]
        if item.evidence:
            names = method_names()
            bits.append(self.tr("Expected evidence: {methods}").format(
                methods=self.tr(", ").join(names[m] for m in item.evidence)))
        if item.photo_required:
            bits.append(self.tr("Photo required"))
        if not item.required:
            bits.append(self.tr("Optional"))
        self.meta.setText(" · ".join(bits))
        # Moving item to item from the keyboard keeps typing in the next item's entry.
        had_focus = self.editor is not None and self.editor.isAncestorOf(QApplication.focusWidget())
        if self.editor is not None:
            self.editor.setParent(None)
            self.editor.deleteLater()
        self.editor = make_editor(item, self, self.vetoes)
        self.editor.valueEdited.connect(self._value_edited)
        self.editor_box.addWidget(self.editor)
        self.editor.show()  # now, not at the next turn of the event loop: Tab may come first
        for child in self.editor.findChildren(QAbstractSpinBox) + self.editor.findChildren(QPlainTextEdit):
            child.installEventFilter(self)
        self.na.setVisible(item.na_allowed)
        for code, chip in self.chips.items():
            chip.setProperty("expected", code in item.evidence)
            chip.style().polish(chip)
        self.error.hide()
        self.set_draft(draft)
        self.update_result(score)
        if had_focus:
            self.focus_entry()

    def set_draft(self, draft: Draft) -> None:
        """Show ``draft`` without emitting edits (opening an item, undo, redo)."""
        assert self.editor is not None
        self._loading = True
        try:
            self.draft = draft
            self.editor.set_value(None if draft.na else draft.value)
            self.na.setChecked(draft.na)
            for code, chip in self.chips.items():
                chip.setChecked(code in draft.methods)
            for edit, text in ((self.note, draft.note), (self.reason, draft.reason)):
                if edit.toPlainText() != text:
                    edit.setPlainText(text)
            self._apply_read_only()
        finally:
            self._loading = False

    def _apply_read_only(self) -> None:
        # A finalized visit's editors are disabled, not merely deaf: they look it, and the line
        # above them says why and what to do instead.
        ro = self._read_only
        if self.editor is not None:
            self.editor.set_read_only(self.na.isChecked())
            self.editor.setEnabled(not ro)
        self.na.setEnabled(not ro)
        self.clear.setEnabled(not ro)
        for chip in self.chips.values():
            chip.setEnabled(not ro)
        for edit in (self.note, self.reason):
            edit.setReadOnly(ro)
            edit.setEnabled(not ro)
        self.photos.set_read_only(ro)
        self.locked_hint.setVisible(ro)

    def update_result(self, score: ScoreResult | None) -> None:
        """Show what the scorer makes of the item's answer: award, reason asked, veto."""
        item, draft = self.item, self.draft
        if item is None or draft is None:
            return
        result = score.items.get(item.code) if score is not None else None
        indicator = next((r for r in score.indicators if r.code == item.code), None) if score is not None else None
        hits = [v for v in score.vetoes if v.item == item.code] if score is not None else []
        vetoed = bool(hits)
        veto_check = bool(self.vetoes) and not item.maximum
        if draft.na:
            text = self.tr("Not applicable: left out of the maximum")
        elif result is None or not result.answered:
            text = self.tr("Not answered yet") if veto_check else \
                self.tr("Not answered yet · maximum {max}").format(max=number(item.maximum))
        elif hits:
            veto = self.tr("this vetoes the visit (一票否决)") if any(h.effect == "fail" for h in hits) \
                else self.tr("the grade is capped (一票否决)")
            text = self.tr("Failed: {veto}").format(veto=veto) if veto_check else \
                self.tr("Score {awarded} / {max} · {veto}").format(
                    awarded=number(result.awarded), max=number(result.maximum), veto=veto)
        elif veto_check:
            text = self.tr("Passed: no veto")
        else:
            text = self.tr("Score {awarded} / {max}").format(awarded=number(result.awarded), max=number(result.maximum))
        self.award.setText(text)
        self.award.setProperty("vetoed", vetoed)
        self.award.style().polish(self.award)
        below = (result is not None and result.answered and not draft.na
                 and result.awarded < result.maximum)
        self.reason_stack.setCurrentWidget(self.reason_frame if below or draft.reason else self.reason_hint)
        # The scorer's gap rule decides, as it does for the tree, the gap check and the paper:
        # the box says "required" exactly when a missing reason is a gap of this item.
        if item.reason_below_max:
            self.reason_label.setText(self.tr("The award is below the maximum. &Reason (required):"))
            self.reason.setPlaceholderText(self.tr("What was missing or wrong (required for the gap check)"))
        else:
            self.reason_label.setText(self.tr("The award is below the maximum. &Reason (optional):"))
            self.reason.setPlaceholderText(self.tr("What was missing or wrong"))
        self.reason_frame.setProperty("needed", result is not None and "no_reason" in result.gaps)
        self.reason_frame.style().polish(self.reason_frame)
        if self.editor is not None:
            self.editor.show_result(indicator)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def focus_entry(self) -> None:
        if self.editor is not None and self.editor.isEnabled():
            self.editor.focus_entry()

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        self._apply_read_only()

    # --- edits --------------------------------------------------------------------------------

    def _push(self, draft: Draft, debounce: bool) -> None:
        if self._loading or self._read_only or self.draft is None or draft == self.draft:
            return
        self.draft = draft
        self.error.hide()
        self.edited.emit(draft, debounce)

    def _value_edited(self, value: object) -> None:
        if self.draft is not None and self.editor is not None:
            self._push(self.draft.but(value=value, na=False), self.editor.debounce)

    def _na_toggled(self, on: bool) -> None:
        if self.draft is None:
            return
        self._apply_read_only()
        value = None if on else self.draft.value
        self._push(self.draft.but(na=on, value=value), False)

    def _clear(self) -> None:
        if self.draft is not None:
            self._push(self.draft.but(value=None, na=False), False)
            self.set_draft(self.draft)
            QTimer.singleShot(0, self.focus_entry)

    def _methods_changed(self) -> None:
        if self.draft is not None:
            methods = tuple(m for m in EVIDENCE_METHODS if self.chips[m].isChecked())
            self._push(self.draft.but(methods=methods), False)

    def _text_edited(self, field: str, edit: QPlainTextEdit) -> None:
        if self.draft is not None:
            self._push(self.draft.but(**{field: edit.toPlainText()}), True)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if not self._read_only and event.mimeData().hasUrls() and self._paths(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = self._paths(event.mimeData())
        if paths and not self._read_only:
            event.acceptProposedAction()
            self.filesDropped.emit(paths)

    @staticmethod
    def _paths(mime: QMimeData) -> list[str]:
        return [url.toLocalFile() for url in mime.urls() if url.isLocalFile()]

    # --- keyboard ------------------------------------------------------------------------------

    def tab_chain(self) -> list[QWidget]:
        """The item's fields in Tab order: answer, reason, note, methods, photos."""
        chain = self.editor.tab_stops() if self.editor is not None else []
        chain += [self.na, self.reason, self.note, *self.chips.values(), *self.photos.tab_stops()]
        return [w for w in chain if w.isVisibleTo(self) and w.isEnabled()]

    def focus_last(self) -> None:
        chain = self.tab_chain()
        if chain:
            chain[-1].setFocus(Qt.FocusReason.BacktabFocusReason)

    def focusNextPrevChild(self, forward: bool) -> bool:
        # Tab and Shift+Tab from any widget of the pane land here (Qt asks each parent in turn):
        # they walk the item's fields, then go on to the next or the previous item, never out
        # of the pane to the section tree or the list of views.
        chain = self.tab_chain()
        focused = QApplication.focusWidget()
        at = next((k for k, w in enumerate(chain) if w is focused or w.isAncestorOf(focused)), None)
        if at is None and not self.isAncestorOf(focused):
            return super().focusNextPrevChild(forward)
        k = (at + (1 if forward else -1)) if at is not None else (0 if forward else len(chain) - 1)
        if 0 <= k < len(chain):
            chain[k].setFocus(Qt.FocusReason.TabFocusReason if forward else Qt.FocusReason.BacktabFocusReason)
            self.scroll.ensureWidgetVisible(chain[k])
        else:
            self.tabbedOut.emit(forward)
        return True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Text fields claim Ctrl+Z for their own undo; leave it to the page's undo stack instead,
        # which undoes whole answers and saves the result.
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            if (event.matches(QKeySequence.StandardKey.Undo) or event.matches(QKeySequence.StandardKey.Redo)
                    or QKeySequence(event.keyCombination()) == _REDO_SHIFT_Z):
                return True
        return super().eventFilter(watched, event)
