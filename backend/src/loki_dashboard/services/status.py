"""Counts for the system status endpoint."""

from __future__ import annotations

import time

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from loki_dashboard import __version__
from loki_dashboard.models import Agent, Project, RunSession, Task
from loki_dashboard.models.agent import ACTIVE_AGENT_STATUSES
from loki_dashboard.models.session import LIVE_SESSION_STATUSES
from loki_dashboard.models.task import TASK_STATUSES
from loki_dashboard.schemas.status import SystemStatus


async def database_bytes(session: AsyncSession, database_kind: str) -> int | None:
    """How much disk the database takes, asked of the database itself (no file I/O here)."""
    if database_kind == "postgresql":
        size = await session.scalar(text("SELECT pg_database_size(current_database())"))
    else:
        pages = await session.scalar(text("PRAGMA page_count"))
        page_size = await session.scalar(text("PRAGMA page_size"))
        size = None if pages is None or page_size is None else pages * page_size
    return int(size) if size is not None else None


async def system_status(
    session: AsyncSession, *, database_kind: str, started_monotonic: float
) -> SystemStatus:
    projects = await session.scalar(select(func.count()).select_from(Project)) or 0
    live = await session.scalar(
        select(func.count())
        .select_from(RunSession)
        .where(RunSession.status.in_(LIVE_SESSION_STATUSES))
    )
    agents = await session.scalar(
        select(func.count()).select_from(Agent).where(Agent.status.in_(ACTIVE_AGENT_STATUSES))
    )
    rows = await session.execute(select(Task.status, func.count()).group_by(Task.status))
    by_status = dict.fromkeys(TASK_STATUSES, 0)
    for status, count in rows.all():
        by_status[status] = count
    return SystemStatus(
        version=__version__,
        database=database_kind,
        database_bytes=await database_bytes(session, database_kind),
        uptime_seconds=round(time.monotonic() - started_monotonic, 3),
        projects=projects,
        active_sessions=live or 0,
        tasks_by_status=by_status,
        active_agents=agents or 0,
    )
