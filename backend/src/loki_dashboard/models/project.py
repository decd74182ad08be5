"""A registered codebase whose `.loki/` folder the dashboard mirrors."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from loki_dashboard.db.base import Base, Timestamps, UUIDPrimaryKey
from loki_dashboard.db.types import JSONType


class Project(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "project"

    name: Mapped[str] = mapped_column(String(255))
    path: Mapped[str] = mapped_column(Text, unique=True)
    git_remote: Mapped[str | None] = mapped_column(Text)
    git_branch: Mapped[str | None] = mapped_column(String(255), default="main")
    provider: Mapped[str] = mapped_column(String(32), default="claude", server_default="claude")
    config: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    # The folder is gone (deleted or unmounted); cleared when it comes back.
    missing: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The watcher's read positions in the project's logs, so a restart does not re-import them.
    watch_state: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
