"""The office dashboard's results: per visit and rubric (``visit_results``), per item
(``item_scores``) and per section (``section_scores``), from the server's re-score of each
visit's latest finalized version.

A server upgraded with data keeps its figures: every visit's latest version held is scored
here from its stored record, the templates held and its unit's profile numbers, as a push
records it (server.dashboard.results). A version that cannot be scored (a template missing,
answers that no longer fit) is left out and named on standard error; a push of it would have
been refused.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import json
import sys

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _create() -> None:
    op.create_table(
        "visit_results",
        sa.Column("visit_id", sa.String(36), primary_key=True),
        sa.Column("rubric_hash", sa.String(64), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("rubric_id", sa.String(200), nullable=False),
        sa.Column("unit_id", sa.String(36), nullable=False),
        sa.Column("assignment_id", sa.String(36)),
        sa.Column("campaign_id", sa.String(36)),
        sa.Column("visit_type", sa.String(32), nullable=False),
        sa.Column("visit_date", sa.String(10), nullable=False),
        sa.Column("amendment_no", sa.Integer, nullable=False),
        sa.Column("awarded", sa.Text, nullable=False),
        sa.Column("bonus", sa.Text, nullable=False),
        sa.Column("total", sa.Text, nullable=False),
        sa.Column("maximum", sa.Text, nullable=False),
        sa.Column("band_value", sa.Text),
        sa.Column("total_num", sa.Float, nullable=False),
        sa.Column("maximum_num", sa.Float, nullable=False),
        sa.Column("percentage", sa.Float),
        sa.Column("band_code", sa.String(64)),
        sa.Column("band_zh", sa.Text),
        sa.Column("band_en", sa.Text),
        sa.Column("vetoes", sa.Text, nullable=False),
        sa.Column("vetoed", sa.Boolean, nullable=False),
        sa.Column("failed", sa.Boolean, nullable=False),
        sa.Column("server_seq", sa.Integer, nullable=False),
        sa.Column("latest_in_campaign", sa.Boolean, nullable=False),
        sa.Column("latest_of_unit", sa.Boolean, nullable=False),
    )
    op.create_index("visit_results_campaign", "visit_results", ["campaign_id", "rubric_id", "latest_in_campaign"])
    op.create_index("visit_results_unit", "visit_results", ["unit_id", "rubric_id", "visit_date"])
    op.create_index("visit_results_rubric", "visit_results", ["rubric_id", "latest_of_unit"])
    op.create_table(
        "item_scores",
        sa.Column("visit_id", sa.String(36), primary_key=True),
        sa.Column("rubric_hash", sa.String(64), primary_key=True),
        sa.Column("item_code", sa.String(64), primary_key=True),
        sa.Column("section_code", sa.String(64)),
        sa.Column("awarded", sa.Text, nullable=False),
        sa.Column("maximum", sa.Text, nullable=False),
        sa.Column("na", sa.Boolean, nullable=False),
    )
    op.create_index("item_scores_rubric_item", "item_scores", ["rubric_hash", "item_code"])
    op.create_table(
        "section_scores",
        sa.Column("visit_id", sa.String(36), primary_key=True),
        sa.Column("rubric_hash", sa.String(64), primary_key=True),
        sa.Column("section_code", sa.String(64), primary_key=True),
        sa.Column("awarded", sa.Text, nullable=False),
        sa.Column("maximum", sa.Text, nullable=False),
    )


def _backfill(conn: sa.Connection) -> None:
    # Imported here: the scoring engine is needed only when there are versions to score.
    from app.canonical import loads_exact
    from app.rubric.validate import build_rubric
    from server.dashboard.results import Unscorable, write_results

    latest = conn.execute(sa.text(
        "SELECT f.visit_id, f.amendment_no, f.unit_id, f.record, f.server_seq FROM finalized_versions f "
        "WHERE f.amendment_no = (SELECT max(g.amendment_no) FROM finalized_versions g "
        "WHERE g.visit_id = f.visit_id) ORDER BY f.visit_id")).all()
    rubrics: dict[str, object] = {}
    for row in latest:
        record = json.loads(row.record)
        missing = []
        for h in record["rubrics"]:
            if h not in rubrics:
                document = conn.execute(sa.text("SELECT document FROM rubric_templates WHERE hash = :h"),
                                        {"h": h}).scalar()
                if document is None:
                    missing.append(h)
                else:
                    rubrics[h] = build_rubric(loads_exact(document))
        if missing:
            print(f"0005: visit {row.visit_id} left out of the dashboard: rubric template(s) "
                  f"{', '.join(missing)} not held", file=sys.stderr)
            continue
        unit = conn.execute(sa.text("SELECT * FROM units WHERE id = :id"), {"id": row.unit_id}).first()
        try:
            write_results(conn, visit_id=row.visit_id, amendment_no=row.amendment_no, unit_id=row.unit_id,
                          record=record, rubrics=rubrics,  # type: ignore[arg-type]
                          unit=None if unit is None else dict(unit._mapping), server_seq=row.server_seq)
        except Unscorable as exc:
            print(f"0005: visit {row.visit_id} left out of the dashboard: {exc}", file=sys.stderr)


def upgrade() -> None:
    _create()
    # The coverage figure asks for a unit's visits rows.
    op.create_index("sync_rows_unit", "sync_rows", ["unit_id", "table_name"])
    _backfill(op.get_bind())


def downgrade() -> None:
    op.drop_index("sync_rows_unit", "sync_rows")
    op.drop_table("section_scores")
    op.drop_table("item_scores")
    op.drop_table("visit_results")
