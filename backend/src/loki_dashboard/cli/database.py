"""Running a unit of work straight against the database, for commands that work without a server."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from loki_dashboard.cli.output import fail
from loki_dashboard.config import Settings
from loki_dashboard.db.engine import create_database
from loki_dashboard.db.migrate import upgrade_to_head
from loki_dashboard.db.reachable import unreachable_reason
from loki_dashboard.db.session import session_scope
from loki_dashboard.errors import DashboardError

T = TypeVar("T")


def in_database(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work` in one committed transaction; a domain error becomes a one-line failure."""

    async def run() -> T:
        database = create_database(settings)
        try:
            await upgrade_to_head(database.writer)
            async with session_scope(database.write_sessions) as session:
                return await work(session)
        finally:
            await database.dispose()

    try:
        return asyncio.run(run())
    except DashboardError as exc:
        fail(exc.message)


def reachable_or_fail(settings: Settings) -> None:
    """Exit with one line naming the database and why, when it cannot be reached."""
    reason = asyncio.run(unreachable_reason(settings.database_url))
    if reason is not None:
        fail(reason)
