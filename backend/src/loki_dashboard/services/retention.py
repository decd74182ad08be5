"""Retention: log lines (the run's `events.jsonl` records among them) kept for a set time and up
to a set count per project, pruned in the background.

Deletes go in small batches, each its own short transaction, with a pause between them: on
SQLite every write waits for the one writer connection, so a long delete would stall the watcher
and the API. The newest line is never deleted, even when it is old: SQLite hands out the next id
after the highest one left, and an emptied table would give ids again that clients already saw
(log ids are the log stream's cursor).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from loki_dashboard.config import Settings
from loki_dashboard.db.engine import Database
from loki_dashboard.db.session import session_scope
from loki_dashboard.db.types import utcnow
from loki_dashboard.models import Log, Project

logger = logging.getLogger(__name__)
BATCH = 2000
PAUSE_SECONDS = 0.05
FIRST_PRUNE_SECONDS = 60.0  # after start-up, whose scans have the database to themselves first


@dataclass(frozen=True)
class Retention:
    """Keep log lines younger than `max_age` and at most `max_lines` per project (None: no
    limit of that kind)."""

    max_age: timedelta | None
    max_lines: int | None


def retention_of(settings: Settings) -> Retention:
    days, lines = settings.log_retention_days, settings.log_retention_lines
    return Retention(max_age=timedelta(days=days) if days else None, max_lines=lines or None)


async def _delete_batches(database: Database, ids: Select[int]) -> int:
    """Delete the rows `ids` selects, BATCH at a time (lowest ids first); returns how many."""
    deleted = 0
    while True:
        async with session_scope(database.write_sessions) as session:
            batch = ids.order_by(Log.id).limit(BATCH)
            result = await session.execute(delete(Log).where(Log.id.in_(batch)))
        count = int(getattr(result, "rowcount", 0) or 0)
        deleted += count
        if count < BATCH:
            return deleted
        await asyncio.sleep(PAUSE_SECONDS)  # writers waiting for the connection go first


async def _project_threshold(session: AsyncSession, project_id: uuid.UUID, keep: int) -> int | None:
    """The id of the newest line beyond the `keep` newest of the project (None: within)."""
    found: int | None = await session.scalar(
        select(Log.id)
        .where(Log.project_id == project_id)
        .order_by(Log.id.desc())
        .offset(keep)
        .limit(1)
    )
    return found


async def prune(database: Database, retention: Retention, *, now: datetime | None = None) -> int:
    """Delete the log lines `retention` no longer keeps; returns how many went."""
    async with database.read_sessions() as session:
        newest: int | None = await session.scalar(select(func.max(Log.id)))
        projects = list(await session.scalars(select(Project.id)))
    if newest is None:
        return 0
    deleted = 0
    if retention.max_age is not None:
        cutoff = (now or utcnow()) - retention.max_age
        old = select(Log.id).where(Log.timestamp < cutoff, Log.id < newest)
        deleted += await _delete_batches(database, old)
    if retention.max_lines is not None:
        for project_id in projects:
            async with database.read_sessions() as session:
                threshold = await _project_threshold(session, project_id, retention.max_lines)
            if threshold is None:
                continue
            beyond = select(Log.id).where(
                Log.project_id == project_id, Log.id <= threshold, Log.id < newest
            )
            deleted += await _delete_batches(database, beyond)
    return deleted


class Pruner:
    """Runs `prune` every `interval` seconds until stopped."""

    def __init__(self, database: Database, retention: Retention, interval: float) -> None:
        self._database = database
        self._retention = retention
        self._interval = interval
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._retention.max_age is None and self._retention.max_lines is None:
            return  # keep everything
        self._task = asyncio.create_task(self._run(), name="log-retention")

    async def _run(self) -> None:
        await asyncio.sleep(min(FIRST_PRUNE_SECONDS, self._interval))
        while True:
            try:
                deleted = await prune(self._database, self._retention)
            except Exception:  # a failed round is retried at the next one
                logger.exception("pruning old log lines failed")
            else:
                if deleted:
                    logger.info("retention: %d old log lines deleted", deleted)
            await asyncio.sleep(self._interval)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
