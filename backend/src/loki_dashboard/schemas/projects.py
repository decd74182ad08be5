"""Project request and response models."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import Field

from loki_dashboard.schemas.common import PROVIDER_PATTERN, JsonObject, Schema


class ProjectCreate(Schema):
    path: str = Field(min_length=1, max_length=4096, description="Absolute path of the folder")
    name: str | None = Field(default=None, min_length=1, max_length=255)
    provider: str = Field(default="claude", min_length=1, max_length=32, pattern=PROVIDER_PATTERN)
    config: JsonObject | None = None


class ProjectUpdate(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=255)
    provider: str | None = Field(
        default=None, min_length=1, max_length=32, pattern=PROVIDER_PATTERN
    )
    git_branch: str | None = Field(default=None, max_length=255)
    git_remote: str | None = Field(default=None, max_length=4096)
    config: JsonObject | None = None


class Project(Schema):
    id: uuid.UUID
    name: str
    path: str
    git_remote: str | None
    git_branch: str | None
    provider: str
    config: dict[str, Any] | None
    missing: bool = Field(
        default=False, description="The folder is gone; it recovers if it returns"
    )
    created_at: datetime
    updated_at: datetime
