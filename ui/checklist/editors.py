"""One answer editor per item kind. Each emits ``valueEdited`` on user edits only.

Unanswered is a real state, distinct from 0: spin boxes keep one step below their minimum as a
"—" special value, radio groups start with nothing checked.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QButtonGroup,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.rubric import IndicatorResult, Item, Veto
from ui.checklist.style import TOUCH_PX
from ui.checklist.text import json_number, label_text, number


def _places(step: Decimal) -> int:
    exp = step.normalize().as_tuple().exponent
    return max(0, -exp) if isinstance(exp, int) else 0


class AnswerEditorWidget(QWidget):
    """Base: ``set_value`` shows a stored value without emitting; edits emit ``valueEdited``."""

    valueEdited = Signal(object)
    # Text editors save after a pause in typing rather than on every key.
    debounce = False

    def __init__(self, item: Item, parent: QWidget | None = None, vetoes: Sequence[Veto] = ()) -> None:
        super().__init__(parent)
        self.item = item
        self.vetoes = tuple(vetoes)  # the rubric's vetoes on this item
        self._loading = False

    def set_value(self, value: Any) -> None:
        self._loading = True
        try:
            self._show(value)
        finally:
            self._loading = False

    # Each editor kind shows a stored value in its own widgets (every subclass defines it).
    _show: Callable[[Any], None]

    def _emit(self, value: Any) -> None:
        if not self._loading:
            self.valueEdited.emit(value)

    def focus_entry(self) -> None:
        self.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def tab_stops(self) -> list[QWidget]:
        """The editor's fields in Tab order (the item pane walks them, then the reason)."""
        return [w for w in self.findChildren(QWidget) if w.focusPolicy() & Qt.FocusPolicy.TabFocus
                and not isinstance(w.parentWidget(), QAbstractSpinBox)]

    def set_read_only(self, read_only: bool) -> None:
        for child in self.findChildren(QAbstractSpinBox):
            child.setReadOnly(read_only)
        for child in self.findChildren(QPlainTextEdit):
            child.setReadOnly(read_only)
        for child in self.findChildren(QRadioButton) + self.findChildren(QPushButton) + self.findChildren(QToolButton):
            child.setEnabled(not read_only)

    def show_result(self, indicator: IndicatorResult | None) -> None:
        """The scorer's view of the current value (indicators show their computed rate)."""


def _blank_spin(lo: float, hi: float, step: float, places: int) -> QDoubleSpinBox:
    spin = QDoubleSpinBox()
    spin.setDecimals(places)
    spin.setRange(lo - step, hi)
    spin.setSingleStep(step)
    spin.setSpecialValueText("—")  # the value one step below the range means "not entered"
    spin.setValue(lo - step)
    spin.setAccelerated(True)
    spin.setMinimumWidth(110)
    spin.setAlignment(Qt.AlignmentFlag.AlignRight)
    return spin


