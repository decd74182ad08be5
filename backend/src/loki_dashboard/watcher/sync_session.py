"""A run's facts → its session row, one row per run.

The mirror derives a `RunView` from the run's files (loki.run_facts) and this job writes it.
Events: session:started for a new row; then session:paused|stopped|completed (or
session:updated) on a status change, session:updated for any other change, and phase:completed /
phase:started on a phase change.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from loki_dashboard.db.engine import Database
from loki_dashboard.models import RunSession
from loki_dashboard.models.session import LIVE_SESSION_STATUSES
from loki_dashboard.realtime.events import DomainEvent
from loki_dashboard.watcher.serialize import session_data
from loki_dashboard.watcher.writer import Job

STATUS_EVENTS = {
    "running": "session:started",
    "paused": "session:paused",
    "stopping": "session:updated",
    "stopped": "session:stopped",
    "failed": "session:stopped",
    "completed": "session:completed",
}
# A session recorded without a run key (a dashboard start, or `start: false` for a run started
# elsewhere) is the run the files then show if it is still live or was made this recently
# before that run began (a start that ended at once still takes its run).
CLAIM_WINDOW = timedelta(minutes=5)


@dataclass(frozen=True)
class RunView:
    """What the files say about one run, as its session row keeps it."""

    session_id: uuid.UUID
    run_key: str
    status: str
    phase: str | None
    iteration: int
    provider: str
    pid: int | None
    prd_path: str | None
    exit_code: int | None
    started_at: datetime
    ended_at: datetime | None = None
    outcome: str | None = None
    summary: str | None = None
    last_activity_at: datetime | None = None
    cost_usd: float | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    snapshot: dict[str, Any] = field(default_factory=dict)


# The row's columns a view writes (all of them but the id, the project and the run key).
_COLUMNS = (
    "status",
    "phase",
    "iteration",
    "provider",
    "pid",
    "prd_path",
    "exit_code",
    "started_at",
    "ended_at",
    "outcome",
    "summary",
    "last_activity_at",
    "cost_usd",
    "input_tokens",
    "output_tokens",
    "snapshot",
)


def session_job(project_id: uuid.UUID, view: RunView, *, new: bool = False) -> Job:
    """Write `view`. `new`: the run has no row yet (saves a lookup)."""

    async def apply(session: AsyncSession) -> list[DomainEvent]:
        row = None if new else await session.get(RunSession, view.session_id)
        if row is None:
            row = RunSession(id=view.session_id, project_id=project_id, run_key=view.run_key)
            row.config = None
            _copy(row, view)
            session.add(row)
            created = [_event("session:started", row)]
            if view.status != "running":
                created.append(_event(STATUS_EVENTS.get(view.status, "session:updated"), row))
            if view.phase:
                created.append(_phase_event("phase:started", row, view.phase))
            return created
        previous_status, previous_phase = row.status, row.phase
        if row.run_key != view.run_key:  # recorded through the API, or keyed the old way
            row.run_key = view.run_key
        if not _copy(row, view):
            return []
        events: list[DomainEvent] = []
        if row.phase != previous_phase:
            if previous_phase:
                events.append(_phase_event("phase:completed", row, previous_phase))
            if row.phase:
                events.append(_phase_event("phase:started", row, row.phase))
        if row.status != previous_status:
            event = _event(STATUS_EVENTS.get(row.status, "session:updated"), row)
            event.data["from_status"] = previous_status
            events.append(event)
        else:
            events.append(_event("session:updated", row))
        return events

    return apply


def _copy(row: RunSession, view: RunView) -> bool:
    """Set the row's columns from the view; whether any changed."""
    changed = False
    for name in _COLUMNS:
        value = getattr(view, name)
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


async def claimable_session(
    database: Database, project_id: uuid.UUID, run_started: datetime | None
) -> uuid.UUID | None:
    """The session recorded for a run before its files showed it (no run key yet), if any:
    the run that appears in the files is that one, not a second session beside it."""
    recent: ColumnElement[bool] = RunSession.status.in_(LIVE_SESSION_STATUSES)
    if run_started is not None:
        recent = or_(recent, RunSession.started_at >= run_started - CLAIM_WINDOW)
    async with database.read_sessions() as session:
        found: uuid.UUID | None = await session.scalar(
            select(RunSession.id)
            .where(RunSession.project_id == project_id, RunSession.run_key.is_(None), recent)
            .order_by(RunSession.started_at.desc())
            .limit(1)
        )
    return found


def view_of(row: RunSession) -> RunView:
    """The view a stored row stands for, so an unchanged run after a restart writes nothing."""
    return RunView(
        session_id=row.id,
        run_key=row.run_key or "",
        status=row.status,
        phase=row.phase,
        iteration=row.iteration,
        provider=row.provider,
        pid=row.pid,
        prd_path=row.prd_path,
        exit_code=row.exit_code,
        started_at=row.started_at,
        ended_at=row.ended_at,
        outcome=row.outcome,
        summary=row.summary,
        last_activity_at=row.last_activity_at,
        cost_usd=row.cost_usd,
        input_tokens=row.input_tokens,
        output_tokens=row.output_tokens,
        snapshot=row.snapshot or {},
    )


def _event(kind: str, row: RunSession) -> DomainEvent:
    return DomainEvent(kind, session_data(row), project_id=row.project_id, session_id=row.id)


def _phase_event(kind: str, row: RunSession, phase: str) -> DomainEvent:
    data = {"session_id": str(row.id), "project_id": str(row.project_id), "phase": phase}
    return DomainEvent(kind, data, project_id=row.project_id, session_id=row.id)
