"""Alembic environment: always handed a live connection by `loki_dashboard.db.migrate`."""

from __future__ import annotations

from alembic import context

import loki_dashboard.models  # noqa: F401  (registers every table on Base.metadata)
from loki_dashboard.db.base import Base
from loki_dashboard.db.migrate import include_object


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations through loki_dashboard.db.migrate, not the alembic CLI")
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        include_object=include_object,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
