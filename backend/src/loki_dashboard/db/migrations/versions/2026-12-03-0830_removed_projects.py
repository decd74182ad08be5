"""removed projects: folders the user unregistered, which the registry import skips

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 08:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from loki_dashboard.db.types import UTCDateTime

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "removed_project",
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_removed_project")),
        sa.UniqueConstraint("path", name=op.f("uq_removed_project_path")),
    )


def downgrade() -> None:
    op.drop_table("removed_project")
