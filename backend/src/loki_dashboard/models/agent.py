"""An agent of a run, kept after it leaves `agents.json` so the history survives."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from loki_dashboard.db.base import Base, UUIDPrimaryKey

ACTIVE_AGENT_STATUSES = ("pending", "running", "active")


class Agent(UUIDPrimaryKey, Base):
    __tablename__ = "agent"

    project_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    session_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("session.id", ondelete="CASCADE"), index=True
    )
    task_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("task.id", ondelete="SET NULL"))
    # The run's own key for the agent (tool_id, else agent_id), to match file entries to rows.
    external_id: Mapped[str | None] = mapped_column(String(255))

    name: Mapped[str] = mapped_column(String(255))
    type: Mapped[str | None] = mapped_column(String(64))
    model: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(32), index=True, default="pending")
    current_task: Mapped[str | None] = mapped_column(Text)
    tool_count: Mapped[int] = mapped_column(default=0, server_default="0")

    started_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]

    tokens_used: Mapped[int] = mapped_column(default=0, server_default="0")
    cost: Mapped[float] = mapped_column(default=0.0, server_default="0")

    output: Mapped[str | None] = mapped_column(Text)
