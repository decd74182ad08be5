"""Queue files → task rows, matched by `(project, external_id)`.

A task's group sets its status; a task that leaves the files keeps its row and last status.
Events: task:created, task:moved (status changed; plus task:completed on reaching completed),
task:updated (any other field).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from loki_dashboard.db.types import utcnow
from loki_dashboard.loki.queue import QueueTask
from loki_dashboard.models import Task
from loki_dashboard.realtime.events import DomainEvent
from loki_dashboard.watcher.serialize import row_data
from loki_dashboard.watcher.writer import Job

_CHUNK = 500
# The task columns the files decide; also what the mirror compares to skip unchanged tasks.
FILE_FIELDS = (
    "title",
    "description",
    "status",
    "priority",
    "type",
    "column_order",
    "labels",
    "github_issue",
    "meta",
)


def task_fields(task: QueueTask) -> dict[str, Any]:
    return {
        "title": task.title,
        "description": task.description,
        "status": task.status,
        "priority": task.priority,
        "type": task.type,
        "column_order": task.position,
        "labels": task.labels,
        "github_issue": task.github_issue,
        "meta": {"loki": task.raw},
    }


def tasks_job(
    project_id: uuid.UUID, session_id: uuid.UUID | None, tasks: Sequence[QueueTask]
) -> Job:
    async def apply(session: AsyncSession) -> list[DomainEvent]:
        events: list[DomainEvent] = []
        for start in range(0, len(tasks), _CHUNK):
            chunk = tasks[start : start + _CHUNK]
            ids = [t.external_id for t in chunk]
            rows = await session.scalars(
                select(Task).where(Task.project_id == project_id, Task.external_id.in_(ids))
            )
            existing = {row.external_id: row for row in rows}
            for task in chunk:
                events.extend(_apply_one(session, project_id, session_id, task, existing))
        return events

    return apply


def _apply_one(
    session: AsyncSession,
    project_id: uuid.UUID,
    session_id: uuid.UUID | None,
    task: QueueTask,
    existing: dict[str | None, Task],
) -> list[DomainEvent]:
    now = utcnow()
    fields = task_fields(task)
    row = existing.get(task.external_id)
    if row is None:
        row = Task(
            id=uuid.uuid4(),
            project_id=project_id,
            session_id=session_id,
            external_id=task.external_id,
            source=task.source,
            created_at=now,
            updated_at=now,
            started_at=now if task.status == "in_progress" else None,
            completed_at=now if task.status in ("completed", "failed") else None,
            **fields,
        )
        session.add(row)
        existing[task.external_id] = row
        return [_event("task:created", row)]
    changed = {k: v for k, v in fields.items() if getattr(row, k) != v}
    if not changed:
        return []
    previous = row.status
    for key, value in changed.items():
        setattr(row, key, value)
    row.updated_at = now
    if "status" not in changed:
        return [_event("task:updated", row)]
    if task.status == "in_progress" and row.started_at is None:
        row.started_at = now
    if task.status in ("completed", "failed"):
        row.completed_at = row.completed_at or now
    events = [_event("task:moved", row, previous=previous)]
    if task.status == "completed":
        events.append(_event("task:completed", row))
    return events


def _event(kind: str, row: Task, previous: str | None = None) -> DomainEvent:
    data = row_data(row)
    if previous is not None:
        data["from_status"] = previous
    return DomainEvent(kind, data, project_id=row.project_id, session_id=row.session_id)
