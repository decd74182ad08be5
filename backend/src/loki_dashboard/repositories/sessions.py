"""Run session queries."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from loki_dashboard.models import RunSession
from loki_dashboard.models.session import LIVE_SESSION_STATUSES


async def get(session: AsyncSession, session_id: uuid.UUID) -> RunSession | None:
    return await session.get(RunSession, session_id)


async def list_page(
    session: AsyncSession,
    *,
    project_id: uuid.UUID | None,
    statuses: Sequence[str],
    before: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> Sequence[RunSession]:
    """Newest first: (started_at, id) descending, after the `before` key when given."""
    query = select(RunSession)
    if project_id is not None:
        query = query.where(RunSession.project_id == project_id)
    if statuses:
        query = query.where(RunSession.status.in_(statuses))
    if before is not None:
        query = query.where(tuple_(RunSession.started_at, RunSession.id) < tuple_(*before))
    query = query.order_by(RunSession.started_at.desc(), RunSession.id.desc()).limit(limit)
    return (await session.scalars(query)).all()


async def live_for_project(session: AsyncSession, project_id: uuid.UUID) -> RunSession | None:
    return await session.scalar(
        select(RunSession)
        .where(
            RunSession.project_id == project_id,
            RunSession.status.in_(LIVE_SESSION_STATUSES),
        )
        .limit(1)
    )
