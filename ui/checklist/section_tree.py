"""The section tree: rubrics, sections and items with progress (answered/total) and subtotals."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPalette,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeView,
    QWidget,
)

from app.rubric import Rubric, ScoreResult, Section
from ui.checklist.text import label_text, number

_Index = QModelIndex | QPersistentModelIndex
_DONE = QColor("#2e7d32")
_WARN = QColor("#b26a00")
_MUTED = QColor("#8a8f98")
_ERROR = QColor("#c62828")
_NO_INDEX = QModelIndex()


@dataclass(eq=False)
class Node:
    kind: str  # "rubric" | "section" | "bonus" | "item"
    rubric_hash: str
    code: str
    text: str
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)
    row: int = 0

    def add(self, child: Node) -> Node:
        child.parent, child.row = self, len(self.children)
        self.children.append(child)
        return child


class SectionTreeModel(QAbstractItemModel):
    """Read-only tree; ``set_result`` refreshes the progress and score columns from a new score."""

    COLUMNS = 3

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._root = Node("root", "", "", "")
        self._items: dict[tuple[str, str], Node] = {}
        self._results: dict[str, ScoreResult] = {}
        self.order: list[tuple[str, str]] = []
        self._conditional: set[str] = set()
        # Items whose last edit could not be saved: marked until a save of theirs succeeds.
        self._unsaved: set[tuple[str, str]] = set()
        self._bold = QFont()
        self._bold.setBold(True)

    # --- building --------------------------------------------------------------------------

    def load(self, rubrics: dict[str, Rubric], results: dict[str, ScoreResult]) -> None:
        self.beginResetModel()
        self._root = Node("root", "", "", "")
        self._items, self._results, self.order = {}, dict(results), []
        self._unsaved = set()
        self._conditional = {h for h, r in rubrics.items() if any(it.when for it in r.items.values())}
        for rubric_hash, rubric in rubrics.items():
            top = self._root
            if len(rubrics) > 1:  # a combined visit: one branch per rubric
                top = self._root.add(Node("rubric", rubric_hash, "", label_text(rubric.name)))
            for section in rubric.sections:
                self._add_section(top, rubric_hash, section)
            if rubric.bonus_items:
                bonus = top.add(Node("bonus", rubric_hash, "", self.tr("Bonus points")))
                for item in rubric.bonus_items:
                    self._add_item(bonus, rubric_hash, item.code, label_text(item.text))
        self.endResetModel()

    def _add_section(self, parent: Node, rubric_hash: str, section: Section) -> None:
        node = parent.add(Node("section", rubric_hash, section.code, label_text(section.name)))
        for item in section.items:
            self._add_item(node, rubric_hash, item.code, label_text(item.text))
        for sub in section.sections:
            self._add_section(node, rubric_hash, sub)

    def _add_item(self, parent: Node, rubric_hash: str, code: str, text: str) -> None:
        self._items[(rubric_hash, code)] = parent.add(Node("item", rubric_hash, code, text))
        self.order.append((rubric_hash, code))

    def set_result(self, rubric_hash: str, result: ScoreResult, code: str | None = None) -> None:
        """Take a new score after ``code`` changed: repaint that item's row and its ancestors.

        A rubric with conditional items can switch other items on or off, so there (or when
        the change is unknown) every progress and score cell is refreshed.
        """
        self._results[rubric_hash] = result
        node = self._items.get((rubric_hash, code)) if code else None
        if node is None or rubric_hash in self._conditional:
            self._refresh(self._root)
            return
        roles = [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole]
        while node is not None and node is not self._root:
            self.dataChanged.emit(self.createIndex(node.row, 1, node), self.createIndex(node.row, 2, node), roles)
            node = node.parent

    def set_unsaved(self, keys: set[tuple[str, str]]) -> None:
        """Mark the items whose answer is not on disk; repaint only rows whose mark changed."""
        changed, self._unsaved = self._unsaved ^ keys, set(keys)
        for key in changed:
            node = self._items.get(key)
            if node is not None:
                self.dataChanged.emit(self.createIndex(node.row, 0, node), self.createIndex(node.row, 2, node),
                                      [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole,
                                       Qt.ItemDataRole.ToolTipRole])

    def is_unsaved(self, rubric_hash: str, code: str) -> bool:
        return (rubric_hash, code) in self._unsaved

    def _refresh(self, node: Node) -> None:
        if node.children:
            parent = QModelIndex() if node is self._root else self.createIndex(node.row, 0, node)
            last = len(node.children) - 1
            self.dataChanged.emit(self.index(0, 1, parent), self.index(last, 2, parent),
                                  [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole])
            for child in node.children:
                if child.kind != "item":
                    self._refresh(child)

    # --- lookups -------------------------------------------------------------------------------

    def index_of(self, rubric_hash: str, code: str) -> QModelIndex:
        node = self._items.get((rubric_hash, code))
        return QModelIndex() if node is None else self.createIndex(node.row, 0, node)

    def key_of(self, index: _Index) -> tuple[str, str] | None:
        node = self._node(index)
        return (node.rubric_hash, node.code) if node is not None and node.kind == "item" else None

    def path_text(self, rubric_hash: str, code: str) -> str:
        """"Section › sub-section" above an item."""
        node = self._items.get((rubric_hash, code))
        names: list[str] = []
        parent = node.parent if node else None
        while parent is not None and parent is not self._root:
            names.append(f"{parent.code} {parent.text}".strip())
            parent = parent.parent
        return " › ".join(reversed(names))

    def _node(self, index: _Index) -> Node | None:
        return index.internalPointer() if index.isValid() else None  # type: ignore[return-value]

    # --- QAbstractItemModel --------------------------------------------------------------------

    def index(self, row: int, column: int, parent: _Index = _NO_INDEX) -> QModelIndex:
        node = self._node(parent) or self._root
        if 0 <= row < len(node.children) and 0 <= column < self.COLUMNS:
            return self.createIndex(row, column, node.children[row])
        return QModelIndex()

    def parent(self, index: _Index = _NO_INDEX) -> QModelIndex:  # type: ignore[override]
        node = self._node(index)
        if node is None or node.parent is None or node.parent is self._root:
            return QModelIndex()
        return self.createIndex(node.parent.row, 0, node.parent)

    def rowCount(self, parent: _Index = _NO_INDEX) -> int:
        if parent.isValid() and parent.column() != 0:
            return 0
        node = self._node(parent) or self._root
        return len(node.children)

    def columnCount(self, parent: _Index = _NO_INDEX) -> int:
        return self.COLUMNS

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return (self.tr("Section / item"), self.tr("Done"), self.tr("Score"))[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole and section == 1:
            return self.legend()
        return None

    def legend(self) -> str:
        """What the marks of the Done column mean."""
        return "\n".join((self.tr("✓  answered"), self.tr("!  something is missing: a reason or a photo"),
                          self.tr("{na}  not applicable").format(na=self.tr("N/A")), self.tr("(blank)  not answered yet"),
                          self.tr("3/5  items answered in a section")))

    def _done_tip(self, node: Node) -> str:
        """The Done cell's mark in words (its tooltip)."""
        if node.kind != "item":
            result = self._results.get(node.rubric_hash)
            sec = result.sections.get(node.code) if result is not None and node.kind == "section" else None
            if sec is None:
                return self.legend()
            return self.tr("%n of {total} item(s) answered", "", sec.answered_count).format(total=sec.total_count)
        if (node.rubric_hash, node.code) in self._unsaved:
            return self.tr("Not saved: the last change of this answer is not on disk yet")
        result = self._results.get(node.rubric_hash)
        item = result.items.get(node.code) if result is not None else None
        if item is None:
            return ""
        if item.na:
            return self.tr("Not applicable: left out of the maximum")
        if not item.answered:
            if "photo_missing" in item.gaps:
                return self.tr("Not answered yet, and a photo is required")
            return self.tr("Not answered yet")
        missing = [{"no_reason": self.tr("the reason for an award below the maximum"),
                    "photo_missing": self.tr("a required photo")}.get(g, g) for g in item.gaps if g != "unanswered"]
        if missing:
            return self.tr("Answered, but missing: {what}").format(what=self.tr(", ").join(missing))
        return self.tr("Answered")

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        node = self._node(index)
        if node is None:
            return None
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return f"{node.code}  {node.text}".strip()
            return self._item_cell(node, col) if node.kind == "item" else self._section_cell(node, col)
        unsaved = node.kind == "item" and (node.rubric_hash, node.code) in self._unsaved
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == 1:
                return self._done_tip(node)
            if unsaved:
                return self.tr("Not saved: {item}").format(item=node.text)
            return f"{node.code}  {node.text}".strip() if col == 0 else None
        if role == Qt.ItemDataRole.FontRole and node.kind != "item":
            return self._bold
        if role == Qt.ItemDataRole.ForegroundRole and node.kind == "item" and (col == 1 or unsaved):
            return QBrush(_ERROR if unsaved else self._item_colour(node))
        if role == Qt.ItemDataRole.ForegroundRole and node.kind == "item" and col == 2 and self._vetoed(node):
            return QBrush(_ERROR)
        if role == Qt.ItemDataRole.TextAlignmentRole and col > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _item_state(self, node: Node) -> tuple[str, bool]:
        result = self._results.get(node.rubric_hash)
        item = result.items.get(node.code) if result is not None else None
        if item is None:
            return "", False
        gap = any(g != "unanswered" for g in item.gaps)
        if item.na:
            return "na", gap
        return ("done" if item.answered else ""), gap

    def _item_colour(self, node: Node) -> QColor:
        state, gap = self._item_state(node)
        return _WARN if gap else (_DONE if state == "done" else _MUTED)

    def _item_cell(self, node: Node, col: int) -> str:
        result = self._results.get(node.rubric_hash)
        if result is None:
            return ""
        if col == 1:
            if (node.rubric_hash, node.code) in self._unsaved:
                return self.tr("unsaved")
            state, gap = self._item_state(node)
            return "!" if gap else {"done": "✓", "na": self.tr("N/A")}.get(state, "")
        item = result.items.get(node.code)
        if item is None or not item.answered:
            return ""
        if self._vetoed(node):
            return self.tr("veto")
        if not item.maximum and not item.awarded:
            return ""  # a check without points (a veto item that passed): "0/0" says nothing
        return f"{_short(result, item.awarded)}/{_short(result, item.maximum)}"

    def _vetoed(self, node: Node) -> bool:
        result = self._results.get(node.rubric_hash)
        return result is not None and any(v.item == node.code for v in result.vetoes)

    def _section_cell(self, node: Node, col: int) -> str:
        result = self._results.get(node.rubric_hash)
        if result is None:
            return ""
        if node.kind == "section":
            sec = result.sections.get(node.code)
            if sec is None:
                return ""
            if col == 1:
                return f"{sec.answered_count}/{sec.total_count}"
            if not sec.maximum and not sec.awarded:
                return ""  # the veto checks' section carries no points
            return f"{_short(result, sec.awarded)}/{_short(result, sec.maximum)}"
        if node.kind == "rubric":
            if col == 1:
                done = sum(1 for r in result.items.values() if r.answered or r.na)
                return f"{done}/{len(result.items)}"
            return f"{_short(result, result.awarded)}/{_short(result, result.maximum)}"
        if col == 2:
            return number(result.bonus)
        return ""


