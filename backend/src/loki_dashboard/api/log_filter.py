"""The log filter every log route takes (list, live stream, download), declared once."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Query

from loki_dashboard.repositories.logs import LogFilter
from loki_dashboard.schemas.logs import MinLevel
from loki_dashboard.services.logs import normalise_level


def log_filter(
    project_id: uuid.UUID | None = None,
    session_id: uuid.UUID | None = None,
    level: Annotated[MinLevel | None, Query(description="Minimum level")] = None,
    source: Annotated[str | None, Query(max_length=128)] = None,
) -> LogFilter:
    return LogFilter(
        project_id=project_id,
        session_id=session_id,
        min_level=normalise_level(level),
        source=source,
    )


LogFilterDep = Annotated[LogFilter, Depends(log_filter)]
