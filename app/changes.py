"""What an operation changed, so a UI refreshes only what it must (the pattern of Anki's OpChanges)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class OpChanges:
    visit: bool = False
    responses: bool = False
    findings: bool = False
    practices: bool = False
    audit: bool = False
    rubrics: bool = False
    units: bool = False
    evidence: bool = False
    visit_ids: frozenset[str] = field(default_factory=frozenset)
    item_codes: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class OpChangesWithId:
    """The changes of an operation that created a row, and that row's id."""

    id: str
    changes: OpChanges
