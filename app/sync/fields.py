"""The checked scalar types every sync message is built from.

Kept as strings on the wire (not ``UUID`` or ``datetime`` objects) so a value is passed on, hashed
and compared exactly as the sender wrote it: a changeset's digest and a bundle's signature cover
the text, and a re-formatted timestamp would change both.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Literal, get_args

from pydantic import AfterValidator, StringConstraints

from app.hlc import Stamp

_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

# Lower-case only: keys are compared as text on both sides, and uuid4()/uuid5() print lower case.
Uuid = Annotated[str, StringConstraints(pattern=rf"^{_UUID}$")]

Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]

_ISO = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$"


def _real_instant(text: str) -> str:
    # The pattern admits 2026-02-31; only a calendar check refuses it.
    try:
        datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"not a real date and time: {text}") from exc
    return text


# Always with an offset: a naive time from a laptop in another zone would sort wrongly on the server.
IsoTimestamp = Annotated[str, StringConstraints(pattern=_ISO), AfterValidator(_real_instant)]


def _stamp_text(text: str) -> str:
    # The pattern fixes the widths; this catches what it cannot (a round trip through Stamp).
    if str(Stamp.parse(text)) != text:
        raise ValueError(f"not a revision stamp: {text}")
    return text


# app/hlc.py's text form, whose node is the writing device's id: "000001764000000000-000003-<uuid>".
RevStamp = Annotated[
    str, StringConstraints(pattern=rf"^\d{{15}}-\d{{6}}-{_UUID}$"), AfterValidator(_stamp_text)
]

# A column name inside a row's values. The sync bookkeeping travels beside the values, never in them.
SYNC_BOOKKEEPING = frozenset({"id", "rev", "device_id", "dirty", "deleted", "base_rev"})
ColumnName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,62}$")]

# The tables a changeset may carry in protocol version 1. Fixed here rather than read from the
# database code, so the contract changes only with a version. The four ``evidence_*`` tables carry
# a photo's caption, annotations, links and order as rows of their own (one each per photo, keyed
# by the photo), so two people editing different things of one photo never meet in one row.
TableName = Literal[
    "admin_areas",
    "units",
    "inspectors",
    "teams",
    "team_members",
    "campaigns",
    "assignments",
    "visits",
    "visit_rubrics",
    "visit_members",
    "visit_sections",
    "responses",
    "findings",
    "finding_events",
    "good_practices",
    "evidence",
    "evidence_captions",
    "evidence_annotations",
    "evidence_links",
    "evidence_positions",
    "signatures",
    "audit_log",
]
PROTOCOL_TABLES: tuple[str, ...] = get_args(TableName)


def _key_text(length: int, what: str) -> Callable[[str], str]:
    def check(text: str) -> str:
        try:
            raw = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError(f"{what} is not base64") from exc
        if len(raw) != length:
            raise ValueError(f"{what} must be {length} bytes, not {len(raw)}")
        return text

    return check


# Ed25519 material in standard base64 with padding (RFC 4648 section 4).
PublicKeyText = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9+/]{43}=$"), AfterValidator(_key_text(32, "public key"))
]
SignatureText = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9+/]{86}==$"), AfterValidator(_key_text(64, "signature"))
]
