"""Domain events: what changed, staged inside a transaction and published only after commit."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from loki_dashboard.db.types import utcnow

_STAGED_KEY = "loki_staged_events"


@dataclass(frozen=True)
class DomainEvent:
    """One change. `project_id` / `session_id` decide which channels besides `global` get it."""

    type: str
    data: dict[str, Any]
    project_id: uuid.UUID | None = None
    session_id: uuid.UUID | None = None
    timestamp: datetime = field(default_factory=utcnow)


def stage_event(session: AsyncSession, event: DomainEvent) -> None:
    """Remember `event` on the unit of work; it is published only if the transaction commits."""
    session.info.setdefault(_STAGED_KEY, []).append(event)


def take_staged_events(session: AsyncSession) -> list[DomainEvent]:
    """Remove and return the staged events: published after commit, dropped on rollback."""
    events: list[DomainEvent] = session.info.pop(_STAGED_KEY, [])
    return events
