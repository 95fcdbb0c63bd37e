"""The page's keyboard shortcuts, as QActions so the shell can also list them in a menu."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction, QKeySequence

if TYPE_CHECKING:
    from ui.checklist.checklist_page import ChecklistPage


def install_actions(page: ChecklistPage) -> dict[str, QAction]:
    """Create the page's actions; they fire while focus is anywhere inside the page.

    Ctrl+F is left to the shell (search); finding and practice use Ctrl+Shift.
    """
    specs: list[tuple[str, str, list[str], object]] = [
        ("next_open", QCoreApplication.translate("ChecklistPage", "Next unanswered item"), ["F3", "Ctrl+J"], page.next_unanswered),
        ("prev_open", QCoreApplication.translate("ChecklistPage", "Previous unanswered item"), ["Shift+F3", "Ctrl+Shift+J"], lambda: page.next_unanswered(-1)),
        ("next", QCoreApplication.translate("ChecklistPage", "Next item"), ["Alt+Down", "Ctrl+Down"], page.next_item),
        ("prev", QCoreApplication.translate("ChecklistPage", "Previous item"), ["Alt+Up", "Ctrl+Up"], page.previous_item),
        ("entry", QCoreApplication.translate("ChecklistPage", "Go to the answer"), ["Ctrl+E"], page.focus_entry),
        ("tree", QCoreApplication.translate("ChecklistPage", "Go to the section tree"), ["F6"], lambda: page.tree.setFocus(Qt.FocusReason.ShortcutFocusReason)),
        ("finding", QCoreApplication.translate("ChecklistPage", "Add finding…"), ["Ctrl+Shift+F"], lambda: page.finding_flows.add_finding()),
        ("practice", QCoreApplication.translate("ChecklistPage", "Add a good practice"), ["Ctrl+Shift+G"], lambda: page.finding_flows.focus_practice()),
        ("photos", QCoreApplication.translate("ChecklistPage", "Attach photos…"), ["Ctrl+Shift+P"], lambda: page.read_only or page.pane.photos.choose_files()),
        ("gap_check", QCoreApplication.translate("ChecklistPage", "Gap check…"), ["Ctrl+G"], page.gap_check),
        ("sign_leader", QCoreApplication.translate("ChecklistPage", "Team leader signs…"), ["Ctrl+Shift+T"], lambda: page.sign("team_leader")),
        ("sign_head", QCoreApplication.translate("ChecklistPage", "Unit head signs…"), ["Ctrl+Shift+U"], lambda: page.sign("unit_head")),
        ("finalize", QCoreApplication.translate("ChecklistPage", "Finalize…"), ["Ctrl+Shift+L"], page.finalize),
        ("print_copies", QCoreApplication.translate("ChecklistPage", "Print feedback sheet ×2"), ["Ctrl+Alt+P"],
         page.print_feedback_copies),
        ("amend", QCoreApplication.translate("ChecklistPage", "Amend…"), ["Ctrl+Shift+A"], page.amend),
        ("audit", QCoreApplication.translate("ChecklistPage", "Audit trail"), ["Ctrl+Shift+H"], page.show_audit),
        ("close", QCoreApplication.translate("ChecklistPage", "Close"), ["Ctrl+W"], page.request_close),
    ]
    actions: dict[str, QAction] = {}
    for name, text, keys, slot in specs:
        action = QAction(text, page)
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.setToolTip(f"{text} ({QKeySequence(keys[0]).toString(QKeySequence.SequenceFormat.NativeText)})")
        action.triggered.connect(lambda _=False, s=slot: s())  # type: ignore[operator]
        page.addAction(action)
        actions[name] = action
    actions["print_copies"].setToolTip(QCoreApplication.translate(
        "ChecklistPage", "The feedback sheet in two copies on the default printer: one for the unit, one for the "
        "visit's file (Ctrl+Alt+P)"))
    undo = page.undo_stack.createUndoAction(page, QCoreApplication.translate("ChecklistPage", "Undo"))
    undo.setShortcuts([QKeySequence(QKeySequence.StandardKey.Undo)])
    redo = page.undo_stack.createRedoAction(page, QCoreApplication.translate("ChecklistPage", "Redo"))
    redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
    for name, action in (("undo", undo), ("redo", redo)):
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        page.addAction(action)
        actions[name] = action
    for k, method in enumerate(("documents", "site", "interview", "questionnaire", "spot_check"), start=1):
        chip = QAction(page)
        chip.setShortcut(QKeySequence(f"Alt+{k}"))
        chip.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        chip.triggered.connect(lambda _=False, m=method: page.pane.chips[m].isEnabled() and page.pane.chips[m].toggle())
        page.addAction(chip)
        actions[f"chip_{method}"] = chip
    return actions
