"""Learning request and response models."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from loki_dashboard.schemas.common import JsonObject, Schema

LearningType = Literal["patterns", "mistakes", "successes"]


class LearningCreate(Schema):
    type: LearningType
    description: str = Field(min_length=1, max_length=20_000)
    category: str | None = Field(default=None, min_length=1, max_length=255)
    project_id: uuid.UUID | None = None
    context: JsonObject | None = None


class Learning(Schema):
    id: uuid.UUID
    type: str
    project_id: uuid.UUID | None
    category: str | None
    description: str
    context: dict[str, Any] | None
    created_at: datetime


class LearningHit(Learning):
    score: float = Field(description="Relevance; higher is better")
