"""Units of work: one transaction per request (or per background job), events after commit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from loki_dashboard.realtime.bus import EventBus
from loki_dashboard.realtime.events import take_staged_events


@asynccontextmanager
async def session_scope(
    sessions: async_sessionmaker[AsyncSession], bus: EventBus | None = None
) -> AsyncIterator[AsyncSession]:
    """Commit on success and then publish staged events; roll back and drop them on error."""
    async with sessions() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            take_staged_events(session)
            raise
    events = take_staged_events(session)
    if bus is not None and events:
        await bus.publish(events)
