"""Tokens and cost per agent (loki.agent_usage) → added to the agents' rows of their session.

Written in the same transaction as the log lines they come from, so a restart neither loses nor
counts them twice. An agent the stream names before `state/agents.json` lists it gets its row
now (ended; the agents file brings it to life if it lists it later).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from loki_dashboard.loki.agent_usage import UsageDelta
from loki_dashboard.models import Agent
from loki_dashboard.realtime.events import DomainEvent
from loki_dashboard.watcher.serialize import agent_data
from loki_dashboard.watcher.writer import Job

Usage = tuple[uuid.UUID | None, datetime, UsageDelta]


def agent_usage_job(project_id: uuid.UUID, usage: list[Usage]) -> Job:
    async def apply(session: AsyncSession) -> list[DomainEvent]:
        changed: dict[uuid.UUID, Agent] = {}
        for session_id, at, delta in usage:
            query = select(Agent).where(
                Agent.project_id == project_id,
                Agent.external_id == delta.agent,
                Agent.session_id == session_id if session_id else Agent.session_id.is_(None),
            )
            row = await session.scalar(query.limit(1))
            if row is None:
                row = Agent(
                    id=uuid.uuid4(),
                    project_id=project_id,
                    session_id=session_id,
                    external_id=delta.agent,
                    name=delta.agent,
                    status="ended",
                    started_at=at,
                    ended_at=at,
                    tool_count=0,
                    tokens_used=0,
                    cost=0.0,
                )
                session.add(row)
            row.tokens_used = (row.tokens_used or 0) + delta.tokens
            row.cost = round((row.cost or 0.0) + delta.cost_usd, 6)
            changed[row.id] = row
        await session.flush()
        return [
            DomainEvent(
                "agent:updated", agent_data(row), project_id=project_id, session_id=row.session_id
            )
            for row in changed.values()
        ]

    return apply
