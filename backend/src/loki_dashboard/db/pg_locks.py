"""Process-wide roles among server processes that share one PostgreSQL database.

A PostgreSQL advisory lock, held on its own connection, lasts as long as that connection: one
process at a time migrates the schema, and exactly one process runs the `.loki` watcher (several
watchers would mirror every file change several times).
"""

from __future__ import annotations

import asyncpg

MIGRATION_LOCK = 0x6C6F6B6901
WATCHER_LOCK = 0x6C6F6B6902


async def hold(dsn: str, key: int, *, wait: bool) -> asyncpg.Connection | None:
    """A connection holding lock `key` (close it to release), or None when `wait` is False and
    another process holds it."""
    connection = await asyncpg.connect(dsn)
    if wait:
        await connection.execute("SELECT pg_advisory_lock($1)", key)
        return connection
    if await connection.fetchval("SELECT pg_try_advisory_lock($1)", key):
        return connection
    await connection.close()
    return None
