"""One autonomous run of a project (called a session in the product; `RunSession` here so it
never reads as a database session)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from loki_dashboard.db.base import Base, UUIDPrimaryKey
from loki_dashboard.db.types import JSONType, utcnow

SESSION_STATUSES = ("starting", "running", "paused", "stopping", "stopped", "failed", "completed")
LIVE_SESSION_STATUSES = ("starting", "running", "paused", "stopping")


class RunSession(UUIDPrimaryKey, Base):
    __tablename__ = "session"

    project_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    prd_path: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(32), index=True, default="starting")
    phase: Mapped[str | None] = mapped_column(String(64))
    provider: Mapped[str] = mapped_column(String(32), default="claude", server_default="claude")
    pid: Mapped[int | None]
    iteration: Mapped[int] = mapped_column(default=0, server_default="0")
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    exit_code: Mapped[int | None]
    config: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    # What identifies the run in its files (runner pid or start time), one row per run.
    run_key: Mapped[str | None] = mapped_column(String(128))
    # How the run ended, as the runner's word (complete, max_iterations, stopped, failed, ...)
    # and as one sentence for people; both derived from the run's own records.
    outcome: Mapped[str | None] = mapped_column(String(64))
    summary: Mapped[str | None] = mapped_column(Text)
    # The run's newest write (events, logs, state): how long it has been quiet.
    last_activity_at: Mapped[datetime | None]
    # Spent by this run alone (its own iteration records), so project totals are sums.
    cost_usd: Mapped[float | None]
    input_tokens: Mapped[int | None]
    output_tokens: Mapped[int | None]
    # Live status snapshot: quality gates, council, checklist, memory counts, tokens, liveness.
    snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
