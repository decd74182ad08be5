"""API token request and response models; the token itself appears only in TokenCreated."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from loki_dashboard.schemas.common import Schema

TokenScope = Literal["read", "control", "admin"]


class TokenCreate(Schema):
    name: str = Field(min_length=1, max_length=255)
    scope: TokenScope = "read"
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)


class Token(Schema):
    id: uuid.UUID
    name: str
    scope: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(Token):
    token: str = Field(description="Shown this once; only its hash is kept")
