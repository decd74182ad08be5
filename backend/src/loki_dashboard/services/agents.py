"""Agents of runs: who is working, on what, at what cost."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from loki_dashboard.models import Agent
from loki_dashboard.models.agent import ACTIVE_AGENT_STATUSES
from loki_dashboard.repositories import agents as repo
from loki_dashboard.services.cursors import decode_cursor, encode_cursor


async def list_page(
    session: AsyncSession,
    *,
    project_id: uuid.UUID | None,
    session_id: uuid.UUID | None,
    statuses: Sequence[str],
    cursor: str | None,
    limit: int,
) -> tuple[Sequence[Agent], str | None]:
    # Agents per project number in the tens to hundreds: an offset cursor is plenty.
    offset = decode_cursor(cursor, int)[0] if cursor else 0
    items = await repo.list_agents(
        session,
        project_id=project_id,
        session_id=session_id,
        statuses=statuses,
        offset=max(offset, 0),
        limit=limit + 1,
    )
    if len(items) <= limit:
        return items, None
    return items[:limit], encode_cursor(offset + limit)


async def list_active(
    session: AsyncSession, *, project_id: uuid.UUID | None, limit: int
) -> Sequence[Agent]:
    return await repo.list_agents(
        session, project_id=project_id, statuses=ACTIVE_AGENT_STATUSES, limit=limit
    )
