"""session run facts: outcome, summary, last activity, and this run's own cost and tokens

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from loki_dashboard.db.types import UTCDateTime

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("session") as batch:
        batch.add_column(sa.Column("outcome", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("summary", sa.Text(), nullable=True))
        batch.add_column(sa.Column("last_activity_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("cost_usd", sa.Double(), nullable=True))
        batch.add_column(sa.Column("input_tokens", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("output_tokens", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("session") as batch:
        for column in (
            "output_tokens",
            "input_tokens",
            "cost_usd",
            "last_activity_at",
            "summary",
            "outcome",
        ):
            batch.drop_column(column)
