"""The overview across all projects: one card per project, read in a few queries."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from loki_dashboard.schemas.common import Schema
from loki_dashboard.schemas.projects import Project
from loki_dashboard.schemas.sessions import Session


class ProjectOverview(Schema):
    project: Project
    session: Session | None = Field(description="The project's newest run, if any")
    task_counts: dict[str, int] = Field(description="Tasks by status")
    active_agents: int
    stop_requested: bool = Field(
        default=False,
        description="Someone asked the newest run to stop through the dashboard, so its end "
        "was expected",
    )
    last_activity_at: datetime | None = Field(
        description="Time of the newest log line or run change"
    )
