"""Sync push: the changesets applied (with their receipts), the server's rows by stable key,
the conflicts that keep both versions, and the sequence counter.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_counter",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("value", sa.Integer, nullable=False),
    )
    op.create_table(
        "sync_changesets",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("device_id", sa.String(36), nullable=False),
        sa.Column("device_seq", sa.Integer, nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("account_id", sa.String(36), sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("server_seq", sa.Integer, nullable=False, unique=True),
        sa.Column("receipt", sa.Text, nullable=False),
        sa.Column("received_at", sa.Float, nullable=False),
    )
    op.create_index("sync_changesets_device", "sync_changesets", ["device_id", "device_seq"])
    op.create_table(
        "sync_rows",
        sa.Column("table_name", sa.String(32), primary_key=True),
        sa.Column("key", sa.String(36), primary_key=True),
        sa.Column("rev", sa.String(64), nullable=False),
        sa.Column("device_id", sa.String(36), nullable=False),
        sa.Column("base_rev", sa.String(64)),
        sa.Column("deleted", sa.Boolean, nullable=False),
        sa.Column("row_values", sa.Text, nullable=False),
        sa.Column("visit_id", sa.String(36)),
        sa.Column("unit_id", sa.String(36)),
        sa.Column("server_seq", sa.Integer, nullable=False),
    )
    op.create_index("sync_rows_seq", "sync_rows", ["server_seq"])
    op.create_index("sync_rows_visit", "sync_rows", ["visit_id"])
    op.create_table(
        "sync_conflicts",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("table_name", sa.String(32), nullable=False),
        sa.Column("key", sa.String(36), nullable=False),
        sa.Column("visit_id", sa.String(36)),
        sa.Column("base_rev", sa.String(64)),
        sa.Column("current", sa.Text, nullable=False),
        sa.Column("incoming", sa.Text, nullable=False),
        sa.Column("detected_at", sa.Float, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("resolved_by_rev", sa.String(64)),
        sa.Column("changeset_id", sa.String(36), nullable=False),
        sa.Column("server_seq", sa.Integer, nullable=False),
        sa.CheckConstraint("status IN ('open', 'resolved')", name="sync_conflicts_status"),
    )
    op.create_index("sync_conflicts_row", "sync_conflicts", ["table_name", "key"])
    op.create_index("sync_conflicts_visit", "sync_conflicts", ["visit_id"])


def downgrade() -> None:
    for name in ("sync_conflicts", "sync_rows", "sync_changesets", "sync_counter"):
        op.drop_table(name)
