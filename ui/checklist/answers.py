"""Answer drafts, their undo command, and the writer that persists them through the task runner.

An edit flows: editor -> ``Draft`` -> ``AnswerCommand`` pushed on the page's QUndoStack ->
the page applies it (live score on the UI thread) -> ``AnswerWriter`` saves it off the UI thread.
Undo and redo push the older or newer draft through the same path, so they are saved too.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QUndoCommand

from app.models import Response
from app.profile import Profile
from app.visits import answer_item
from ui.tasks import TaskRunner

# Text typed into a note, a reason or a text item is saved once typing pauses this long.
TEXT_DEBOUNCE_MS = 600
# Edits of one item closer together than this merge into one undo step (typing "18.5").
MERGE_WINDOW_S = 1.5


@dataclass(frozen=True)
class Draft:
    """One item's full answer as the inspector sees it; ``value`` None and not ``na`` is unanswered."""

    rubric_hash: str
    item_code: str
    value: Any = None
    na: bool = False
    methods: tuple[str, ...] = ()
    note: str = ""
    reason: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.rubric_hash, self.item_code)

    @property
    def answered(self) -> bool:
        return self.na or self.value is not None

    def but(self, **changes: Any) -> Draft:
        return replace(self, **changes)

    @classmethod
    def of(cls, response: Response | None, rubric_hash: str, item_code: str) -> Draft:
        if response is None:
            return cls(rubric_hash, item_code)
        return cls(rubric_hash, item_code, response.value, response.na,
                   tuple(response.evidence_methods), response.note, response.reason)


class AnswerCommand(QUndoCommand):
    """Replace one item's answer; undo puts the previous draft back (and saves it again)."""

    def __init__(self, apply: Callable[[Draft, bool, bool], None], old: Draft, new: Draft,
                 text: str, debounce: bool, typing: bool = False) -> None:
        super().__init__(text)
        # Only typing merges ("1", "18", "18.5" is one step); a click is always its own step.
        self.typing = typing
        self.fields = frozenset(f for f in ("value", "na", "methods", "note", "reason")
                                if getattr(old, f) != getattr(new, f))
        self._apply = apply
        self.old = old
        self.new = new
        self.debounce = debounce
        self._first = True
        self._at = time.monotonic()

    def id(self) -> int:
        return 1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, AnswerCommand) or other.new.key != self.new.key:
            return False
        if not (self.typing and other.typing and self.fields == other.fields
                and len(self.fields) == 1 and self.fields <= {"value", "note", "reason"}):
            return False
        if other._at - self._at > MERGE_WINDOW_S:
            return False
        self.new = other.new
        self._at = other._at
        return True

    def redo(self) -> None:
        # The first redo happens on push, when the editor already shows the new value; only
        # then may a text edit wait for a pause in typing. Undo and redo save at once.
        self._apply(self.new, not self._first, self.debounce and self._first)
        self._first = False

    def undo(self) -> None:
        self._apply(self.old, True, False)


class AnswerWriter:
    """Saves drafts in order through the runner; text edits wait for a pause in typing."""

    def __init__(self, owner: QObject, runner: TaskRunner, profile: Profile,
                 on_saved: Callable[[Draft], None], on_failed: Callable[[Draft, BaseException], None],
                 on_busy: Callable[[bool], None]) -> None:
        self._runner = runner
        self._profile = profile
        self._on_saved = on_saved
        self._on_failed = on_failed
        self._on_busy = on_busy
        self.visit_id = ""
        self.by: str | None = None
        self._waiting: dict[tuple[str, str], Draft] = {}
        self._in_flight = 0
        self._timer = QTimer(owner)
        self._timer.setSingleShot(True)
        self._timer.setInterval(TEXT_DEBOUNCE_MS)
        self._timer.timeout.connect(self.flush)

    @property
    def busy(self) -> bool:
        return self._in_flight > 0 or bool(self._waiting)

    def save(self, draft: Draft, *, debounce: bool = False) -> None:
        self._waiting[draft.key] = draft
        if debounce:
            self._timer.start()
            self._on_busy(True)
        else:
            self._submit(self._waiting.pop(draft.key))

    def flush(self) -> None:
        """Send every waiting draft now (leaving an item, closing the page)."""
        self._timer.stop()
        waiting, self._waiting = self._waiting, {}
        for draft in waiting.values():
            self._submit(draft)

    def _submit(self, draft: Draft) -> None:
        profile, visit_id, by = self._profile, self.visit_id, self.by
        self._in_flight += 1
        self._on_busy(True)

        def work() -> None:
            answer_item(profile, visit_id, rubric_hash=draft.rubric_hash, item_code=draft.item_code,
                        value=None if draft.na else draft.value, na=draft.na,
                        evidence_methods=draft.methods, note=draft.note, reason=draft.reason, by=by)

        def done(_: object) -> None:
            self._in_flight -= 1
            self._on_saved(draft)
            self._on_busy(self.busy)

        def failed(exc: BaseException) -> None:
            self._in_flight -= 1
            self._on_failed(draft, exc)
            self._on_busy(self.busy)

        self._runner.run(work, on_done=done, on_error=failed, label="answer")
