"""A Kanban card: a task of a project, mirrored from or written to the run's queue files."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from loki_dashboard.db.base import Base, Timestamps, UUIDPrimaryKey
from loki_dashboard.db.types import JSONType

# Kanban column order; the list endpoint sorts by this rank, then by column_order.
TASK_STATUSES = ("pending", "in_progress", "review", "completed", "failed")
TASK_PRIORITIES = ("low", "medium", "high", "critical")


class Task(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "task"
    __table_args__ = (
        UniqueConstraint("project_id", "external_id"),
        Index("ix_task_project_id_status_column_order", "project_id", "status", "column_order"),
    )

    project_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    session_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("session.id", ondelete="SET NULL"), index=True
    )
    parent_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("task.id", ondelete="SET NULL"), index=True
    )
    # The task's id in the run's queue file (e.g. "prd-001"); unique per project only.
    external_id: Mapped[str | None] = mapped_column(String(255))
    source: Mapped[str] = mapped_column(String(32), default="dashboard", server_default="dashboard")

    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(32), index=True, default="pending")
    priority: Mapped[str] = mapped_column(String(16), default="medium", server_default="medium")
    type: Mapped[str] = mapped_column(
        String(32), default="engineering", server_default="engineering"
    )
    column_order: Mapped[int] = mapped_column(default=0, server_default="0")

    agent_type: Mapped[str | None] = mapped_column(String(64))
    agent_model: Mapped[str | None] = mapped_column(String(64))

    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]

    output: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)

    labels: Mapped[list[str]] = mapped_column(JSONType, default=list)
    github_issue: Mapped[int | None]
    meta: Mapped[dict[str, Any] | None] = mapped_column("metadata", JSONType)
