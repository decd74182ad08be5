"""Run state files → one session row per run.

The mirror computes a `RunView` from the files (status from `loki.liveness.run_status`); this job
writes it. A new run key means a new run: a new row, and the previous row, if it still looked
live, is closed as stopped. Events: session:started|paused|stopped|completed (plus
session:updated for other changes) and phase:completed / phase:started on a phase change.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from loki_dashboard.db.engine import Database
from loki_dashboard.db.types import utcnow
from loki_dashboard.models import RunSession
from loki_dashboard.models.session import LIVE_SESSION_STATUSES
from loki_dashboard.realtime.events import DomainEvent
from loki_dashboard.watcher.serialize import session_data
from loki_dashboard.watcher.writer import Job

_STATUS_EVENTS = {
    "running": "session:started",
    "paused": "session:paused",
    "stopping": "session:updated",
    "stopped": "session:stopped",
    "failed": "session:stopped",
    "completed": "session:completed",
}


@dataclass(frozen=True)
class RunView:
    """What the files say about the current run."""

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
    snapshot: dict[str, Any] = field(default_factory=dict)


def session_job(
    project_id: uuid.UUID,
    view: RunView,
    *,
    new: bool = False,
    close: uuid.UUID | None = None,
) -> Job:
    """Write `view`. `new`: the run has no row yet (saves a lookup); `close`: the previous run's
    row, still live, to mark stopped now that a new run has replaced it."""

    async def apply(session: AsyncSession) -> list[DomainEvent]:
        events: list[DomainEvent] = []
        row = None if new else await session.get(RunSession, view.session_id)
        now = utcnow()
        if row is None:
            if close is not None:
                events.extend(await _close_previous(session, close, now))
            row = RunSession(
                id=view.session_id,
                project_id=project_id,
                run_key=view.run_key,
                status=view.status,
                phase=view.phase,
                iteration=view.iteration,
                provider=view.provider,
                pid=view.pid,
                prd_path=view.prd_path,
                exit_code=view.exit_code,
                started_at=view.started_at,
                ended_at=None if view.status in LIVE_SESSION_STATUSES else now,
                snapshot=view.snapshot,
                config=None,
            )
            session.add(row)
            events.append(_event("session:started", row))
            if view.status != "running":
                events.append(_event(_STATUS_EVENTS.get(view.status, "session:updated"), row))
            if view.phase:
                events.append(_phase_event("phase:started", row, view.phase))
            return events
        previous_status, previous_phase = row.status, row.phase
        values = {
            "status": view.status,
            "phase": view.phase,
            "iteration": view.iteration,
            "provider": view.provider,
            "pid": view.pid,
            "prd_path": view.prd_path,
            "exit_code": view.exit_code,
            "snapshot": view.snapshot,
        }
        if row.run_key is None:  # a row recorded through the API, now known by its run's key
            row.run_key = view.run_key
        changed = {k: v for k, v in values.items() if getattr(row, k) != v}
        if not changed:
            return []
        for key, value in changed.items():
            setattr(row, key, value)
        if view.status in LIVE_SESSION_STATUSES:
            row.ended_at = None
        elif row.ended_at is None:
            row.ended_at = now
        if "phase" in changed:
            if previous_phase:
                events.append(_phase_event("phase:completed", row, previous_phase))
            if view.phase:
                events.append(_phase_event("phase:started", row, view.phase))
        if "status" in changed:
            kind = _STATUS_EVENTS.get(view.status, "session:updated")
            event = _event(kind, row)
            event.data["from_status"] = previous_status
            events.append(event)
        elif changed.keys() - {"phase"}:
            events.append(_event("session:updated", row))
        return events

    return apply


async def recorded_session(database: Database, project_id: uuid.UUID) -> uuid.UUID | None:
    """The live session recorded through the API for a run started elsewhere (no run key yet):
    the run that appears in the files is that one, not a second live session beside it."""
    async with database.read_sessions() as session:
        found: uuid.UUID | None = await session.scalar(
            select(RunSession.id)
            .where(
                RunSession.project_id == project_id,
                RunSession.run_key.is_(None),
                RunSession.status.in_(LIVE_SESSION_STATUSES),
            )
            .order_by(RunSession.started_at.desc())
            .limit(1)
        )
    return found


async def _close_previous(
    session: AsyncSession, session_id: uuid.UUID, now: datetime
) -> list[DomainEvent]:
    row = await session.get(RunSession, session_id)
    if row is None or row.status not in LIVE_SESSION_STATUSES:
        return []
    row.status, row.ended_at = "stopped", now
    return [_event("session:stopped", row)]


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
        snapshot=row.snapshot or {},
    )


def _event(kind: str, row: RunSession) -> DomainEvent:
    return DomainEvent(kind, session_data(row), project_id=row.project_id, session_id=row.id)


def _phase_event(kind: str, row: RunSession, phase: str) -> DomainEvent:
    data = {"session_id": str(row.id), "project_id": str(row.project_id), "phase": phase}
    return DomainEvent(kind, data, project_id=row.project_id, session_id=row.id)
