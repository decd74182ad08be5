"""Log line response models."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import AliasChoices, Field

from loki_dashboard.schemas.common import Schema

# "warning" is accepted as a spelling of "warn".
MinLevel = Literal["debug", "info", "step", "warn", "warning", "error"]


class LogEntry(Schema):
    id: int
    project_id: uuid.UUID | None
    session_id: uuid.UUID | None
    timestamp: datetime
    level: str
    source: str | None
    message: str
    metadata: dict[str, Any] | None = Field(validation_alias=AliasChoices("meta", "metadata"))
    raw: str | None = Field(
        default=None, description="The line with its colours, when they differ from `message`"
    )


class LogPage(Schema):
    """Lines in ascending id order, with the cursors to read further either way."""

    items: list[LogEntry]
    next_before: int | None = Field(
        description="Pass as `before` for older lines; null when there are no older lines"
    )
    next_after: int | None = Field(
        description="Pass as `after` for newer lines (also once more arrive)"
    )
