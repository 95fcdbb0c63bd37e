"""The API's messages. Unknown fields are refused: a typo must not be silently ignored."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DeviceIn(Message):
    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")
    name: str = Field(min_length=1, max_length=200)
    public_key: str = Field(min_length=1, max_length=8192)


class LoginIn(Message):
    login: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)
    device: DeviceIn | None = None


class AccountOut(Message):
    login: str
    name: str
    role: str
    scope: str | None = Field(description="the area code of the account's subtree; null: the whole tree")
    disabled: bool = False


class LoginOut(Message):
    token: str
    expires_at: float
    account: AccountOut


class DeviceOut(Message):
    id: str
    name: str
    registered_at: float


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
