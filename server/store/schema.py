"""The tables as SQLAlchemy Core metadata, for queries.

The schema itself is made only by the Alembic scripts in ``migrations/``; a test checks that
this metadata and a migrated database agree, on SQLite and on PostgreSQL.
Times are seconds since the epoch (floats): one representation on both engines, no time zones.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

metadata = MetaData()

admin_areas = Table(
    "admin_areas", metadata,
    Column("id", String(36), primary_key=True),
    Column("parent_id", String(36), ForeignKey("admin_areas.id")),
    Column("level", String(16), nullable=False),
    Column("code", String(32), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    # "/42/4203/420381/": a subtree is every path with this prefix (scope checks are one LIKE).
    Column("path", Text, nullable=False),
    Column("updated_at", Float, nullable=False),
    # The server sequence number of its last write (server.sync.sequence), for pulls (0003).
    Column("server_seq", Integer, nullable=False, server_default="0"),
    Index("admin_areas_path", "path"),
    Index("admin_areas_seq", "server_seq"),
)

units = Table(
    "units", metadata,
    Column("id", String(36), primary_key=True),
    Column("area_id", String(36), ForeignKey("admin_areas.id"), nullable=False),
    Column("code", String(64), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("unit_type", String(64), nullable=False),
    Column("head_name", Text, nullable=False, server_default=""),
    Column("phone", Text, nullable=False, server_default=""),
    Column("address", Text, nullable=False, server_default=""),
    Column("profile", Text, nullable=False, server_default="{}"),
    Column("updated_at", Float, nullable=False),
    # The server sequence number of its last write (server.sync.sequence), for pulls (0003).
    Column("server_seq", Integer, nullable=False, server_default="0"),
    Index("units_area", "area_id"),
    Index("units_seq", "server_seq"),
)

accounts = Table(
    "accounts", metadata,
    Column("id", String(36), primary_key=True),
    Column("login", String(64), nullable=False, unique=True),
    Column("name", Text, nullable=False, server_default=""),
    Column("role", String(16), nullable=False),
    # NULL: the whole tree (the first admin, made before any area exists).
    Column("scope_area_id", String(36), ForeignKey("admin_areas.id")),
    Column("password_hash", Text, nullable=False),
    Column("disabled", Boolean, nullable=False, server_default="0"),
    Column("created_at", Float, nullable=False),
)

tokens = Table(
    "tokens", metadata,
    # SHA-256 of the token: a stolen database does not hold a usable token.
    Column("hash", String(64), primary_key=True),
    Column("account_id", String(36), ForeignKey("accounts.id"), nullable=False),
    Column("device_id", String(64)),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("revoked_at", Float),
    Index("tokens_account", "account_id"),
)

login_failures = Table(
    "login_failures", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # "account:<login>" or "address:<ip>"
    Column("key", String(200), nullable=False),
    Column("at", Float, nullable=False),
    Index("login_failures_key_at", "key", "at"),
)

devices = Table(
    "devices", metadata,
    Column("id", String(64), primary_key=True),
    Column("account_id", String(36), ForeignKey("accounts.id"), nullable=False),
    Column("name", Text, nullable=False),
    Column("public_key", Text, nullable=False),
    Column("registered_at", Float, nullable=False),
    Column("last_seen_at", Float, nullable=False),
)

rubric_templates = Table(
    "rubric_templates", metadata,
    Column("hash", String(64), primary_key=True),
    Column("rubric_id", String(200), nullable=False),
    Column("version", String(64), nullable=False),
    Column("name_zh", Text, nullable=False),
    Column("name_en", Text, nullable=False),
    Column("document", Text, nullable=False),
    Column("published_at", Float, nullable=False),
    # The server sequence number of its last write (server.sync.sequence), for pulls (0003).
    Column("server_seq", Integer, nullable=False, server_default="0"),
    UniqueConstraint("rubric_id", "version", name="rubric_templates_id_version"),
)

campaigns = Table(
    "campaigns", metadata,
    Column("id", String(36), primary_key=True),
    Column("name", Text, nullable=False, unique=True),
    Column("created_at", Float, nullable=False),
    # The server sequence number of its last write (server.sync.sequence), for pulls (0003).
    Column("server_seq", Integer, nullable=False, server_default="0"),
)

teams = Table(
    "teams", metadata,
    Column("id", String(36), primary_key=True),
    Column("name", Text, nullable=False, unique=True),
    Column("created_at", Float, nullable=False),
    # The server sequence number of its last write (server.sync.sequence), for pulls (0003).
    Column("server_seq", Integer, nullable=False, server_default="0"),
)

team_members = Table(
    "team_members", metadata,
    Column("team_id", String(36), ForeignKey("teams.id"), primary_key=True),
    Column("account_id", String(36), ForeignKey("accounts.id"), primary_key=True),
)

assignments = Table(
    "assignments", metadata,
    Column("id", String(36), primary_key=True),
    Column("campaign_id", String(36), ForeignKey("campaigns.id"), nullable=False),
    Column("unit_id", String(36), ForeignKey("units.id"), nullable=False),
    Column("team_id", String(36), ForeignKey("teams.id"), nullable=False),
    Column("visit_type", String(32), nullable=False),
    Column("window_start", String(10), nullable=False),
    Column("window_end", String(10), nullable=False),
    # JSON list of the content hashes the visit pins.
    Column("rubric_hashes", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    # The server sequence number of its last write (server.sync.sequence), for pulls (0003).
    Column("server_seq", Integer, nullable=False, server_default="0"),
    UniqueConstraint("campaign_id", "unit_id", "team_id", name="assignments_once"),
    Index("assignments_seq", "server_seq"),
)

# An assignment the office removed: its last values, kept so a pull can tell the laptops that
# held it (a tombstone), while the assignments table keeps only live plans for the figures.
assignment_removals = Table(
    "assignment_removals", metadata,
    Column("id", String(36), primary_key=True),
    Column("campaign_id", String(36), ForeignKey("campaigns.id"), nullable=False),
    Column("unit_id", String(36), ForeignKey("units.id"), nullable=False),
    Column("team_id", String(36), ForeignKey("teams.id"), nullable=False),
    Column("visit_type", String(32), nullable=False),
    Column("window_start", String(10), nullable=False),
    Column("window_end", String(10), nullable=False),
    Column("rubric_hashes", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("removed_at", Float, nullable=False),
    Column("removed_by", String(36), ForeignKey("accounts.id"), nullable=False),
    Column("server_seq", Integer, nullable=False),
    Index("assignment_removals_seq", "server_seq"),
)

# --- sync: pushed rows, their conflicts, and the changesets applied (migration 0002) -----------

# One counter for everything a pull will page through; pushes take it inside their transaction,
# one at a time (see server.sync.push), so numbers are handed out in commit order.
sync_counter = Table(
    "sync_counter", metadata,
    Column("name", String(32), primary_key=True),
    Column("value", Integer, nullable=False),
)

# Each changeset applied, by its id (the idempotency key), with the digest of its content and
# the receipt answered, so the same changeset again gets the same receipt.
sync_changesets = Table(
    "sync_changesets", metadata,
    Column("id", String(36), primary_key=True),
    Column("device_id", String(36), nullable=False),
    Column("device_seq", Integer, nullable=False),
    Column("digest", String(64), nullable=False),
    Column("account_id", String(36), ForeignKey("accounts.id"), nullable=False),
    Column("server_seq", Integer, nullable=False, unique=True),
    Column("receipt", Text, nullable=False),
    Column("received_at", Float, nullable=False),
    Index("sync_changesets_device", "device_id", "device_seq"),
)

# The server's current version of every synced row, by its stable key (app.sync.ids).
sync_rows = Table(
    "sync_rows", metadata,
    Column("table_name", String(32), primary_key=True),
    Column("key", String(36), primary_key=True),
    Column("rev", String(64), nullable=False),
    Column("device_id", String(36), nullable=False),
    Column("base_rev", String(64)),
    Column("deleted", Boolean, nullable=False),
    # Canonical JSON of the row's values.
    Column("row_values", Text, nullable=False),
    # Where the row belongs, for scope checks and pulls: its visit and that visit's unit.
    Column("visit_id", String(36)),
    Column("unit_id", String(36)),
    Column("server_seq", Integer, nullable=False),
    # The blob the row names (evidence, signatures), for the blob download's permission (0004).
    Column("blob_sha256", String(64)),
    Index("sync_rows_seq", "server_seq"),
    Index("sync_rows_visit", "visit_id"),
    Index("sync_rows_blob", "blob_sha256"),
)

# Both versions of a row changed on two sides since a common base; nothing is overwritten.
sync_conflicts = Table(
    "sync_conflicts", metadata,
    Column("id", String(36), primary_key=True),
    Column("table_name", String(32), nullable=False),
    Column("key", String(36), nullable=False),
    Column("visit_id", String(36)),
    Column("base_rev", String(64)),
    # Canonical JSON of each side (the protocol's RowVersion).
    Column("current", Text, nullable=False),
    Column("incoming", Text, nullable=False),
    Column("detected_at", Float, nullable=False),
    Column("status", String(16), nullable=False),
    Column("resolved_by_rev", String(64)),
    Column("changeset_id", String(36), nullable=False),
    Column("server_seq", Integer, nullable=False),
    Index("sync_conflicts_row", "table_name", "key"),
    Index("sync_conflicts_visit", "visit_id"),
    Index("sync_conflicts_seq", "server_seq"),
)

# --- the office's settings, for the 落款 on printed sheets (migration 0003) ---------------------

# One row (id "office"), set by an admin; pulled by every account.
office_settings = Table(
    "office_settings", metadata,
    Column("id", String(16), primary_key=True),
    Column("name_zh", Text, nullable=False),
    Column("name_en", Text, nullable=False, server_default=""),
    Column("logo_sha256", String(64)),
    Column("updated_at", Float, nullable=False),
    Column("server_seq", Integer, nullable=False),
)

# --- finalized versions of visits (migration 0004) ---------------------------------------------

# Every finalized state of a visit, never overwritten: an amendment adds a row that names the
# content hash it replaces. ``record`` is the canonical visit record (app.visit_record) whose
# SHA-256 is ``content_hash``, so a version's content survives later edits of the rows.
finalized_versions = Table(
    "finalized_versions", metadata,
    Column("visit_id", String(36), primary_key=True),
    Column("amendment_no", Integer, primary_key=True),
    # Not unique: an amendment that undoes an earlier one returns to that version's content.
    Column("content_hash", String(64), nullable=False),
    Column("replaces", String(64)),
    # ISO 8601 as the laptop stated it: its offset gives the local date printed on the sheet.
    Column("finalized_at", Text, nullable=False),
    Column("unit_id", String(36), nullable=False),
    # The visit's starts_on (YYYY-MM-DD), shown by the verify page.
    Column("visit_date", String(10), nullable=False),
    Column("record", Text, nullable=False),
    # Decimal text: the laptop's stated score, and the server's own re-score with the same engine.
    Column("stated_total", Text, nullable=False),
    Column("stated_maximum", Text, nullable=False),
    Column("stated_band", Text),
    Column("server_total", Text, nullable=False),
    Column("server_maximum", Text, nullable=False),
    Column("server_band", Text),
    # JSON list of the veto items the server's re-score found triggered.
    Column("server_vetoes", Text, nullable=False),
    Column("score_matches", Boolean, nullable=False),
    # The short code printed under the QR (app.reports.verify.short_code) without dashes, lower
    # case: first 8 hex digits of the visit id, then the first 8 of the content hash.
    Column("code", String(16), nullable=False),
    Column("changeset_id", String(36), nullable=False),
    Column("device_id", String(36), nullable=False),
    Column("account_id", String(36), ForeignKey("accounts.id"), nullable=False),
    Column("received_at", Float, nullable=False),
    Column("server_seq", Integer, nullable=False),
    Index("finalized_versions_code", "code"),
    Index("finalized_versions_hash", "content_hash"),
    Index("finalized_versions_seq", "server_seq"),
    Index("finalized_versions_unit", "unit_id"),
)

# Requests counted for a rate limit that is not about logins (the public verify page, by client
# address): its own table, so pruning one limit's rows never touches the other's.
rate_hits = Table(
    "rate_hits", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(200), nullable=False),
    Column("at", Float, nullable=False),
    Index("rate_hits_key_at", "key", "at"),
)

# --- the office dashboard's results, kept at push time (migration 0005) ------------------------

# One row per rubric of each visit's latest finalized version, from the server's own re-score
# (server.dashboard.results): what every figure of the dashboard, its exports and the bulletin
# counts. Replaced whole when a later amendment is recorded. Exact decimal text for display and
# combining, floats beside it for sorting and averaging in SQL.
visit_results = Table(
    "visit_results", metadata,
    Column("visit_id", String(36), primary_key=True),
    Column("rubric_hash", String(64), primary_key=True),
    # The rubric's place in the visit (0: the first, whose score is the visit's summary).
    Column("position", Integer, nullable=False),
    Column("rubric_id", String(200), nullable=False),
    Column("unit_id", String(36), nullable=False),
    Column("assignment_id", String(36)),
    # The assignment's campaign, when the visit names an assignment the server holds.
    Column("campaign_id", String(36)),
    Column("visit_type", String(32), nullable=False),
    Column("visit_date", String(10), nullable=False),
    Column("amendment_no", Integer, nullable=False),
    Column("awarded", Text, nullable=False),
    Column("bonus", Text, nullable=False),
    # awarded + bonus: what the bands and the ranking compare.
    Column("total", Text, nullable=False),
    Column("maximum", Text, nullable=False),
    Column("band_value", Text),
    Column("total_num", Float, nullable=False),
    Column("maximum_num", Float, nullable=False),
    # awarded / maximum × 100 (None when every item is N/A).
    Column("percentage", Float),
    Column("band_code", String(64)),
    Column("band_zh", Text),
    Column("band_en", Text),
    # JSON list of the veto codes triggered; ``vetoed`` is whether there is any.
    Column("vetoes", Text, nullable=False),
    Column("vetoed", Boolean, nullable=False),
    Column("failed", Boolean, nullable=False),
    Column("server_seq", Integer, nullable=False),
    # Whether this is its unit's latest result under the rubric in its campaign, and of all:
    # the one a figure counts (latest visit date, then latest received, then visit id), kept
    # by the writer so that no figure sorts every result to find it.
    Column("latest_in_campaign", Boolean, nullable=False),
    Column("latest_of_unit", Boolean, nullable=False),
    Index("visit_results_campaign", "campaign_id", "rubric_id", "latest_in_campaign"),
    Index("visit_results_unit", "unit_id", "rubric_id", "visit_date"),
    Index("visit_results_rubric", "rubric_id", "latest_of_unit"),
)

# Each item's awarded and maximum points in those results (N/A items: maximum 0).
item_scores = Table(
    "item_scores", metadata,
    Column("visit_id", String(36), primary_key=True),
    Column("rubric_hash", String(64), primary_key=True),
    Column("item_code", String(64), primary_key=True),
    Column("section_code", String(64)),
    Column("awarded", Text, nullable=False),
    Column("maximum", Text, nullable=False),
    Column("na", Boolean, nullable=False),
    Index("item_scores_rubric_item", "rubric_hash", "item_code"),
)

# Each section's awarded and maximum points in those results (sub-sections included).
section_scores = Table(
    "section_scores", metadata,
    Column("visit_id", String(36), primary_key=True),
    Column("rubric_hash", String(64), primary_key=True),
    Column("section_code", String(64), primary_key=True),
    Column("awarded", Text, nullable=False),
    Column("maximum", Text, nullable=False),
)

# A unit's pushed rows of one table (its visits, for the dashboard's coverage), migration 0005.
Index("sync_rows_unit", sync_rows.c.unit_id, sync_rows.c.table_name)


class _VisitAssignment(FunctionElement[str]):
    """The assignment a visits row's JSON names, as each engine spells it (migration 0008)."""

    name = "visit_assignment"
    inherit_cache = True


