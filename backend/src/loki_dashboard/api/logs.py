"""Log routes."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from loki_dashboard.api.deps import DatabaseDep, SessionDep
from loki_dashboard.api.log_filter import LogFilterDep
from loki_dashboard.errors import InvalidInput, error_responses
from loki_dashboard.schemas.logs import LogPage
from loki_dashboard.services import logs as service
from loki_dashboard.services.log_export import export_lines

router = APIRouter(prefix="/logs", tags=["logs"])

# Ids are 64-bit on PostgreSQL; anything larger cannot be a cursor.
MAX_LOG_ID = 2**63 - 1


@router.get("", response_model=LogPage, responses=error_responses(InvalidInput))
async def list_logs(
    session: SessionDep,
    where: LogFilterDep,
    since: datetime | None = None,
    until: datetime | None = None,
    q: Annotated[str | None, Query(max_length=200, description="Text in the message")] = None,
    before: Annotated[int | None, Query(ge=1, le=MAX_LOG_ID, description="Older than id")] = None,
    after: Annotated[int | None, Query(ge=0, le=MAX_LOG_ID, description="Newer than id")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> LogPage:
    """Read log lines a page at a time: the newest by default, `before` / `after` an id."""
    where = replace(
        where,
        since=service.aware(since, "since"),
        until=service.aware(until, "until"),
        text=q,
    )
    return await service.read_page(session, where, before=before, after=after, limit=limit)


@router.get(
    "/download",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/plain": {}}}, **error_responses(InvalidInput)},
)
async def download_logs(database: DatabaseDep, where: LogFilterDep) -> StreamingResponse:
    """Download every matching line as plain text, oldest first."""
    name = f"loki-{where.project_id or where.session_id or 'all'}.log"
    return StreamingResponse(
        export_lines(database, where),
        media_type="text/plain; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
