from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from loki_dashboard.config import load_settings
from loki_dashboard.db.base import Base
from loki_dashboard.db.engine import create_database
from loki_dashboard.db.migrate import (
    MIGRATIONS_DIR,
    alembic_config,
    include_object,
    upgrade_to_head,
)

EXPECTED_TABLES = {"project", "session", "task", "agent", "log", "learning", "alembic_version"}


def _head() -> str:
    head = ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
    assert head is not None
    return head


def _diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"include_object": include_object, "compare_type": True}
    )
    return list(compare_metadata(context, Base.metadata))


async def test_empty_database_upgrades_to_head(empty_database_url: str, loki_home: Path) -> None:
    database = create_database(load_settings(home=str(loki_home), database_url=empty_database_url))
    try:
        await upgrade_to_head(database.writer)
        async with database.writer.connect() as conn:
            tables = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
            version = await conn.run_sync(
                lambda c: MigrationContext.configure(c).get_current_revision()
            )
        assert EXPECTED_TABLES <= tables
        assert version == _head()
        # Running it again at head is a no-op, as every server start does.
        await upgrade_to_head(database.writer)
    finally:
        await database.dispose()


async def test_models_and_migrations_agree(database_url: str, loki_home: Path) -> None:
    database = create_database(load_settings(home=str(loki_home), database_url=database_url))
    try:
        async with database.writer.connect() as conn:
            diff = await conn.run_sync(_diff)
        assert diff == []
    finally:
        await database.dispose()


async def test_downgrade_to_base_and_back(empty_database_url: str, loki_home: Path) -> None:
    database = create_database(load_settings(home=str(loki_home), database_url=empty_database_url))
    try:
        await upgrade_to_head(database.writer)
        async with database.writer.begin() as conn:
            await conn.run_sync(lambda c: command.downgrade(alembic_config(c), "base"))
            tables = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
        assert tables & EXPECTED_TABLES <= {"alembic_version"}
        await upgrade_to_head(database.writer)
        async with database.writer.connect() as conn:
            assert await conn.run_sync(_diff) == []
    finally:
        await database.dispose()