@compiles(_VisitAssignment, "postgresql")
def _visit_assignment_pg(element: Any, compiler: Any, **kw: Any) -> str:
    # As migration 0008 spells it: an escaped NUL, which PostgreSQL's JSON refuses, swapped first.
    return f"(CAST(replace({compiler.process(element.clauses, **kw)}, '\\u0000', '\\ufffd') AS JSON) ->> 'assignment_id')"


@compiles(_VisitAssignment)
def _visit_assignment(element: Any, compiler: Any, **kw: Any) -> str:
    return f"json_extract({compiler.process(element.clauses, **kw)}, '$.assignment_id')"


# The dashboard's overview at scale (migration 0008): the lower level's checks by date, for the
# spot-check share, and the assignment a visits row names, for coverage; both partial.
_LOWER_LEVEL = text("position = 0 AND visit_type NOT IN ('spot_check', 'self_assessment', 'follow_up')")
_VISITS = text("table_name = 'visits'")
Index("visit_results_checks", visit_results.c.visit_date, visit_results.c.unit_id,
      postgresql_where=_LOWER_LEVEL, sqlite_where=_LOWER_LEVEL)
Index("sync_rows_visit_assignment", _VisitAssignment(sync_rows.c.row_values), postgresql_where=_VISITS, sqlite_where=_VISITS)

