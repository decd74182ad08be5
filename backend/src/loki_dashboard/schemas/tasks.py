"""Task request and response models."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, Field, model_validator

from loki_dashboard.schemas.common import JsonObject, Schema

TaskStatus = Literal["pending", "in_progress", "review", "completed", "failed"]
TaskPriority = Literal["low", "medium", "high", "critical"]
Label = Annotated[str, Field(min_length=1, max_length=64)]
Labels = Annotated[list[Label], Field(max_length=50)]
Title = Annotated[str, Field(min_length=1, max_length=500)]
Description = Annotated[str, Field(max_length=100_000)]
TaskType = Annotated[str, Field(min_length=1, max_length=32)]
# Bulk operations touch at most this many tasks in one transaction.
MAX_BULK = 500


class TaskCreate(Schema):
    project_id: uuid.UUID
    title: Title
    description: Description | None = None
    status: TaskStatus = "pending"
    priority: TaskPriority = "medium"
    type: TaskType = "engineering"
    labels: Labels = Field(default_factory=list)
    parent_id: uuid.UUID | None = None
    session_id: uuid.UUID | None = None
    external_id: str | None = Field(default=None, min_length=1, max_length=255)
    source: str = Field(default="dashboard", min_length=1, max_length=32)
    metadata: JsonObject | None = None


class TaskUpdate(Schema):
    """Every field optional; only the fields sent change. A new status appends to that column."""

    title: Title | None = None
    description: Description | None = None
    status: TaskStatus | None = None
    priority: TaskPriority | None = None
    type: TaskType | None = None
    labels: Labels | None = None
    parent_id: uuid.UUID | None = None
    session_id: uuid.UUID | None = None
    output: Description | None = None
    error: Description | None = None
    metadata: JsonObject | None = None

    @model_validator(mode="after")
    def _required_fields_not_null(self) -> TaskUpdate:
        for name in ("title", "status", "priority", "type", "labels"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class TaskMove(Schema):
    status: TaskStatus
    column_order: int = Field(
        ge=0, le=1_000_000, description="Position in the column; past the end means last"
    )


class TaskBulk(Schema):
    """Update, move or delete many tasks in one transaction: all succeed or none does."""

    action: Literal["update", "move", "delete"]
    ids: list[uuid.UUID] = Field(min_length=1, max_length=MAX_BULK)
    update: TaskUpdate | None = Field(default=None, description="Fields to set (action=update)")
    status: TaskStatus | None = Field(default=None, description="Target column (action=move)")
    column_order: int | None = Field(
        default=None, ge=0, le=1_000_000, description="Where the moved tasks go (default: end)"
    )

    @model_validator(mode="after")
    def _action_has_its_fields(self) -> TaskBulk:
        if self.action == "update" and self.update is None:
            raise ValueError("action 'update' needs 'update' with the fields to set")
        if self.action == "move" and self.status is None:
            raise ValueError("action 'move' needs 'status'")
        if len(set(self.ids)) != len(self.ids):
            raise ValueError("ids must not repeat")
        return self


class Task(Schema):
    id: uuid.UUID
    project_id: uuid.UUID
    session_id: uuid.UUID | None
    parent_id: uuid.UUID | None
    external_id: str | None
    source: str
    title: str
    description: str | None
    status: str
    priority: str
    type: str
    column_order: int
    agent_type: str | None
    agent_model: str | None
    labels: list[str]
    github_issue: int | None
    output: str | None
    error: str | None
    metadata: dict[str, Any] | None = Field(validation_alias=AliasChoices("meta", "metadata"))
    started_at: datetime | None
    completed_at: datetime | None
    created_at: datetime
    updated_at: datetime


class TaskBoard(Schema):
    """A project's whole board: every column's cards in order (at most BOARD_LIMIT each)."""

    items: list[Task] = Field(description="Cards in board order: by column, then column_order")
    totals: dict[TaskStatus, int] = Field(description="Cards in each column, shown or not")
    truncated: list[TaskStatus] = Field(
        description="Columns with more cards than were sent (page them with GET /api/tasks)"
    )


class TaskBulkResult(Schema):
    action: str
    items: list[Task] = Field(description="The tasks after the change (empty for delete)")
    deleted_ids: list[uuid.UUID] = Field(default_factory=list)
