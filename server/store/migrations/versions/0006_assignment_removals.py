"""Assignments the office removed: kept as tombstones (their last values) so that a pull tells
the laptops holding them, while ``assignments`` keeps only the live plans the figures count.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assignment_removals",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("campaign_id", sa.String(36), sa.ForeignKey("campaigns.id"), nullable=False),
        sa.Column("unit_id", sa.String(36), sa.ForeignKey("units.id"), nullable=False),
        sa.Column("team_id", sa.String(36), sa.ForeignKey("teams.id"), nullable=False),
        sa.Column("visit_type", sa.String(32), nullable=False),
        sa.Column("window_start", sa.String(10), nullable=False),
        sa.Column("window_end", sa.String(10), nullable=False),
        sa.Column("rubric_hashes", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("removed_at", sa.Float, nullable=False),
        sa.Column("removed_by", sa.String(36), sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("server_seq", sa.Integer, nullable=False),
    )
    op.create_index("assignment_removals_seq", "assignment_removals", ["server_seq"])


def downgrade() -> None:
    op.drop_index("assignment_removals_seq", table_name="assignment_removals")
    op.drop_table("assignment_removals")
