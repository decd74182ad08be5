"""A folder the user unregistered: the `projects.json` import must not bring it back.

Runs re-register themselves in `$LOKI_HOME/dashboard/projects.json` and the registry keeps
entries after a run ends, so without this a removed project returned at the next import.
Registering the folder again by hand deletes the row.
"""

from __future__ import annotations

from sqlalchemy import Text
from sqlalchemy.orm import Mapped, mapped_column

from loki_dashboard.db.base import Base, CreatedAt, UUIDPrimaryKey


class RemovedProject(UUIDPrimaryKey, CreatedAt, Base):
    __tablename__ = "removed_project"

    path: Mapped[str] = mapped_column(Text, unique=True)
