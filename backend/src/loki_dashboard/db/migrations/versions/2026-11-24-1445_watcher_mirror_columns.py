"""watcher mirror columns: project missing flag and read positions, session run key and
snapshot, raw log text

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-24 14:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("missing", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("watch_state", JSON, nullable=True))
    with op.batch_alter_table("session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("run_key", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("snapshot", JSON, nullable=True))
    with op.batch_alter_table("log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("raw", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("log", schema=None) as batch_op:
        batch_op.drop_column("raw")
    with op.batch_alter_table("session", schema=None) as batch_op:
        batch_op.drop_column("snapshot")
        batch_op.drop_column("run_key")
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_column("watch_state")
        batch_op.drop_column("missing")