def _short(result: ScoreResult, value) -> str:  # noqa: ANN001 - Decimal
    """A subtotal as short as it can be in a narrow column: 179, not 179.0."""
    text = result.display(value)
    return text.rstrip("0").rstrip(".") if "." in text else text


class TwoLineDelegate(QStyledItemDelegate):
    """Names wrap onto a second line when the column is too narrow for them (the tooltip has
    the whole text), so "A1.1 The school is sensibly sited…" is readable, not "A1.1 The sch…"."""

    MARGIN = 4

    def __init__(self, view: QTreeView) -> None:
        super().__init__(view)
        self.view = view

    @staticmethod
    def _lines(text: str, font: QFont, width: int) -> list[str]:
        """At most two lines: the first breaks where the text wraps, the second is elided."""
        metrics = QFontMetrics(font)
        if width <= 0 or metrics.horizontalAdvance(text) <= width:
            return [text]
        layout = QTextLayout(text, font)
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        layout.setTextOption(option)
        layout.beginLayout()
        first = layout.createLine()
        first.setLineWidth(width)
        end = first.textLength()
        layout.endLayout()
        rest = text[end:].strip()
        return [text[:end].rstrip(), metrics.elidedText(rest, Qt.TextElideMode.ElideRight, width)] if rest else [text]

    def _width(self, index: _Index) -> int:
        depth, parent = 1, index.parent()
        while parent.isValid():
            depth, parent = depth + 1, parent.parent()
        return self.view.header().sectionSize(0) - depth * self.view.indentation() - 2 * self.MARGIN

    def _font(self, option: QStyleOptionViewItem, index: _Index) -> QFont:
        font = index.data(Qt.ItemDataRole.FontRole)
        # The model's font says only "bold": the size and family come from the view's font.
        return font.resolve(option.font) if isinstance(font, QFont) else QFont(option.font)

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        size = super().sizeHint(option, index)
        if index.column() != 0:
            return size
        font = self._font(option, index)
        lines = len(self._lines(str(index.data() or ""), font, self._width(index)))
        return QSize(size.width(), max(size.height(), lines * QFontMetrics(font).lineSpacing() + 6))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        if index.column() != 0:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text, opt.text = opt.text, ""
        style = opt.widget.style() if opt.widget is not None else self.view.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)  # background
        font = self._font(option, index)
        rect = opt.rect.adjusted(self.MARGIN, 0, -self.MARGIN, 0)
        lines = self._lines(text, font, rect.width())
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        brush = index.data(Qt.ItemDataRole.ForegroundRole)
        painter.save()
        painter.setFont(font)
        if selected:
            painter.setPen(opt.palette.color(QPalette.ColorRole.HighlightedText))
        else:
            painter.setPen(brush.color() if isinstance(brush, QBrush) else opt.palette.color(QPalette.ColorRole.Text))
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), "\n".join(lines))
        painter.restore()