class PointsEditorWidget(AnswerEditorWidget):
    def __init__(self, item: Item, parent: QWidget | None = None, vetoes: Sequence[Veto] = ()) -> None:
        super().__init__(item, parent, vetoes)
        self._lo, self._hi, self._step = item.min, item.max or Decimal(0), item.step
        self.entry = _blank_spin(float(self._lo), float(self._hi), float(self._step), _places(self._step))
        self.entry.setSuffix(self.tr(" pts"))
        self.entry.valueChanged.connect(self._changed)
        self.entry.editingFinished.connect(self._snap)
        self.hint = QLabel(self.tr("{lo} to {hi} points, in steps of {step}").format(
            lo=number(self._lo), hi=number(self._hi), step=number(self._step)))
        self.hint.setObjectName("hint")
        self.hint.setWordWrap(True)
        grid = QHBoxLayout()
        grid.setSpacing(4)
        for value in self._quick_values():
            button = QToolButton()
            button.setText(number(value))
            button.setMinimumSize(TOUCH_PX + 8, TOUCH_PX)
            # The spin box is the keyboard path; the grid is for mouse and touch.
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _=False, v=value: self._pick(v))
            grid.addWidget(button)
        grid.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.entry)
        row.addWidget(self.hint, 1)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addLayout(row)
        box.addLayout(grid)

    def _quick_values(self) -> list[Decimal]:
        n = int((self._hi - self._lo) / self._step)
        if n <= 10:
            return [self._lo + self._step * k for k in range(n + 1)]
        picks = {self._lo + self._step * round(n * k / 5) for k in range(6)}
        return sorted(picks)

    def _on_grid(self, value: Decimal) -> bool:
        return (value - self._lo) % self._step == 0

    def _changed(self, raw: float) -> None:
        if raw < float(self._lo):
            self._emit(None)
            return
        value = Decimal(str(round(raw, 6)))
        self.hint.setProperty("error", not self._on_grid(value))
        self.hint.style().polish(self.hint)
        if self._on_grid(value):
            self._emit(json_number(raw))

    def _snap(self) -> None:
        raw = self.entry.value()
        if raw < float(self._lo):
            return
        value = Decimal(str(round(raw, 6)))
        if not self._on_grid(value):
            snapped = self._lo + self._step * round((value - self._lo) / self._step)
            self.entry.setValue(float(snapped))

    def _pick(self, value: Decimal) -> None:
        self.entry.setValue(float(value))
        self.entry.setFocus()

    def _show(self, value: Any) -> None:
        self.entry.setValue(float(self._lo - self._step) if value is None else float(value))

    def focus_entry(self) -> None:
        self.entry.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.entry.selectAll()


class CountEditorWidget(AnswerEditorWidget):
    def __init__(self, item: Item, parent: QWidget | None = None, vetoes: Sequence[Veto] = ()) -> None:
        super().__init__(item, parent, vetoes)
        self.entry = QSpinBox()
        self.entry.setRange(-1, item.max_count if item.max_count is not None else 99999)
        self.entry.setSpecialValueText("—")
        self.entry.setValue(-1)
        self.entry.setMinimumWidth(110)
        self.entry.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.entry.valueChanged.connect(lambda v: self._emit(None if v < 0 else v))
        text = self.tr("A whole number")
        if item.points_each is not None:
            text = self.tr("{each} points each, at most {max}").format(
                each=number(item.points_each), max=number(item.maximum))
        hint = QLabel(text)
        hint.setWordWrap(True)
        box = QHBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.entry)
        box.addWidget(hint, 1)

    def _show(self, value: Any) -> None:
        self.entry.setValue(-1 if value is None else int(value))

    def focus_entry(self) -> None:
        self.entry.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.entry.selectAll()


class ChoiceEditorWidget(AnswerEditorWidget):
    """Radio buttons: pass/fail, or one button per level with its points."""

    def __init__(self, item: Item, parent: QWidget | None = None, vetoes: Sequence[Veto] = ()) -> None:
        super().__init__(item, parent, vetoes)
        self.group = QButtonGroup(self)
        self._values: list[Any] = []
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        for value, text in self._choices():
            button = QRadioButton(text)
            self.group.addButton(button, len(self._values))
            self._values.append(value)
            box.addWidget(button)
        self.group.idClicked.connect(lambda k: self._emit(self._values[k]))
        # Arrow keys move the check in a radio group; toggled covers them as well as clicks.
        self.group.idToggled.connect(lambda k, on: on and not self._loading and self._emit(self._values[k]))

    def _emit(self, value: Any) -> None:
        if not self._loading and value != getattr(self, "_last", object()):
            self._last = value
            self.valueEdited.emit(value)

    def _choices(self) -> list[tuple[Any, str]]:
        item = self.item
        points = bool(item.maximum)  # a veto check without points shows none, never "(0 pts)"
        if item.kind == "passfail":
            choices = [(True, self.tr("Pass ({points} pts)").format(points=number(item.maximum)) if points
                        else self.tr("Pass")),
                       (False, self.tr("Fail (0 pts)") if points else self.tr("Fail"))]
        else:
            choices = [(lv.code, self.tr("{label} ({points} pts)").format(label=label_text(lv.label),
                                                                          points=number(lv.points)))
                       for lv in item.levels]
        # The answer that fires a veto says so where it is chosen, and what it does.
        out = []
        for value, text in choices:
            fired = [v for v in self.vetoes if v.condition == "equals" and v.operand == value]
            if any(v.effect == "fail" for v in fired):
                text = self.tr("{choice}: vetoes the visit (一票否决)").format(choice=text)
            elif fired:
                text = self.tr("{choice}: caps the grade (一票否决)").format(choice=text)
            out.append((value, text))
        return out

    def _show(self, value: Any) -> None:
        self._last = value
        self.group.setExclusive(False)  # an exclusive group cannot show "nothing chosen"
        for button in self.group.buttons():
            button.setChecked(value is not None and self._values[self.group.id(button)] == value)
        self.group.setExclusive(True)

    def focus_entry(self) -> None:
        checked = self.group.checkedButton() or self.group.buttons()[0]
        checked.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def tab_stops(self) -> list[QWidget]:
        # One stop for the group, as for any radio group: the arrow keys choose within it.
        return [self.group.checkedButton() or self.group.buttons()[0]]


