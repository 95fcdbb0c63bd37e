"""Pull: the office's tables carry the server sequence number of their last write, and the
office's settings (name and logo for the 落款) get a table.

Rows written before this migration are numbered here, after everything numbered already, in
the order a client applies them: rubric templates, areas (parents first), units, campaigns,
teams, assignments.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# (table, key column, order) in the order rows are numbered.
_NUMBERED = (
    ("rubric_templates", "hash", "published_at, hash"),
    ("admin_areas", "id", "length(path), path"),
    ("units", "id", "code"),
    ("campaigns", "id", "created_at, id"),
    ("teams", "id", "created_at, id"),
    ("assignments", "id", "created_at, id"),
)
_INDEXED = ("admin_areas", "units", "assignments")


def upgrade() -> None:
    for table, _key, _order in _NUMBERED:
        op.add_column(table, sa.Column("server_seq", sa.Integer, nullable=False, server_default="0"))
    for table in _INDEXED:
        op.create_index(f"{table}_seq", table, ["server_seq"])
    op.create_index("sync_conflicts_seq", "sync_conflicts", ["server_seq"])
    op.create_table(
        "office_settings",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("name_zh", sa.Text, nullable=False),
        sa.Column("name_en", sa.Text, nullable=False, server_default=""),
        sa.Column("logo_sha256", sa.String(64)),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.Column("server_seq", sa.Integer, nullable=False),
    )
    conn = op.get_bind()
    counter = conn.execute(sa.text("SELECT value FROM sync_counter WHERE name = 'server_seq'")).scalar()
    last = conn.execute(sa.text("SELECT max(server_seq) FROM sync_changesets")).scalar()
    seq = int(max(counter or 0, last or 0))
    for table, key, order in _NUMBERED:
        for (row_key,) in conn.execute(sa.text(f"SELECT {key} FROM {table} ORDER BY {order}")).all():
            seq += 1
            conn.execute(sa.text(f"UPDATE {table} SET server_seq = :seq WHERE {key} = :key"),
                         {"seq": seq, "key": row_key})
    if counter is None:
        conn.execute(sa.text("INSERT INTO sync_counter (name, value) VALUES ('server_seq', :v)"), {"v": seq})
    else:
        conn.execute(sa.text("UPDATE sync_counter SET value = :v WHERE name = 'server_seq'"), {"v": seq})


def downgrade() -> None:
    op.drop_table("office_settings")
    op.drop_index("sync_conflicts_seq", "sync_conflicts")
    for table in _INDEXED:
        op.drop_index(f"{table}_seq", table)
    for table, _key, _order in _NUMBERED:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("server_seq")
