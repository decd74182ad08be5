"""Agent queries."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from loki_dashboard.models import Agent


async def list_agents(
    session: AsyncSession,
    *,
    project_id: uuid.UUID | None = None,
    session_id: uuid.UUID | None = None,
    statuses: Sequence[str] = (),
    offset: int = 0,
    limit: int,
) -> Sequence[Agent]:
    """Newest started first (never-started last), then by id for a stable order."""
    query = select(Agent)
    if project_id is not None:
        query = query.where(Agent.project_id == project_id)
    if session_id is not None:
        query = query.where(Agent.session_id == session_id)
    if statuses:
        query = query.where(Agent.status.in_(statuses))
    query = query.order_by(Agent.started_at.desc().nulls_last(), Agent.id)
    return (await session.scalars(query.offset(offset).limit(limit))).all()
