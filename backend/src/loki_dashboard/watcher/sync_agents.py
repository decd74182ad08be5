"""`state/agents.json` → agent rows; history is kept.

An agent that leaves a non-empty list is marked ended, not deleted. The file flips to `[]`
every few seconds while a run is alive (a second writer), so an empty list ends nobody until
the run itself is over. Events: agent:spawned, agent:completed.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from loki_dashboard.db.types import utcnow
from loki_dashboard.loki.agents import AgentEntry
from loki_dashboard.models import Agent
from loki_dashboard.realtime.events import DomainEvent
from loki_dashboard.watcher.serialize import agent_data
from loki_dashboard.watcher.writer import Job

ENDED = ("completed", "ended")


def agents_job(
    project_id: uuid.UUID,
    session_id: uuid.UUID | None,
    agents: Sequence[AgentEntry],
    *,
    end_missing: bool,
) -> Job:
    """Upsert `agents`; with `end_missing`, end the project's live agents not in the list."""

    async def apply(session: AsyncSession) -> list[DomainEvent]:
        query = select(Agent).where(Agent.project_id == project_id)
        query = query.where(
            Agent.session_id == session_id if session_id else Agent.session_id.is_(None)
        )
        rows = {row.external_id: row for row in await session.scalars(query)}
        now = utcnow()
        events: list[DomainEvent] = []
        for entry in agents:
            row = rows.get(entry.external_id)
            if row is None:
                row = Agent(
                    id=uuid.uuid4(),
                    project_id=project_id,
                    session_id=session_id,
                    external_id=entry.external_id,
                    name=entry.name,
                    status="active",
                    started_at=entry.spawned_at or now,
                    tool_count=0,
                    tokens_used=0,
                    cost=0.0,
                )
                session.add(row)
                rows[entry.external_id] = row
                _copy(row, entry)
                events.append(_event("agent:spawned", row))
                if entry.status == "completed":
                    row.status, row.ended_at = "completed", entry.completed_at or now
                    events.append(_event("agent:completed", row))
                continue
            was_ended = row.status in ENDED
            changed = _copy(row, entry)
            if entry.status == "completed" and not was_ended:
                row.status, row.ended_at = "completed", entry.completed_at or now
                events.append(_event("agent:completed", row))
            elif entry.status == "active" and was_ended:
                row.status, row.ended_at = "active", None
                events.append(_event("agent:spawned", row))
            elif changed:
                events.append(_event("agent:updated", row))
        if end_missing:
            listed = {entry.external_id for entry in agents}
            for key, row in rows.items():
                if key not in listed and row.status not in ENDED:
                    row.status, row.ended_at = "ended", now
                    events.append(_event("agent:completed", row))
        return events

    return apply


def _copy(row: Agent, entry: AgentEntry) -> bool:
    values = {
        "name": entry.name,
        "type": entry.type,
        "model": entry.model,
        "current_task": entry.current_task,
        "tool_count": entry.tool_count,
    }
    changed = False
    for key, value in values.items():
        if getattr(row, key) != value:
            setattr(row, key, value)
            changed = True
    return changed


def _event(kind: str, row: Agent) -> DomainEvent:
    return DomainEvent(kind, agent_data(row), project_id=row.project_id, session_id=row.session_id)
