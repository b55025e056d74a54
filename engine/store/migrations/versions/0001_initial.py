"""The first store schema: runs, their documents, files, results rows and warnings.

Revision ID: 0001
Revises: none
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

DIGEST = sa.String(80)


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("recorded_at", sa.String(32), nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("ruleset_id", sa.String(200), nullable=False),
        sa.Column("ruleset_title", sa.Text, nullable=False),
        sa.Column("ruleset_year", sa.Integer, nullable=False),
        sa.Column("jurisdiction", sa.Text, nullable=False),
        sa.Column("ruleset_path", sa.Text, nullable=False),
        sa.Column("ruleset_digest", DIGEST, nullable=False),
        sa.Column("data_digest", DIGEST, nullable=False),
        sa.Column("engine_version", sa.String(40), nullable=False),
        sa.Column("results_digest", DIGEST, nullable=False),
        sa.Column("period_filter", sa.String(40), nullable=True),
        sa.Column("subjects_count", sa.Integer, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("previous_digest", DIGEST, nullable=True),
        sa.Column("digest", DIGEST, nullable=True),
    )
    op.create_table(
        "run_documents",
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), primary_key=True),
        sa.Column("document", sa.Text, nullable=False),
    )
    op.create_table(
        "run_files",
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), primary_key=True),
        sa.Column("role", sa.String(20), primary_key=True),
        sa.Column("path", sa.Text, primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False),
    )
    op.create_table(
        "run_results",
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), primary_key=True),
        sa.Column("period", sa.String(40), primary_key=True),
        sa.Column("subject_id", sa.String(200), primary_key=True),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("period_kind", sa.String(20), nullable=False),
        sa.Column("subject_name", sa.Text, nullable=True),
        sa.Column("unit", sa.Text, nullable=True),
        sa.Column("subject_class", sa.String(200), nullable=True),
        sa.Column("rank_group", sa.Text, nullable=True),
        sa.Column("total", sa.String(60), nullable=True),
        sa.Column("rank", sa.Integer, nullable=True),
        sa.Column("grade", sa.Text, nullable=True),
        sa.Column("vetoed", sa.Boolean, nullable=False),
        sa.Column("excluded", sa.Boolean, nullable=False),
    )
    op.create_index("ix_run_results_subject", "run_results", ["subject_id", "period"])
    op.create_table(
        "run_warnings",
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("period", sa.String(40), nullable=False),
        sa.Column("code", sa.String(60), nullable=False),
        sa.Column("file", sa.Text, nullable=True),
        sa.Column("line_no", sa.Integer, nullable=True),
        sa.Column("column_no", sa.Integer, nullable=True),
        sa.Column("json_path", sa.Text, nullable=True),
        sa.Column("message_zh", sa.Text, nullable=False),
        sa.Column("message_en", sa.Text, nullable=False),
        sa.Column("subjects", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for table in ("run_warnings", "run_results", "run_files", "run_documents", "runs"):
        op.drop_table(table)
