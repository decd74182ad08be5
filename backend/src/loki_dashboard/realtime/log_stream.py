"""Server-sent log lines, pushed: the hub hands each stream the lines it wants as they commit.

An idle stream costs nothing but a keep-alive comment now and then (it used to read the database
every 2 s: 400 idle streams took a third of a core). The database is read only to catch up: from
`after` / `Last-Event-ID` when the stream opens, after the stream's inbox overflowed (a reader
slower than the log), and after events may have been lost (PostgreSQL reconnect: the hub's
resync). Every log line is committed before its event is published, so a read that starts after
the inbox was emptied finds every line the inbox dropped. Ids only grow on a stream: a line at
or below the last id sent is one the stream already has.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections import deque
from collections.abc import AsyncIterator, Callable
from typing import Any

from sqlalchemy import func, select

from loki_dashboard.db.engine import Database
from loki_dashboard.models import Log
from loki_dashboard.realtime.wire import sse_log_message
from loki_dashboard.repositories import logs as repo
from loki_dashboard.repositories.logs import LogFilter, levels_at_least
from loki_dashboard.schemas.logs import LogEntry

BATCH = 500
# Lines a stream may have waiting before it stops taking them and reads the database instead.
INBOX_SIZE = 5000


class LogFollower:
    """One live log stream's inbox: the matching lines pushed by the hub, bounded."""

    def __init__(self, where: LogFilter, *, inbox_size: int = INBOX_SIZE) -> None:
        self.where = where
        self.project_id: uuid.UUID | None = where.project_id
        self._session = str(where.session_id) if where.session_id else None
        levels = where.min_level
        self._levels = None if levels in (None, "debug") else frozenset(levels_at_least(levels))
        self._lines: deque[tuple[int, str]] = deque()
        self._inbox_size = inbox_size
        self.missed = False  # lines were not kept: the database has them
        self.end_reason: str | None = None
        self._wake = asyncio.Event()

    @property
    def pending(self) -> int:
        return len(self._lines)

    def matches(self, data: dict[str, Any]) -> bool:
        """The same filter as the database query (repositories/logs.py `filtered`)."""
        where = self.where
        if where.project_id is not None and data.get("project_id") != str(where.project_id):
            return False
        if self._session is not None and data.get("session_id") != self._session:
            return False
        if self._levels is not None and data.get("level") not in self._levels:
            return False
        return where.source is None or data.get("source") == where.source

    def offer(self, data: dict[str, Any], text: str) -> None:
        """A committed log line (its `LogEntry` JSON and its SSE message); never waits."""
        if self.end_reason is not None or not self.matches(data):
            return
        line_id = data.get("id")
        if not isinstance(line_id, int) or len(self._lines) >= self._inbox_size:
            self.resync()
            return
        if not self.missed:
            self._lines.append((line_id, text))
        self._wake.set()

    def resync(self) -> None:
        """Lines may have been lost: read the database again from the last one sent."""
        self.missed = True
        self._lines.clear()
        self._wake.set()

    def end(self, reason: str) -> None:
        """End the stream (its token was revoked or expired)."""
        self.end_reason = reason
        self._lines.clear()
        self._wake.set()

    def take(self) -> list[tuple[int, str]]:
        lines = list(self._lines)
        self._lines.clear()
        return lines

    async def wait(self, timeout: float) -> bool:
        """Wait until there is something to do; False after `timeout` seconds of nothing."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)
        woken = self._wake.is_set()
        self._wake.clear()
        return woken


async def newest_id(database: Database) -> int:
    async with database.read_sessions() as session:
        return int(await session.scalar(select(func.max(Log.id))) or 0)


async def _read_after(database: Database, where: LogFilter, after: int) -> list[tuple[int, str]]:
    async with database.read_sessions() as session:
        rows = await repo.newer(session, where, after=after, limit=BATCH)
    return [
        (row.id, sse_log_message(LogEntry.model_validate(row).model_dump(mode="json")))
        for row in rows
    ]


async def stream_logs(
    database: Database,
    follower: LogFollower,
    *,
    after: int | None,
    keepalive_seconds: float,
    finished: Callable[[], None],
) -> AsyncIterator[str]:
    """Yield SSE messages for log lines after id `after` (None: from now on) until the follower
    is ended, then call `finished`. The follower must already be following, so that nothing
    falls between the first read and the first line pushed."""
    try:
        yield "retry: 1000\n\n"
        if after is None:
            last_id = await newest_id(database)
            follower.missed = False  # nothing before now is wanted
        else:
            last_id = after
            follower.resync()
        while follower.end_reason is None:
            if follower.missed:
                follower.missed = False
                follower.take()  # all of it committed, so the read below has it
                rows = await _read_after(database, follower.where, last_id)
                for line_id, message in rows:
                    yield message
                    last_id = line_id
                if len(rows) == BATCH:
                    follower.resync()  # more to read: the next pass reads on
                    continue
            for line_id, message in follower.take():
                if line_id > last_id:
                    yield message
                    last_id = line_id
            if follower.missed or follower.pending:
                continue
            if not await follower.wait(keepalive_seconds) and follower.end_reason is None:
                yield ": keep-alive\n\n"
        yield f": closed: {follower.end_reason}\n\n"
    finally:
        finished()
