"""Whether the database answers, asked once before the server starts, so an unreachable
PostgreSQL is one line naming it and the reason instead of a traceback from the migration."""

from __future__ import annotations

import socket

import asyncpg
from sqlalchemy import make_url

CONNECT_SECONDS = 5.0


def _where(database_url: str) -> str:
    url = make_url(database_url).set(drivername="postgresql")  # as the user writes it
    return url.render_as_string(hide_password=True)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused (is PostgreSQL running, on that host and port?)"
    if isinstance(exc, socket.gaierror):
        return "unknown host"
    if isinstance(exc, TimeoutError):
        return f"no answer within {CONNECT_SECONDS:g} s"
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


async def unreachable_reason(database_url: str) -> str | None:
    """None when the database answers; else one line saying which one and why not."""
    if not database_url.startswith("postgresql"):
        return None  # SQLite: a file, checked with the settings
    dsn = database_url.replace("postgresql+asyncpg://", "postgresql://", 1)
    try:
        connection = await asyncpg.connect(dsn, timeout=CONNECT_SECONDS)
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        return f"cannot reach the database {_where(database_url)}: {_reason(exc)}"
    await connection.close()
    return None
