"""Server-sent log lines: the database is the source, events only say "look again".

Each pass reads the rows after the last id sent, so order is the id order and nothing is skipped
or repeated whatever order events arrive in; a reconnect with `Last-Event-ID` continues right
after it. A quiet stream still re-checks every few seconds and sends keep-alive comments.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator

from sqlalchemy import func, select

from loki_dashboard.db.engine import Database
from loki_dashboard.models import Log
from loki_dashboard.models.log import LOG_LEVELS
from loki_dashboard.realtime.events import DomainEvent
from loki_dashboard.realtime.hub import Hub
from loki_dashboard.repositories import logs as repo
from loki_dashboard.repositories.logs import LogFilter
from loki_dashboard.schemas.logs import LogEntry

BATCH = 500
RECHECK_SECONDS = 2.0


def _matches(where: LogFilter, event: DomainEvent) -> bool:
    if event.type != "log:entry":
        return False
    data = event.data
    if where.project_id is not None and str(where.project_id) != str(data.get("project_id")):
        return False
    if where.session_id is not None and str(where.session_id) != str(data.get("session_id")):
        return False
    if where.min_level is not None:
        level = LOG_LEVELS.get(str(data.get("level")), 0)
        return level >= LOG_LEVELS[where.min_level]
    return True


def format_sse(entry: LogEntry) -> str:
    return f"id: {entry.id}\nevent: log\ndata: {json.dumps(entry.model_dump(mode='json'))}\n\n"


async def newest_id(database: Database) -> int:
    async with database.read_sessions() as session:
        return int(await session.scalar(select(func.max(Log.id))) or 0)


async def stream_logs(
    database: Database,
    hub: Hub,
    where: LogFilter,
    *,
    after: int | None,
    keepalive_seconds: float,
) -> AsyncIterator[str]:
    """Yield SSE messages for log lines after id `after` (None: from now on), forever."""
    wake = asyncio.Event()

    def on_event(_seq: int, event: DomainEvent) -> None:
        if _matches(where, event):
            wake.set()

    remove = hub.add_listener(on_event)
    try:
        last_id = await newest_id(database) if after is None else after
        yield "retry: 1000\n\n"
        quiet = 0.0
        while True:
            wake.clear()  # before reading: a line committed during the read wakes the next pass
            async with database.read_sessions() as session:
                rows = await repo.newer(session, where, after=last_id, limit=BATCH)
            for row in rows:
                yield format_sse(LogEntry.model_validate(row))
                last_id = row.id
            if len(rows) == BATCH:
                continue
            waited = asyncio.get_running_loop().time()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), min(RECHECK_SECONDS, keepalive_seconds))
            quiet = 0.0 if wake.is_set() else quiet + asyncio.get_running_loop().time() - waited
            if quiet >= keepalive_seconds:
                quiet = 0.0
                yield ": keep-alive\n\n"
    finally:
        remove()
