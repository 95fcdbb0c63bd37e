"""The typed exceptions of the core. The UI and the CLI turn them into clear messages."""

from __future__ import annotations


class FieldmarkError(Exception):
    """Base of every error the user should see as a message, not a traceback."""


class ProfileError(FieldmarkError):
    """The profile folder or its database cannot be used (corrupt, newer, unwritable, locked)."""


class NotFound(FieldmarkError):
    """A referenced row does not exist."""


class InvalidAnswer(FieldmarkError):
    """An answer does not fit its rubric item."""


class VisitLocked(FieldmarkError):
    """The visit is finalized: only an amendment with a reason may change it."""


class WriteFailed(FieldmarkError):
    """A write did not reach the database; nothing of the action was saved.

    ``transient`` says that trying again may succeed without the user changing anything (the
    disk was busy, full or briefly unavailable), so a retry is worth scheduling.
    """

    CAUSES = ("full", "read_only", "busy", "io")

    def __init__(self, message: str, *, cause: str = "io", transient: bool = True) -> None:
        super().__init__(message)
        # One of CAUSES, so an interface can say it in its own language.
        self.cause = cause
        self.transient = transient


class GapsOpen(FieldmarkError):
    """Finalizing was refused because gaps remain; ``gaps`` lists them (GapEntry records)."""

    def __init__(self, message: str, gaps: list) -> None:
        super().__init__(message)
        self.gaps = gaps
        self.problems = [g.message if not g.item_code else f"{g.item_code}: {g.message}" for g in gaps]


class ConflictsOpen(FieldmarkError):
    """Finalizing was refused because sync conflicts on the visit are open; ``rows`` lists the
    (table, key) of each, ``problems`` says them in words."""

    def __init__(self, message: str, rows: list[tuple[str, str]]) -> None:
        super().__init__(message)
        self.rows = rows
        self.problems = [f"{table} {key}: changed on two laptops, choose one version" for table, key in rows]


class RubricError(FieldmarkError):
    """A rubric template is malformed; ``problems`` lists every place that is wrong."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []
