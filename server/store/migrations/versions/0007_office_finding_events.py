"""The office's rectification changes: the server's node in the hybrid logical clock of the
rows it writes itself (``server_clock``: one row, made on first use, with the last stamp it
issued, so every app process continues the same clock) and who in the office wrote each finding
event the server made (``office_finding_events``; the event row itself is a ``sync_rows`` row
that laptops pull, and it names no office account).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "server_clock",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("node", sa.String(36), nullable=False),
        sa.Column("wall_ms", sa.BigInteger, nullable=False),
        sa.Column("counter", sa.Integer, nullable=False),
    )
    op.create_table(
        "office_finding_events",
        sa.Column("event_key", sa.String(36), primary_key=True),
        sa.Column("finding_id", sa.String(36), nullable=False),
        sa.Column("account_id", sa.String(36), sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("written_at", sa.Float, nullable=False),
    )
    op.create_index("office_finding_events_finding", "office_finding_events", ["finding_id"])


def downgrade() -> None:
    op.drop_index("office_finding_events_finding", "office_finding_events")
    op.drop_table("office_finding_events")
    op.drop_table("server_clock")
