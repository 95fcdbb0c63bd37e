"""The newest desktop release the office offers, with its download link (issue 14: laptops say
when a newer Fieldmark exists; they never update themselves).

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "client_release",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("version", sa.String(32), nullable=False),
        sa.Column("download_url", sa.Text, nullable=False),
        sa.Column("notes_zh", sa.Text, nullable=False, server_default=""),
        sa.Column("notes_en", sa.Text, nullable=False, server_default=""),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.Column("updated_by", sa.String(36), sa.ForeignKey("accounts.id")),
    )


def downgrade() -> None:
    op.drop_table("client_release")
