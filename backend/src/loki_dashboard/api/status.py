"""System status route."""

from __future__ import annotations

from fastapi import APIRouter, Request

from loki_dashboard.api.deps import DatabaseDep, SessionDep
from loki_dashboard.schemas.status import SystemStatus
from loki_dashboard.services.status import system_status

router = APIRouter(tags=["status"])


@router.get("/status", response_model=SystemStatus)
async def get_status(request: Request, session: SessionDep, database: DatabaseDep) -> SystemStatus:
    """Report version, database kind, uptime and live counts."""
    status = await system_status(
        session, database_kind=database.kind, started_monotonic=request.app.state.started
    )
    watcher = getattr(request.app.state, "watcher", None)
    status.watcher = watcher.status() if watcher is not None else {"enabled": False}
    return status
