"""System status response."""

from __future__ import annotations

from loki_dashboard.schemas.common import Schema


class SystemStatus(Schema):
    version: str
    database: str
    uptime_seconds: float
    projects: int
    active_sessions: int
    tasks_by_status: dict[str, int]
    active_agents: int
