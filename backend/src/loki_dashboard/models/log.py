"""A log line of a run; its integer id only grows, so it doubles as the stream cursor."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from loki_dashboard.db.base import Base
from loki_dashboard.db.types import NullJSONType, utcnow

# Severity rank of each level; "step" is the runner's [STEP] marker, between info and warn.
LOG_LEVELS = {"debug": 10, "info": 20, "step": 25, "warn": 30, "error": 40}


class Log(Base):
    __tablename__ = "log"
    __table_args__ = (
        Index("ix_log_project_id_id", "project_id", "id"),
        Index("ix_log_session_id_id", "session_id", "id"),
    )

    # INTEGER PRIMARY KEY on SQLite is the rowid: ever-increasing with AUTOINCREMENT semantics
    # not needed because rows are never deleted below the newest id.
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    project_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE")
    )
    session_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("session.id", ondelete="CASCADE")
    )
    timestamp: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    level: Mapped[str] = mapped_column(String(16), default="info", server_default="info")
    source: Mapped[str | None] = mapped_column(String(128))
    message: Mapped[str] = mapped_column(Text)
    meta: Mapped[dict[str, Any] | None] = mapped_column("metadata", NullJSONType)
    # The line as written, colours kept (secrets redacted), for the terminal view.
    raw: Mapped[str | None] = mapped_column(Text)
