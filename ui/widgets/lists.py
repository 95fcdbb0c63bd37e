"""Small list helpers shared by the views."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

# Where the row's record (a Visit, an Assignment, …) is kept on a QTreeWidgetItem.
RECORD_ROLE = Qt.ItemDataRole.UserRole + 1


def flat_tree(headers: Sequence[str], parent: QWidget | None = None, *, stretch: int = 0) -> QTreeWidget:
    """A QTreeWidget used as a plain table: native look, whole-row selection, keyboard friendly."""
    tree = QTreeWidget(parent)
    tree.setHeaderLabels(list(headers))
    tree.setRootIsDecorated(False)
    tree.setUniformRowHeights(True)
    tree.setAlternatingRowColors(True)
    tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    header = tree.header()
    header.setStretchLastSection(False)
    for column in range(len(headers)):
        mode = QHeaderView.ResizeMode.Stretch if column == stretch else QHeaderView.ResizeMode.ResizeToContents
        header.setSectionResizeMode(column, mode)
    return tree


def add_row(tree: QTreeWidget, cells: Sequence[str], record: object, *, tooltip: str = "") -> QTreeWidgetItem:
    item = QTreeWidgetItem(tree, list(cells))
    item.setData(0, RECORD_ROLE, record)
    if tooltip:
        item.setToolTip(0, tooltip)
    return item


def current_record(tree: QTreeWidget) -> object | None:
    item = tree.currentItem()
    return None if item is None else item.data(0, RECORD_ROLE)


def select_first(tree: QTreeWidget) -> None:
    if tree.topLevelItemCount() and tree.currentItem() is None:
        tree.setCurrentItem(tree.topLevelItem(0))
