"""Frozen records that cross the boundary between the core and its callers (UI, CLI, server)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app.ids import AssignmentId, FindingId, InspectorId, RubricHash, UnitId, VisitId

EVIDENCE_METHODS = ("documents", "site", "interview", "questionnaire", "spot_check")


@dataclass(frozen=True)
class Unit:
    id: UnitId
    code: str
    name: str
    unit_type: str
    area_id: str
    head_name: str
    profile: dict[str, Decimal]

    @classmethod
    def from_row(cls, row: dict) -> Unit:
        numbers = {k: Decimal(str(v)) for k, v in json.loads(row["profile"]).items()}
        return cls(
            UnitId(row["id"]), row["code"], row["name"], row["unit_type"], row["area_id"],
            row["head_name"], numbers,
        )


@dataclass(frozen=True)
class RubricRef:
    hash: RubricHash
    rubric_id: str
    version: str
    name_zh: str
    name_en: str

    @classmethod
    def from_row(cls, row: dict) -> RubricRef:
        return cls(RubricHash(row["hash"]), row["rubric_id"], row["version"], row["name_zh"], row["name_en"])


@dataclass(frozen=True)
class Member:
    inspector_id: InspectorId
    name: str
    role: str


@dataclass(frozen=True)
class Visit:
    id: VisitId
    unit_id: UnitId
    unit_name: str
    unit_code: str
    visit_type: str
    status: str
    starts_on: str
    ends_on: str
    team_id: str | None
    assignment_id: AssignmentId | None
    content_hash: str | None
    finalized_at: str | None
    rubric_hashes: tuple[RubricHash, ...] = ()
    members: tuple[Member, ...] = ()
    # How many amendments were made after finalizing, and when the last one was.
    amendment_no: int = 0
    amended_at: str | None = None
    # Moves when an amendment changes the score or the findings: signatures of an older
    # version no longer sign what the sheet says.
    version: int = 0

    @property
    def locked(self) -> bool:
        return self.status in ("finalized", "amended")

    @classmethod
    def from_row(cls, row: dict, rubric_hashes: tuple = (), members: tuple = ()) -> Visit:
        return cls(
            VisitId(row["id"]), UnitId(row["unit_id"]), row["unit_name"], row["unit_code"],
            row["visit_type"], row["status"], row["starts_on"], row["ends_on"], row["team_id"],
            row["assignment_id"], row["content_hash"], row["finalized_at"],
            tuple(rubric_hashes), tuple(members), row.get("amendment_no", 0), row.get("amended_at"),
            row.get("version", 0),
        )


@dataclass(frozen=True)
class Response:
    rubric_hash: RubricHash
    item_code: str
    value: Any
    na: bool
    evidence_methods: tuple[str, ...]
    note: str
    reason: str
    answered_at: str
    answered_by: InspectorId | None = None

    @classmethod
    def from_row(cls, row: dict) -> Response:
        return cls(
            RubricHash(row["rubric_hash"]), row["item_code"],
            None if row["value"] is None else json.loads(row["value"]), bool(row["na"]),
            tuple(json.loads(row["evidence_methods"])), row["note"], row["reason"], row["answered_at"],
            row.get("answered_by"),
        )


@dataclass(frozen=True)
class Finding:
    id: FindingId
    visit_id: VisitId
    unit_id: UnitId
    rubric_hash: RubricHash | None
    item_code: str | None
    description: str
    requirement: str
    deadline: str | None
    responsible: str
    severity: str
    status: str
    created_at: str

    @classmethod
    def from_row(cls, row: dict) -> Finding:
        return cls(**{f: row[f] for f in cls.__dataclass_fields__})


@dataclass(frozen=True)
class FindingEvent:
    status: str
    note: str
    at: str
    visit_id: VisitId | None
    by_inspector: InspectorId | None


@dataclass(frozen=True)
class GoodPractice:
    id: str
    text: str
    item_code: str | None


@dataclass(frozen=True)
class AuditEntry:
    table_name: str
    row_id: str
    field: str
    old_value: str | None
    new_value: str | None
    reason: str
    by_inspector: InspectorId | None
    at: str
