"""An API token: only its SHA-256 hash is stored; the token itself is shown once, at creation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from loki_dashboard.db.base import Base, CreatedAt, UUIDPrimaryKey

TOKEN_SCOPES = ("read", "control", "admin")


class ApiToken(UUIDPrimaryKey, CreatedAt, Base):
    __tablename__ = "api_token"

    name: Mapped[str] = mapped_column(String(255))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scope: Mapped[str] = mapped_column(String(16), default="read", server_default="read")
    expires_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
