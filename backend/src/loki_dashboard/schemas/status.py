"""System status response."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from loki_dashboard.schemas.common import Schema


class SystemStatus(Schema):
    version: str
    database: str
    database_bytes: int | None = Field(
        default=None, description="Size of the database (SQLite: its file; PostgreSQL: its disk)"
    )
    uptime_seconds: float
    projects: int
    active_sessions: int
    tasks_by_status: dict[str, int]
    active_agents: int
    # The file watcher: mode (inotify or polling fallback), projects watched, warnings.
    watcher: dict[str, Any] | None = None