class DeductionEditorWidget(AnswerEditorWidget):
    """A count per named deduction; "No deductions" records a full award explicitly."""

    def __init__(self, item: Item, parent: QWidget | None = None, vetoes: Sequence[Veto] = ()) -> None:
        super().__init__(item, parent, vetoes)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        self.spins: dict[str, QSpinBox] = {}
        for row, ded in enumerate(item.deductions):
            spin = QSpinBox()
            spin.setRange(0, ded.max_count if ded.max_count is not None else 999)
            spin.setMinimumWidth(80)
            spin.setAlignment(Qt.AlignmentFlag.AlignRight)
            spin.valueChanged.connect(self._changed)
            self.spins[ded.code] = spin
            label = QLabel(label_text(ded.label))
            label.setWordWrap(True)
            label.setBuddy(spin)
            grid.addWidget(label, row, 0)
            grid.addWidget(QLabel(self.tr("−{points} each").format(points=number(ded.points))), row, 1)
            grid.addWidget(spin, row, 2)
        self.none_button = QPushButton(self.tr("No deductions (full marks)"))
        self.none_button.clicked.connect(self._none)
        grid.addWidget(self.none_button, len(item.deductions), 0, 1, 3, Qt.AlignmentFlag.AlignLeft)
        grid.setColumnStretch(0, 1)

    def tab_stops(self) -> list[QWidget]:
        return [*self.spins.values(), self.none_button]

    def _counts(self) -> dict[str, int]:
        return {code: spin.value() for code, spin in self.spins.items() if spin.value()}

    def _changed(self, _: int) -> None:
        self._emit(self._counts())

    def _none(self) -> None:
        self.set_value({})
        self._emit({})

    def _show(self, value: Any) -> None:
        for code, spin in self.spins.items():
            spin.setValue(int((value or {}).get(code, 0)))

    def focus_entry(self) -> None:
        first = next(iter(self.spins.values()), None)
        if first is not None:
            first.setFocus(Qt.FocusReason.ShortcutFocusReason)
            first.selectAll()


