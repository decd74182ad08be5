"""Reading run logs a page at a time, backwards (scrolling up) or forwards (catching up)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from loki_dashboard.errors import InvalidInput
from loki_dashboard.models import Log
from loki_dashboard.realtime.events import DomainEvent
from loki_dashboard.repositories import logs as repo
from loki_dashboard.repositories.logs import LogFilter
from loki_dashboard.schemas.logs import LogEntry, LogPage


def entry_event(row: Log) -> DomainEvent:
    """`log:entry` for a row the dashboard itself wrote (flushed: the event carries its id)."""
    data = LogEntry.model_validate(row).model_dump(mode="json")
    return DomainEvent("log:entry", data, project_id=row.project_id, session_id=row.session_id)


def normalise_level(level: str | None) -> str | None:
    return "warn" if level == "warning" else level


async def read_page(
    session: AsyncSession,
    where: LogFilter,
    *,
    before: int | None,
    after: int | None,
    limit: int,
) -> LogPage:
    """Lines older than `before` (default: the newest lines) or newer than `after`."""
    if before is not None and after is not None:
        raise InvalidInput(
            "give either before or after, not both",
            details=[{"field": "before"}, {"field": "after"}],
        )
    if after is not None:
        rows = list(await repo.newer(session, where, after=after, limit=limit))
        first = rows[0].id if rows else after + 1
        return LogPage(
            items=[LogEntry.model_validate(row) for row in rows],
            next_before=first if first > 1 else None,
            next_after=rows[-1].id if rows else after,
        )
    rows = list(await repo.older(session, where, before=before, limit=limit + 1))
    more_older = len(rows) > limit
    rows = rows[:limit][::-1]
    newest = rows[-1].id if rows else (before - 1 if before is not None else 0)
    return LogPage(
        items=[LogEntry.model_validate(row) for row in rows],
        next_before=rows[0].id if rows and more_older else None,
        next_after=newest,
    )


def aware(moment: datetime | None, field: str) -> datetime | None:
    """Time filters must say their zone; a naive time would silently mean UTC or local."""
    if moment is not None and moment.tzinfo is None:
        raise InvalidInput(
            f"{field} needs a time zone, e.g. 2026-11-24T10:00:00Z", details=[{"field": field}]
        )
    return moment