# --- the office's rectification changes (migration 0007) ------------------------------------

# The server's node in the hybrid logical clock (app.hlc) of the rows it writes itself (the
# office's finding events): one row, id "server", made on first use, holding the last stamp
# issued, so every app process continues one clock under the push lock.
server_clock = Table(
    "server_clock", metadata,
    Column("id", String(16), primary_key=True),
    Column("node", String(36), nullable=False),
    Column("wall_ms", BigInteger, nullable=False),
    Column("counter", Integer, nullable=False),
)

# Who in the office wrote each finding event the server made (the synced row names no account).
office_finding_events = Table(
    "office_finding_events", metadata,
    Column("event_key", String(36), primary_key=True),
    Column("finding_id", String(36), nullable=False),
    Column("account_id", String(36), ForeignKey("accounts.id"), nullable=False),
    Column("written_at", Float, nullable=False),
    Index("office_finding_events_finding", "finding_id"),
)

# --- the newest desktop release the office offers (migration 0009) -----------------------------

# One row (id "latest") or none, set by an admin; laptops read it at each sync (GET /client-release)
# and say when it is newer than theirs, with the office's download link.
client_release = Table(
    "client_release", metadata,
    Column("id", String(16), primary_key=True),
    Column("version", String(32), nullable=False),
    Column("download_url", Text, nullable=False),
    Column("notes_zh", Text, nullable=False, server_default=""),
    Column("notes_en", Text, nullable=False, server_default=""),
    Column("updated_at", Float, nullable=False),
    Column("updated_by", String(36), ForeignKey("accounts.id")),
)
