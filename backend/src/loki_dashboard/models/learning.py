"""A cross-project learning (pattern, mistake or success), searchable by full text."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from loki_dashboard.db.base import Base, CreatedAt, UUIDPrimaryKey
from loki_dashboard.db.types import JSONType

LEARNING_TYPES = ("patterns", "mistakes", "successes")


class Learning(UUIDPrimaryKey, CreatedAt, Base):
    __tablename__ = "learning"

    type: Mapped[str] = mapped_column(String(16), index=True)
    project_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("project.id", ondelete="SET NULL"), index=True
    )
    category: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text)
    context: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    # Content hash used to import the same learning from files only once.
    fingerprint: Mapped[str | None] = mapped_column(String(64), unique=True)
