"""One control action: who (token id or "local"), when, from where, and what."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from loki_dashboard.db.base import Base, CreatedAt, UUIDPrimaryKey
from loki_dashboard.db.types import JSONType


class AuditEntry(UUIDPrimaryKey, CreatedAt, Base):
    __tablename__ = "audit_entry"

    actor: Mapped[str] = mapped_column(String(64))
    remote: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64), index=True)
    target: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
