"""Sign-off: who froze a run, when, and its place in the store's hash chain.

Revision ID: 0002
Revises: 0001

``signoff_seq`` orders the chain (1, 2, 3 … over the whole store); it is
unique, so two sign-offs racing for the same place cannot both commit.
Recorded runs keep NULL in all three columns.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    # batch mode: SQLite cannot ALTER TABLE … ADD CONSTRAINT; on PostgreSQL it is plain ALTER TABLE
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("signed_by", sa.String(200), nullable=True))
        batch.add_column(sa.Column("signed_at", sa.String(32), nullable=True))
        batch.add_column(sa.Column("signoff_seq", sa.Integer, nullable=True))
    op.create_index("ux_runs_signoff_seq", "runs", ["signoff_seq"], unique=True)


def downgrade() -> None:
    op.drop_index("ux_runs_signoff_seq", table_name="runs")
    with op.batch_alter_table("runs") as batch:
        for column in ("signoff_seq", "signed_at", "signed_by"):
            batch.drop_column(column)
