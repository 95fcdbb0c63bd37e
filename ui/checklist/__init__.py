"""The checklist page: where an inspector answers a visit's rubric items."""

from __future__ import annotations

from ui.checklist.checklist_page import ChecklistPage

__all__ = ["ChecklistPage"]
