"""Dashboard tasks reach the run through its `queue/pending.json`.

A dashboard task created or moved into pending goes to the **front** of the file (the runner
shows the agent only the first three entries); reordering dashboard tasks in the pending column
reorders them in the file; deleting one or moving it out of pending removes it. Tasks the run
itself owns are the run's to move. Every write holds the runner's lock (see loki/queue_writer.py)
and runs off the event loop; a lock that cannot be had in 5 s is a 503 and the transaction
rolls back, so the board and the file never disagree about what the user did.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from loki_dashboard.db.types import utcnow
from loki_dashboard.errors import Conflict, ServiceUnavailable
from loki_dashboard.loki import queue_writer
from loki_dashboard.loki.queue_lock import QueueLockTimeout
from loki_dashboard.loki.queue_writer import Entries, QueueFileInvalid
from loki_dashboard.models import Project, Task
from loki_dashboard.telemetry.metrics import QUEUE_WRITE

RUN_OWNED_STATUSES = ("in_progress", "completed", "failed")


def new_external_id() -> str:
    return f"dash-{uuid.uuid4().hex[:12]}"


async def _loki_dir(session: AsyncSession, project_id: uuid.UUID) -> Path | None:
    """The project's `.loki/` folder when it has one (the run's queue lives there)."""
    project = await session.get(Project, project_id)
    if project is None:
        return None
    folder = Path(project.path) / ".loki"
    return folder if folder.is_dir() else None


def queue_entry(task: Task) -> dict[str, Any]:
    """A pending.json entry in the runner's own shape."""
    return {
        "id": task.external_id,
        "title": task.title,
        "description": task.description or "",
        "priority": task.priority,
        "type": task.type,
        "status": "pending",
        "source": "dashboard",
        "created_at": (task.created_at or utcnow()).isoformat(),
        "payload": {"action": task.title},
    }


async def _write(loki_dir: Path, change: Callable[[Entries], Entries]) -> None:
    try:
        with QUEUE_WRITE.time():
            await asyncio.to_thread(queue_writer.update_pending, loki_dir / "queue", change)
    except QueueLockTimeout as exc:
        raise ServiceUnavailable(str(exc)) from None
    except QueueFileInvalid as exc:
        raise Conflict(str(exc)) from None


def refuse_run_owned_move(task: Task, new_status: str) -> None:
    """The run moves its own tasks; a drag of one of them would be undone by the next write."""
    if (
        task.source != "dashboard"
        and task.status in RUN_OWNED_STATUSES
        and new_status != task.status
    ):
        raise Conflict(
            f"'{task.title}' is {task.status.replace('_', ' ')} in the run (source "
            f"{task.source}); the run moves its own tasks, so this move would not stick",
            details={"task_id": str(task.id), "status": task.status, "source": task.source},
        )


async def _pending_dashboard_ids(session: AsyncSession, project_id: uuid.UUID) -> list[str]:
    rows = await session.scalars(
        select(Task.external_id)
        .where(
            Task.project_id == project_id,
            Task.status == "pending",
            Task.source == "dashboard",
            Task.external_id.is_not(None),
        )
        .order_by(Task.column_order, Task.id)
    )
    return [row for row in rows if row]


async def after_create(session: AsyncSession, task: Task) -> None:
    """A new pending dashboard task goes to the front of the run's queue."""
    if task.status != "pending" or task.source != "dashboard":
        return
    loki_dir = await _loki_dir(session, task.project_id)
    if loki_dir is None:
        return
    await _write(loki_dir, queue_writer.insert_front(queue_entry(task)))


def wants_front(task: Task) -> bool:
    return task.source == "dashboard" and task.status == "pending"


async def has_queue(session: AsyncSession, project_id: uuid.UUID) -> bool:
    return await _loki_dir(session, project_id) is not None


async def after_move(session: AsyncSession, task: Task, old_status: str) -> None:
    """Mirror a move of a dashboard task into pending.json (order, insertion or removal)."""
    if task.source != "dashboard" or not task.external_id:
        return
    if old_status != "pending" and task.status != "pending":
        return
    loki_dir = await _loki_dir(session, task.project_id)
    if loki_dir is None:
        return
    await session.flush()
    if task.status != "pending":
        await _write(loki_dir, queue_writer.remove(task.external_id))
    elif old_status != "pending":
        await _write(loki_dir, queue_writer.insert_front(queue_entry(task)))
    else:
        order = await _pending_dashboard_ids(session, task.project_id)
        await _write(loki_dir, queue_writer.reorder(order))


async def after_update(session: AsyncSession, task: Task, old_status: str) -> None:
    """An edit of a pending dashboard task reaches the run's copy (a status change is a move)."""
    if task.status != old_status:
        await after_move(session, task, old_status)
        return
    if task.source != "dashboard" or not task.external_id or task.status != "pending":
        return
    loki_dir = await _loki_dir(session, task.project_id)
    if loki_dir is not None:
        entry = queue_entry(task)
        entry.pop("created_at", None)
        await _write(loki_dir, queue_writer.replace(entry))


async def after_delete(session: AsyncSession, task: Task) -> None:
    if task.source != "dashboard" or not task.external_id or task.status != "pending":
        return
    loki_dir = await _loki_dir(session, task.project_id)
    if loki_dir is not None:
        await _write(loki_dir, queue_writer.remove(task.external_id))
