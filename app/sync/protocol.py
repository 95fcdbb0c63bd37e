"""The messages of sync protocol version 1 (docs/sync-protocol.md), as pydantic models.

Every model forbids unknown fields: a misspelt field is an error the sender hears about, not a
value silently dropped. The same models validate on the laptop (what it sends and receives) and on
the server (what it accepts), and docs/sync-schema/ holds their JSON Schemas (``app.sync.schema``).
Pull messages are in ``app.sync.pull``; the error body in ``app.sync.errors_body``.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    field_validator,
    model_validator,
)

from app.canonical import content_hash
from app.sync.fields import (
    SYNC_BOOKKEEPING,
    ColumnName,
    IsoTimestamp,
    PublicKeyText,
    RevStamp,
    Sha256,
    TableName,
    Uuid,
)
from app.sync.ids import RowKeyError, check_row_key

PROTOCOL_VERSION = 1
# The oldest client the server still serves; an older one gets 426 with this number.
MIN_CLIENT_VERSION = 1
PROTOCOL_HEADER = "Fieldmark-Protocol"
API_PREFIX = "/api/v1"

# Bounds that keep one request's work (and one transaction) small; a client splits beyond them.
MAX_ROWS_PER_CHANGESET = 5_000
MAX_HASHES_PER_QUERY = 1_000
MAX_PULL_PAGE = 1_000
# Counters a device keeps (device_seq, amendment_no) are 32-bit signed integers in the server's
# store: one changeset a second would take 68 years to reach the bound.
MAX_COUNTER = 2**31 - 1

# Columns whose value names a blob: a changeset lists every such hash, so the server can check it
# holds them all before it opens the transaction.
BLOB_COLUMNS: dict[str, tuple[str, ...]] = {
    "evidence": ("sha256",),
    "signatures": ("sha256",),
}


def _is_unicode(text: str) -> bool:
    # A JSON escape such as "\ud800" decodes to a lone surrogate: a str that no UTF-8 encoder
    # (the digest, the database driver, the answer) can write.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check_json(value: Any) -> None:
    """Inside free JSON (row values, documents): real Unicode and finite numbers only. NaN and
    Infinity are not JSON (Python's parser takes them): stored, they would break every answer
    that carries them. A NUL character is text like any other here: it travels escaped."""
    if isinstance(value, str):
        if not _is_unicode(value):
            raise ValueError("text must be valid Unicode (no lone surrogates)")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("numbers must be finite (NaN and Infinity are not JSON)")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_json(key)
            _check_json(item)
    elif isinstance(value, list):
        for item in value:
            _check_json(item)


class Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _exact_types(cls, data: Any) -> Any:
        # JSON has numbers and booleans of its own: "limit": true or "device_seq": "5" is the
        # wrong type (400), not a value to coerce as pydantic's lax mode would. (2.0 is a whole
        # number, in JSON Schema's terms too; 2.5 pydantic refuses.)
        if isinstance(data, dict):
            for name, field in cls.model_fields.items():
                value = data.get(name)
                if value is None:
                    continue
                if field.annotation is int and isinstance(value, (bool, str)):
                    raise ValueError(f"{name} must be a whole number")
                if field.annotation is bool and not isinstance(value, bool):
                    raise ValueError(f"{name} must be true or false")
        return data

    @field_validator("*", mode="after")
    @classmethod
    def _plain_values(cls, value: Any) -> Any:
        # A message's own text fields (names, labels, logins, ids) also refuse NUL, which
        # PostgreSQL cannot store in text; nested messages check their own fields.
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("text must not contain NUL characters")
        if not isinstance(value, BaseModel):
            _check_json(value)
        return value


# --- login and devices -------------------------------------------------------------------------

Role = Literal["inspector", "team_leader", "office_staff", "admin"]


class LoginRequest(Message):
    username: Annotated[str, Field(min_length=1, max_length=200)]
    password: Annotated[str, Field(min_length=1, max_length=1_000)]
    device_id: Uuid


class Account(Message):
    id: Uuid
    username: str
    display_name: str
    role: Role
    # The root of the administrative subtree the account may see and change; None (only for an
    # admin) is the whole tree.
    scope_area_id: Uuid | None
    # The inspector row that stands for this person in visits, when the account has one.
    inspector_id: Uuid | None = None

    @model_validator(mode="after")
    def _scoped(self) -> Account:
        if self.scope_area_id is None and self.role != "admin":
            raise ValueError(f"a {self.role} account has a scope; only an admin's may be the whole tree")
        return self


class LoginResponse(Message):
    # Opaque to the client; the laptop keeps it only in the OS keychain.
    token: Annotated[str, Field(min_length=20, max_length=200)]
    expires_at: IsoTimestamp
    account: Account


class DeviceRegistration(Message):
    device_id: Uuid
    algorithm: Literal["ed25519"] = "ed25519"
    public_key: PublicKeyText
    # What a person sees in the office's device list, e.g. the laptop's host name.
    label: Annotated[str, Field(max_length=200)] = ""


class DeviceRegistered(Message):
    device_id: Uuid
    key_id: Sha256
    registered_at: IsoTimestamp


# --- blobs -------------------------------------------------------------------------------------


class BlobsMissingRequest(Message):
    sha256: Annotated[list[Sha256], Field(max_length=MAX_HASHES_PER_QUERY)]


class BlobsMissingResponse(Message):
    missing: list[Sha256]


class BlobStored(Message):
    sha256: Sha256
    size: Annotated[int, Field(ge=0)]
    # False when the server already held these bytes: the upload was a no-op.
    created: bool


# --- push --------------------------------------------------------------------------------------


class RowChange(Message):
    """One row as the device holds it now, and the revision it was edited from."""

    table: TableName
    key: Uuid
    rev: RevStamp
    # The revision the device last synced for this row; None for a row the device created.
    base_rev: RevStamp | None
    deleted: bool = False
    # The whole row (every column but the id and the sync bookkeeping), tombstones included, so
    # the server can compare values and keep both versions of a conflict whole.
    values: dict[ColumnName, JsonValue]
    # Conflicts this edit settles (the person chose or merged); see "Conflicts" in the doc.
    resolves: list[Uuid] = []

    @model_validator(mode="after")
    def _consistent(self) -> RowChange:
        bookkeeping = SYNC_BOOKKEEPING & self.values.keys()
        if bookkeeping:
            raise ValueError(f"values carry sync bookkeeping: {', '.join(sorted(bookkeeping))}")
        # No rule that rev sorts after base_rev: a laptop whose clock refuses to follow a
        # team-mate's far-ahead stamp edits that row with a smaller stamp, and that edit is real.
        try:
            check_row_key(self.table, self.key, self.values)
        except RowKeyError as exc:
            raise ValueError(str(exc)) from exc
        return self

    def blob_hashes(self) -> set[str]:
        found = set()
        for column in BLOB_COLUMNS.get(self.table, ()):
            value = self.values.get(column)
            if isinstance(value, str):
                found.add(value)
        return found


class StatedScore(Message):
    # Decimal text, exactly as the laptop's engine printed it; the server compares its own.
    total: Annotated[str, Field(pattern=r"^-?\d+(\.\d+)?$")]
    maximum: Annotated[str, Field(pattern=r"^\d+(\.\d+)?$")]
    band: str | None


class FinalizedVersion(Message):
    """One finalized state of a visit. An amendment adds one that names the one it replaces."""

    visit_id: Uuid
    amendment_no: Annotated[int, Field(ge=0, le=MAX_COUNTER)]
    content_hash: Sha256
    replaces: Sha256 | None
    finalized_at: IsoTimestamp
    score: StatedScore

    @model_validator(mode="after")
    def _chain(self) -> FinalizedVersion:
        if (self.amendment_no == 0) != (self.replaces is None):
            raise ValueError("the first finalization replaces nothing; every amendment replaces one")
        return self


class RubricTemplate(Message):
    """An immutable rubric, addressed by the SHA-256 of its canonical JSON."""

    hash: Sha256
    rubric_id: str
    version: str
    name_zh: str
    name_en: str
    # The receiver re-hashes it read with app.canonical.loads_exact and refuses a mismatch.
    document: dict[str, JsonValue]


class Changeset(Message):
    """What a device pushes: everything it changed since its last receipt."""

    changeset_id: Uuid
    device_id: Uuid
    # Counts up by one per changeset the device makes. A later changeset carries every row an
    # earlier unacknowledged one did, so an earlier one arriving late is stale and refused.
    device_seq: Annotated[int, Field(ge=1, le=MAX_COUNTER)]
    created_at: IsoTimestamp
    rows: Annotated[list[RowChange], Field(max_length=MAX_ROWS_PER_CHANGESET)]
    blobs: list[Sha256] = []
    rubric_templates: list[RubricTemplate] = []
    finalizations: list[FinalizedVersion] = []

    @model_validator(mode="after")
    def _consistent(self) -> Changeset:
        seen: set[tuple[str, str]] = set()
        for row in self.rows:
            if (row.table, row.key) in seen:
                raise ValueError(f"the {row.table} row {row.key} is in the changeset twice")
            seen.add((row.table, row.key))
        if len(set(self.blobs)) != len(self.blobs):
            raise ValueError("a blob is listed twice")
        unlisted = set().union(*(row.blob_hashes() for row in self.rows)) - set(self.blobs)
        if unlisted:
            raise ValueError(f"rows refer to blobs the changeset does not list: {', '.join(sorted(unlisted))}")
        return self

    def digest(self) -> str:
        """SHA-256 of the canonical content: same id with another digest is a refused reuse."""
        return content_hash(self.model_dump(mode="json"))


RowOutcome = Literal["applied", "conflict", "error", "unpermitted"]


class RowStatus(Message):
    table: TableName
    key: Uuid
    rev: RevStamp
    status: RowOutcome
    # Words a person can read; required for every status but "applied".
    reason: str | None = None
    conflict_id: Uuid | None = None

    @model_validator(mode="after")
    def _explained(self) -> RowStatus:
        if self.status != "applied" and not self.reason:
            raise ValueError(f"a row that is {self.status} needs a reason")
        if (self.status == "conflict") != (self.conflict_id is not None):
            raise ValueError("a conflict_id goes with the status conflict, and only with it")
        return self


class RowVersion(Message):
    """One side of a conflict: a whole row as one device wrote it."""

    rev: RevStamp
    device_id: Uuid
    deleted: bool
    values: dict[ColumnName, JsonValue]


class Conflict(Message):
    """The same row changed on two sides since a common base, to different values. Both kept."""

    conflict_id: Uuid
    table: TableName
    key: Uuid
    # The visit it belongs to, so every laptop of the visit is told; None for rows outside visits.
    visit_id: Uuid | None
    base_rev: RevStamp | None
    current: RowVersion
    incoming: RowVersion
    detected_at: IsoTimestamp
    status: Literal["open", "resolved"] = "open"
    # The revision that settled it, once a person chose.
    resolved_by_rev: RevStamp | None = None


class FinalizationStatus(Message):
    visit_id: Uuid
    content_hash: Sha256
    status: Literal["recorded", "refused", "unpermitted"]
    reason: str | None = None
    # The server's own re-score agrees with the stated one; a mismatch is flagged, not refused.
    score_matches: bool | None = None


class Receipt(Message):
    changeset_id: Uuid
    # The server's position after this changeset; a later pull from before it sees its rows.
    server_seq: Annotated[int, Field(ge=1)]
    received_at: IsoTimestamp
    rows: list[RowStatus]
    conflicts: list[Conflict] = []
    finalizations: list[FinalizationStatus] = []
