"""The API's own messages, beside the sync protocol's (``app.sync.protocol``, used as they are by
the login and device routes). Unknown fields are refused: a typo must not be silently ignored."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.sync.errors_body import ErrorBody

# Declared on every route: any refusal (401 for a missing token, 413 for a body over the limit,
# 400 for a malformed one...) is the contract's ErrorBody; without it the description would
# show FastAPI's own 422 body, which this server never sends.
REFUSED: dict[int | str, dict[str, Any]] = {
    "4XX": {"model": ErrorBody, "description": "Refused: the contract's ErrorBody (docs/sync-protocol.md section 2)"},
}


class Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def iso_time(seconds: float) -> str:
    """A stored time (seconds since the epoch) as the protocol writes times: ISO 8601 with an
    offset, to the millisecond."""
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="milliseconds")


class AccountOut(Message):
    """An account in the office's list (``GET /accounts``); the caller's own is the protocol's."""

    login: str
    name: str
    role: str
    scope: str | None = Field(description="the area code of the account's subtree; null: the whole tree")
    disabled: bool = False


class AreaOut(Message):
    id: str
    parent_id: str | None
    level: str
    code: str
    name: str


class UnitOut(Message):
    id: str
    area_code: str
    code: str
    name: str
    unit_type: str
    head_name: str
    phone: str
    address: str
    profile: dict[str, Any]


class RubricOut(Message):
    hash: str
    rubric_id: str
    version: str
    name_zh: str
    name_en: str
    published_at: float


class AssignmentOut(Message):
    id: str
    campaign: str
    team: str
    unit_id: str
    unit_code: str
    visit_type: str
    window_start: str
    window_end: str
    rubric_hashes: list[str]
