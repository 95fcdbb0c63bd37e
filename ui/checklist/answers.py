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

from app.errors import FieldmarkError
from app.logs import logger
from app.models import Response
from app.profile import Profile
from app.visits import answer_item
from ui.error_report import report_unexpected
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


# Automatic retries of a save that failed for a passing cause wait longer each time, up to this.
RETRY_DELAYS_MS = (1000, 2000, 4000, 8000, 15000, 30000)


class AnswerWriter:
    """Saves drafts in order through the runner; text edits wait for a pause in typing.

    A draft stays "unsaved" from the edit until its own write commits. A failed write keeps the
    draft (the newest per item) for a retry: by itself after a delay when the cause may pass (a
    busy or full disk), or when the user asks. A newer edit of the same item replaces it.
    """

    def __init__(self, owner: QObject, runner: TaskRunner, profile: Profile,
                 on_saved: Callable[[Draft], None], on_state: Callable[[], None]) -> None:
        self._runner = runner
        self._profile = profile
        self._on_saved = on_saved
        self._on_state = on_state
        self.visit_id = ""
        # Keys are (visit id, rubric hash, item code): a failed draft of a visit the user has
        # left is still saved into that visit.
        self._waiting: dict[tuple[str, str, str], Draft] = {}
        self._latest: dict[tuple[str, str, str], int] = {}
        self._in_flight = 0
        self._seq = 0
        self.failed: dict[tuple[str, str, str], Draft] = {}
        self.last_error: BaseException | None = None
        self._attempt = 0
        self._timer = QTimer(owner)
        self._timer.setSingleShot(True)
        self._timer.setInterval(TEXT_DEBOUNCE_MS)
        self._timer.timeout.connect(self.flush)
        self.retry_timer = QTimer(owner)
        self.retry_timer.setSingleShot(True)
        self.retry_timer.timeout.connect(self.retry)

    @property
    def busy(self) -> bool:
        return self._in_flight > 0 or bool(self._waiting)

    @property
    def unsaved(self) -> bool:
        """Something typed or chosen is not on disk yet (waiting, being written, or failed)."""
        return self.busy or bool(self.failed)

    def failed_keys(self, visit_id: str) -> set[tuple[str, str]]:
        return {(h, c) for (v, h, c) in self.failed if v == visit_id}

    def save(self, draft: Draft, *, debounce: bool = False) -> None:
        key = (self.visit_id, *draft.key)
        self._waiting[key] = draft
        if debounce:
            self._timer.start()
            self._on_state()
        else:
            self._submit(key, self._waiting.pop(key))

    def flush(self) -> None:
        """Send every waiting draft now (leaving an item or a visit, closing the window)."""
        self._timer.stop()
        waiting, self._waiting = self._waiting, {}
        for key, draft in waiting.items():
            self._submit(key, draft)

    def retry(self) -> None:
        """Send every failed draft again (the retry timer, or the user's Retry)."""
        self.retry_timer.stop()
        failed, self.failed = self.failed, {}
        for key, draft in failed.items():
            self._submit(key, draft)

    def give_up(self) -> None:
        """The user quits without the failed saves: write each one to the log, then forget them.

        The log is a separate file, often on a disk that still takes writes, so the values can
        be typed in again from it.
        """
        self.retry_timer.stop()
        self._timer.stop()
        lost = {**self.failed, **self._waiting}
        for (visit_id, rubric_hash, code), draft in lost.items():
            logger.warning("answer not saved at exit: visit %s rubric %s item %s value %r n/a %s "
                           "methods %s note %r reason %r", visit_id, rubric_hash, code, draft.value,
                           draft.na, ",".join(draft.methods), draft.note, draft.reason)
        self.failed, self._waiting = {}, {}

    def _submit(self, key: tuple[str, str, str], draft: Draft) -> None:
        profile = self._profile
        visit_id = key[0]
        self._seq += 1
        seq = self._latest[key] = self._seq
        self._in_flight += 1
        self._on_state()

        def work() -> None:
            answer_item(profile, visit_id, rubric_hash=draft.rubric_hash, item_code=draft.item_code,
                        value=None if draft.na else draft.value, na=draft.na,
                        evidence_methods=draft.methods, note=draft.note, reason=draft.reason)

        def done(_: object) -> None:
            self._in_flight -= 1
            if self._latest.get(key) == seq:
                # This write is the item's newest: any earlier failure of it is now overtaken.
                self.failed.pop(key, None)
                del self._latest[key]
            if not self.failed:
                self._attempt, self.last_error = 0, None
                self.retry_timer.stop()
            self._on_saved(draft)
            self._on_state()

        def failed(exc: BaseException) -> None:
            self._in_flight -= 1
            if not isinstance(exc, FieldmarkError):
                report_unexpected(exc)  # a bug, not a disk: the user and the log hear of it
            if self._latest.get(key) == seq and key not in self._waiting:
                self.failed[key] = draft
                self.last_error = exc
                if getattr(exc, "transient", False) and not self.retry_timer.isActive():
                    delay = RETRY_DELAYS_MS[min(self._attempt, len(RETRY_DELAYS_MS) - 1)]
                    self._attempt += 1
                    self.retry_timer.start(delay)
            self._on_state()

        self._runner.run(work, on_done=done, on_error=failed, label="answer")
