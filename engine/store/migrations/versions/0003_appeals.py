"""Appeals (复核): an appeal against a signed-off run, the corrected data it read, what it changed.

Revision ID: 0003
Revises: 0002

Three new tables; the runs tables are not touched, so a signed-off run's rows
and digest stay exactly as they were. Appeals are only ever inserted.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

DIGEST = sa.String(80)


def upgrade() -> None:
    op.create_table(
        "appeals",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False),
        sa.Column("appealed_at", sa.String(32), nullable=False),
        sa.Column("appealed_by", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("run_digest", DIGEST, nullable=False),
        sa.Column("data_path", sa.Text, nullable=False),
        sa.Column("data_digest", DIGEST, nullable=False),
        sa.Column("engine_version", sa.String(40), nullable=False),
        sa.Column("results_digest", DIGEST, nullable=False),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("changes_count", sa.Integer, nullable=False),
        sa.Column("digest", DIGEST, nullable=False),
    )
    op.create_index("ix_appeals_run", "appeals", ["run_id"])
    op.create_table(
        "appeal_files",
        sa.Column("appeal_id", sa.Integer, sa.ForeignKey("appeals.id"), primary_key=True),
        sa.Column("path", sa.Text, primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False),
    )
    op.create_table(
        "appeal_changes",
        sa.Column("appeal_id", sa.Integer, sa.ForeignKey("appeals.id"), primary_key=True),
        sa.Column("period", sa.String(40), primary_key=True),
        sa.Column("subject_id", sa.String(200), primary_key=True),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("subject_name", sa.Text, nullable=True),
        sa.Column("old_total", sa.String(60), nullable=True),
        sa.Column("new_total", sa.String(60), nullable=True),
        sa.Column("old_rank", sa.Integer, nullable=True),
        sa.Column("new_rank", sa.Integer, nullable=True),
        sa.Column("old_grade", sa.Text, nullable=True),
        sa.Column("new_grade", sa.Text, nullable=True),
        sa.Column("money", sa.Text, nullable=False),
        sa.Column("inputs", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for table in ("appeal_changes", "appeal_files"):
        op.drop_table(table)
    op.drop_index("ix_appeals_run", table_name="appeals")
    op.drop_table("appeals")