def size_columns(view: QTreeView) -> None:
    """The Done and Score columns sized from the font, so they fit any text size and HiDPI;
    the tree never gets so narrow that the names column shows only a few letters."""
    metrics = view.fontMetrics()
    header = view.header()
    header.resizeSection(1, metrics.horizontalAdvance("888/888") + 12)
    header.resizeSection(2, metrics.horizontalAdvance("888.5/1000") + 14)
    names = metrics.horizontalAdvance("A1.1  " + "x" * 16) + 3 * view.indentation()
    view.setMinimumWidth(header.sectionSize(1) + header.sectionSize(2) + names)


def make_tree_view(model: SectionTreeModel, parent: QWidget | None = None) -> QTreeView:
    view = QTreeView(parent)
    view.setObjectName("sectionTree")
    view.setModel(model)
    # Rows are one or two lines high (long names wrap); 300+ rows still lay out in a blink.
    view.setUniformRowHeights(False)
    view.setItemDelegate(TwoLineDelegate(view))
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(False)
    view.setIndentation(14)
    header = view.header()
    header.setStretchLastSection(False)
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
    header.setSectionResizeMode(2, QHeaderView.ResizeMode.Fixed)
    size_columns(view)
    # A wider or narrower tree (the splitter) changes which names need their second line.
    header.sectionResized.connect(lambda column, _old, _new: column == 0 and view.doItemsLayout())
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    return view
