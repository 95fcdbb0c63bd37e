"""Pull messages: everything the server has after a cursor, in pages.

An item says what it is in ``kind``, so one page mixes rubric templates, rows, conflicts and the
office's settings in the order the server recorded them: a client applying a page in order never
sees a row before the template or the unit it refers to.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from app.sync.fields import IsoTimestamp, Sha256, TableName, Uuid
from app.sync.protocol import (
    MAX_PULL_PAGE,
    Conflict,
    FinalizedVersion,
    Message,
    RowVersion,
    RubricTemplate,
)

# Opaque to the client: it stores the last one it applied and sends it back.
Cursor = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_.~-]+$")]


class PullRequest(Message):
    # None: from the beginning (a fresh profile, a replacement laptop).
    cursor: Cursor | None = None
    limit: Annotated[int, Field(ge=1, le=MAX_PULL_PAGE)] = 500


class _Item(Message):
    # The server's sequence number of the change, increasing through the pages.
    seq: Annotated[int, Field(ge=1)]


class RubricTemplateItem(_Item):
    kind: Literal["rubric_template"] = "rubric_template"
    template: RubricTemplate


class RowItem(_Item):
    """A synced row: units, areas, assignments, team-mates' rows of shared visits, and the office's
    finding events (a rectification status is the finding's latest event)."""

    kind: Literal["row"] = "row"
    table: TableName
    key: Uuid
    row: RowVersion


class ConflictItem(_Item):
    kind: Literal["conflict"] = "conflict"
    conflict: Conflict


class FinalizedVersionItem(_Item):
    kind: Literal["finalized_version"] = "finalized_version"
    version: FinalizedVersion


class OfficeSettings(Message):
    """What the printed sheets' 落款 (the issuing office's sign-off) shows."""

    name_zh: str
    name_en: str = ""
    # The office's logo or seal image, fetched like any blob; None for none.
    logo_sha256: Sha256 | None = None
    updated_at: IsoTimestamp
    # The office's X25519 public key (base64 of 32 bytes) that bundles for the office are sealed
    # to (app.sync.sealed); None from a server that does not say it.
    bundle_public_key: str | None = None


class OfficeSettingsItem(_Item):
    kind: Literal["office_settings"] = "office_settings"
    settings: OfficeSettings


PullItem = Annotated[
    RubricTemplateItem | RowItem | ConflictItem | FinalizedVersionItem | OfficeSettingsItem,
    Field(discriminator="kind"),
]


class PullPage(Message):
    items: list[PullItem]
    # Send it back for the next page; store it once the page is applied.
    next_cursor: Cursor
    # True when more items wait after this page.
    more: bool
