"""Finalized versions: every finalized state of a visit a push or bundle delivered, with the
canonical record it hashes, the laptop's stated score beside the server's own re-score, and the
short verification code printed on paper; and ``rate_hits``, the public verify page's per-address
counter; and the blob each pushed row names.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "finalized_versions",
        sa.Column("visit_id", sa.String(36), primary_key=True),
        sa.Column("amendment_no", sa.Integer, primary_key=True),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("replaces", sa.String(64)),
        sa.Column("finalized_at", sa.Text, nullable=False),
        sa.Column("unit_id", sa.String(36), nullable=False),
        sa.Column("visit_date", sa.String(10), nullable=False),
        sa.Column("record", sa.Text, nullable=False),
        sa.Column("stated_total", sa.Text, nullable=False),
        sa.Column("stated_maximum", sa.Text, nullable=False),
        sa.Column("stated_band", sa.Text),
        sa.Column("server_total", sa.Text, nullable=False),
        sa.Column("server_maximum", sa.Text, nullable=False),
        sa.Column("server_band", sa.Text),
        sa.Column("server_vetoes", sa.Text, nullable=False),
        sa.Column("score_matches", sa.Boolean, nullable=False),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("changeset_id", sa.String(36), nullable=False),
        sa.Column("device_id", sa.String(36), nullable=False),
        sa.Column("account_id", sa.String(36), sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("received_at", sa.Float, nullable=False),
        sa.Column("server_seq", sa.Integer, nullable=False),
    )
    op.create_index("finalized_versions_code", "finalized_versions", ["code"])
    op.create_index("finalized_versions_hash", "finalized_versions", ["content_hash"])
    op.create_index("finalized_versions_seq", "finalized_versions", ["server_seq"])
    op.create_index("finalized_versions_unit", "finalized_versions", ["unit_id"])


    op.create_table(
        "rate_hits",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("at", sa.Float, nullable=False),
    )
    op.create_index("rate_hits_key_at", "rate_hits", ["key", "at"])
    # The blob a pushed row names (a photo, a signature), so GET /blobs/{sha} can tell whether
    # the caller may see it without reading every row's values.
    with op.batch_alter_table("sync_rows") as batch:
        batch.add_column(sa.Column("blob_sha256", sa.String(64)))
    op.execute("UPDATE sync_rows SET blob_sha256 = json_extract(row_values, '$.sha256') "
               "WHERE table_name IN ('evidence', 'signatures')"
               if op.get_bind().dialect.name == "sqlite" else
               "UPDATE sync_rows SET blob_sha256 = row_values::json->>'sha256' "
               "WHERE table_name IN ('evidence', 'signatures')")
    op.create_index("sync_rows_blob", "sync_rows", ["blob_sha256"])


def downgrade() -> None:
    op.drop_index("sync_rows_blob", "sync_rows")
    with op.batch_alter_table("sync_rows") as batch:
        batch.drop_column("blob_sha256")
    op.drop_table("rate_hits")
    op.drop_table("finalized_versions")
