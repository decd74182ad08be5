"""Engines per dialect.

SQLite gets two engines on the same file: one writer connection whose transactions begin with
`BEGIN IMMEDIATE` (a deferred read-then-write transaction fails at once under contention, whatever
the busy timeout), and a small pool of read-only connections that WAL lets run beside it. All
writes funnel through the writer, so the dashboard itself never sees "database is locked".
PostgreSQL needs none of that: one pooled engine serves both roles.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from loki_dashboard.config import Settings
from loki_dashboard.db.types import json_loads


@dataclass
class Database:
    """The engines and session factories of one dashboard process."""

    kind: Literal["sqlite", "postgresql"]
    writer: AsyncEngine
    reader: AsyncEngine
    write_sessions: async_sessionmaker[AsyncSession]
    read_sessions: async_sessionmaker[AsyncSession]

    async def dispose(self) -> None:
        await self.writer.dispose()
        if self.reader is not self.writer:
            await self.reader.dispose()


def _sqlite_engine(url: str, *, busy_timeout_ms: int, writer: bool) -> AsyncEngine:
    engine = create_async_engine(
        url,
        pool_size=1 if writer else 4,
        max_overflow=0 if writer else 4,
        # Writers queue for the single connection instead of failing.
        pool_timeout=120 if writer else 30,
        json_deserializer=json_loads,
    )

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # WAL: readers never block the writer and the writer never blocks readers.
        cursor.execute("PRAGMA journal_mode=WAL")
        # NORMAL is durable across application crashes in WAL mode and much faster than FULL.
        cursor.execute("PRAGMA synchronous=NORMAL")
        # SQLite leaves foreign keys off unless asked, per connection.
        cursor.execute("PRAGMA foreign_keys=ON")
        # Other processes (the CLI) may hold the write lock briefly: wait instead of failing.
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        if not writer:
            # A read connection that tries to write is a bug; make it fail loudly.
            cursor.execute("PRAGMA query_only=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")

    return engine


def create_database(settings: Settings) -> Database:
    """Build the engines for the configured database; nothing connects until first use."""
    if settings.database_kind == "sqlite":
        writer = _sqlite_engine(
            settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms, writer=True
        )
        reader = _sqlite_engine(
            settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms, writer=False
        )
    else:
        writer = reader = create_async_engine(
            settings.database_url,
            pool_size=10,
            max_overflow=10,
            pool_pre_ping=True,
            json_deserializer=json_loads,
        )
    return Database(
        kind=settings.database_kind,
        writer=writer,
        reader=reader,
        write_sessions=async_sessionmaker(writer, expire_on_commit=False),
        read_sessions=async_sessionmaker(reader, expire_on_commit=False),
    )
