"""Agent response models."""

from __future__ import annotations

import uuid
from datetime import datetime

from loki_dashboard.schemas.common import Schema


class Agent(Schema):
    id: uuid.UUID
    project_id: uuid.UUID
    session_id: uuid.UUID | None
    task_id: uuid.UUID | None
    external_id: str | None
    name: str
    type: str | None
    model: str | None
    status: str
    current_task: str | None
    tool_count: int
    started_at: datetime | None
    ended_at: datetime | None
    tokens_used: int
    cost: float
    output: str | None
