"""Counts for the system status endpoint."""

from __future__ import annotations

import time

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from loki_dashboard import __version__
from loki_dashboard.models import Agent, Project, RunSession, Task
from loki_dashboard.models.agent import ACTIVE_AGENT_STATUSES
from loki_dashboard.models.session import LIVE_SESSION_STATUSES
from loki_dashboard.models.task import TASK_STATUSES
from loki_dashboard.schemas.status import SystemStatus


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
        uptime_seconds=round(time.monotonic() - started_monotonic, 3),
        projects=projects,
        active_sessions=live or 0,
        tasks_by_status=by_status,
        active_agents=agents or 0,
    )
