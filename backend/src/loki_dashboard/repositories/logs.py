"""Log queries: filtered pages either side of an id cursor."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from loki_dashboard.models import Log
from loki_dashboard.models.log import LOG_LEVELS
from loki_dashboard.repositories.text import escape_like


@dataclass(frozen=True)
class LogFilter:
    project_id: uuid.UUID | None = None
    session_id: uuid.UUID | None = None
    min_level: str | None = None
    source: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    text: str | None = None


def levels_at_least(level: str) -> list[str]:
    floor = LOG_LEVELS[level]
    return [name for name, rank in LOG_LEVELS.items() if rank >= floor]


def filtered(where: LogFilter) -> Select[Log]:
    query = select(Log)
    if where.project_id is not None:
        query = query.where(Log.project_id == where.project_id)
    if where.session_id is not None:
        query = query.where(Log.session_id == where.session_id)
    if where.min_level is not None and where.min_level != "debug":
        query = query.where(Log.level.in_(levels_at_least(where.min_level)))
    if where.source is not None:
        query = query.where(Log.source == where.source)
    if where.since is not None:
        query = query.where(Log.timestamp >= where.since)
    if where.until is not None:
        query = query.where(Log.timestamp < where.until)
    if where.text:
        query = query.where(Log.message.ilike(f"%{escape_like(where.text)}%", escape="\\"))
    return query


async def older(
    session: AsyncSession, where: LogFilter, *, before: int | None, limit: int
) -> Sequence[Log]:
    """Up to `limit` lines with id < `before` (or the newest), newest first."""
    query = filtered(where)
    if before is not None:
        query = query.where(Log.id < before)
    return (await session.scalars(query.order_by(Log.id.desc()).limit(limit))).all()


async def newer(
    session: AsyncSession, where: LogFilter, *, after: int, limit: int
) -> Sequence[Log]:
    """Up to `limit` lines with id > `after`, oldest first."""
    query = filtered(where).where(Log.id > after)
    return (await session.scalars(query.order_by(Log.id).limit(limit))).all()
