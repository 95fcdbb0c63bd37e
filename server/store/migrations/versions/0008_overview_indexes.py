"""Indexes for the campaign overview at scale (issue 13: 100,000 visits in a province).

- ``visit_results_checks``: the spot-check share asks which units the lower level checked in
  a period. Without it that is a scan of every result, row by row; this index holds just the
  lower-level results (the first rubric of a visit that is not a spot check, self-assessment or
  follow-up: server.dashboard.figures.NOT_LOWER_LEVEL) by date, with their unit, so the period
  is one range read from the index alone.
- ``sync_rows_visit_assignment``: coverage asks whether a visit in progress names an
  assignment. The assignment is a key of the visits row's JSON; indexed, a unit's visits rows
  need not each be parsed to find it.

Both are partial, so they cost nothing for the rows the figures never ask about.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# Kept in step with server.store.schema (the metadata) and the figures' conditions: a partial
# index serves only a query whose condition is written the same way.
LOWER_LEVEL = "position = 0 AND visit_type NOT IN ('spot_check', 'self_assessment', 'follow_up')"
VISITS = "table_name = 'visits'"


def upgrade() -> None:
    bind = op.get_bind()
    op.create_index("visit_results_checks", "visit_results", ["visit_date", "unit_id"],
                    postgresql_where=sa.text(LOWER_LEVEL), sqlite_where=sa.text(LOWER_LEVEL))
    if bind.dialect.name != "postgresql":
        op.execute("CREATE INDEX sync_rows_visit_assignment ON sync_rows "
                   f"(json_extract(row_values, '$.assignment_id')) WHERE {VISITS}")
        return
    # PostgreSQL's JSON cannot hold an escaped NUL (text may: a note "a\u0000b" is a row like any
    # other), so the escape is swapped for U+FFFD first: an ID never holds either.
    assignment = "(CAST(replace(row_values, '\\u0000', '\\ufffd') AS JSON) ->> 'assignment_id')"
    op.execute(f"CREATE INDEX sync_rows_visit_assignment ON sync_rows ({assignment}) WHERE {VISITS}")
    # PostgreSQL keeps no statistics of a partial index's expression, so without these it would
    # guess that one assignment is named by hundreds of visits rows and keep to the unit index.
    # (Statistics on an expression need PostgreSQL 14; on 13 coverage reads by the unit index.)
    if (bind.dialect.server_version_info or (0,)) >= (14,):
        op.execute(f"CREATE STATISTICS sync_rows_visit_assignment_stats ON ({assignment}) FROM sync_rows")
        op.execute("ANALYZE sync_rows, visit_results")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP STATISTICS IF EXISTS sync_rows_visit_assignment_stats")
    op.drop_index("sync_rows_visit_assignment", table_name="sync_rows")
    op.drop_index("visit_results_checks", table_name="visit_results")
