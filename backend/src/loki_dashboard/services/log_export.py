"""The full log of a project or run as plain text, streamed in id order a batch at a time,
so a million lines download without holding them in memory."""

from __future__ import annotations

from collections.abc import AsyncIterator

from loki_dashboard.db.engine import Database
from loki_dashboard.repositories import logs as repo
from loki_dashboard.repositories.logs import LogFilter

BATCH = 5000


def format_line(timestamp: str, level: str, source: str | None, message: str) -> str:
    return f"{timestamp} [{level.upper()}] {source or '-'}: {message}\n"


async def export_lines(database: Database, where: LogFilter) -> AsyncIterator[bytes]:
    after = 0
    while True:
        # A short read transaction per batch: a long download never holds a snapshot open.
        async with database.read_sessions() as session:
            rows = list(await repo.newer(session, where, after=after, limit=BATCH))
        if not rows:
            return
        chunk = "".join(
            format_line(row.timestamp.isoformat(), row.level, row.source, row.message)
            for row in rows
        )
        yield chunk.encode("utf-8", "replace")
        after = rows[-1].id