class IndicatorEditorWidget(AnswerEditorWidget):
    """The raw numbers; the computed value against its target and any mismatch are shown below."""

    def __init__(self, item: Item, parent: QWidget | None = None, vetoes: Sequence[Veto] = ()) -> None:
        super().__init__(item, parent, vetoes)
        spec = item.indicator
        assert spec is not None
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        self.fields: dict[str, QDoubleSpinBox] = {}
        rows = [("numerator", label_text(spec.numerator))]
        if spec.denominator is not None:
            rows.append(("denominator", label_text(spec.denominator)))
        rows.append(("reported", self.tr("Value reported by the unit (optional)")))
        for row, (key, text) in enumerate(rows):
            spin = _blank_spin(0, 10**9, 1, 2)
            spin.valueChanged.connect(self._changed)
            self.fields[key] = spin
            label = QLabel(text)
            label.setWordWrap(True)
            label.setBuddy(spin)
            grid.addWidget(label, row, 0)
            grid.addWidget(spin, row, 1)
        unit = "%" if spec.rate and spec.denominator is not None else ""
        self._unit = unit
        self.target = QLabel(self.tr("Target: {cmp} {target}{unit}").format(
            cmp=spec.comparator.replace(">=", "≥").replace("<=", "≤"), target=number(spec.target), unit=unit))
        self.status = QLabel()
        self.status.setObjectName("indicatorStatus")
        self.status.setWordWrap(True)
        grid.addWidget(self.target, len(rows), 0, 1, 2)
        grid.addWidget(self.status, len(rows) + 1, 0, 1, 2)
        grid.setColumnStretch(0, 1)

    def _number(self, key: str) -> int | float | None:
        spin = self.fields.get(key)
        if spin is None or spin.value() < 0:
            return None
        return json_number(spin.value())

    def _changed(self, _: float) -> None:
        value = {k: self._number(k) for k in self.fields}
        needed = [k for k in self.fields if k != "reported"]
        if any(value[k] is None for k in needed):
            self._emit(None)  # not complete yet: the item stays unanswered
            return
        self._emit({k: v for k, v in value.items() if v is not None})

    def _show(self, value: Any) -> None:
        for key, spin in self.fields.items():
            v = (value or {}).get(key)
            spin.setValue(-1 if v is None else float(v))

    def show_result(self, indicator: IndicatorResult | None) -> None:
        if indicator is None:
            self.status.setText(self.tr("Enter the numbers to compute the value."))
            self.status.setProperty("state", "")
        else:
            if indicator.value is None:
                text = self.tr("Cannot be computed (the denominator is 0): not met.")
            elif indicator.met:
                text = self.tr("Computed: {value}{unit}, meets the target.").format(value=number(indicator.value.quantize(Decimal("0.01"))), unit=self._unit)
            else:
                text = self.tr("Computed: {value}{unit}, below the target.").format(value=number(indicator.value.quantize(Decimal("0.01"))), unit=self._unit)
            if indicator.mismatch and indicator.reported is not None:
                text += "\n" + self.tr("Mismatch: the unit reported {reported}{unit}.").format(
                    reported=number(indicator.reported), unit=self._unit)
            self.status.setText(text)
            self.status.setProperty("state", "met" if indicator.met and not indicator.mismatch else "warn")
        self.status.style().polish(self.status)

    def focus_entry(self) -> None:
        spin = self.fields["numerator"]
        spin.setFocus(Qt.FocusReason.ShortcutFocusReason)
        spin.selectAll()


class TextEditorWidget(AnswerEditorWidget):
    debounce = True

    def __init__(self, item: Item, parent: QWidget | None = None, vetoes: Sequence[Veto] = ()) -> None:
        super().__init__(item, parent, vetoes)
        self.entry = QPlainTextEdit()
        self.entry.setTabChangesFocus(True)
        self.entry.setUndoRedoEnabled(False)  # the page's undo stack owns undo
        self.entry.setMinimumHeight(90)
        self.entry.textChanged.connect(lambda: self._emit(self.entry.toPlainText() or None))
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.entry)

    def _show(self, value: Any) -> None:
        if self.entry.toPlainText() != (value or ""):
            self.entry.setPlainText(value or "")

    def focus_entry(self) -> None:
        self.entry.setFocus(Qt.FocusReason.ShortcutFocusReason)


EDITORS: dict[str, type[AnswerEditorWidget]] = {
    "points": PointsEditorWidget, "count": CountEditorWidget, "passfail": ChoiceEditorWidget,
    "level": ChoiceEditorWidget, "deduction": DeductionEditorWidget,
    "indicator": IndicatorEditorWidget, "text": TextEditorWidget,
}


def make_editor(item: Item, parent: QWidget | None = None, vetoes: Sequence[Veto] = ()) -> AnswerEditorWidget:
    return EDITORS[item.kind](item, parent, vetoes)
