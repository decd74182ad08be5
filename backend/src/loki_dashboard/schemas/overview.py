"""The overview across all projects: one card per project, read in a few queries."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from loki_dashboard.schemas.common import Schema
from loki_dashboard.schemas.projects import Project
from loki_dashboard.schemas.sessions import Session


class ProjectTotals(Schema):
    """Sums over every run of the project (each run counts only what it spent itself)."""

    runs: int = 0
    cost_usd: float = 0.0
    input_tokens: int = 0
    output_tokens: int = 0


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
        description="When the newest run last wrote to its files (else the newest log line)"
    )
    totals: ProjectTotals = Field(default_factory=ProjectTotals)
