"""Every `/api` route module, included once."""

from __future__ import annotations

from fastapi import APIRouter

from loki_dashboard.api import (
    agents,
    audit,
    control,
    learnings,
    log_stream,
    logs,
    overview,
    projects,
    sessions,
    status,
    tasks,
    tokens,
)

api_router = APIRouter(prefix="/api")
api_router.include_router(status.router)
api_router.include_router(overview.router)
api_router.include_router(projects.router)
api_router.include_router(tasks.router)
api_router.include_router(sessions.router)
api_router.include_router(agents.router)
api_router.include_router(log_stream.router)
api_router.include_router(logs.router)
api_router.include_router(learnings.router)
api_router.include_router(control.router)
api_router.include_router(tokens.router)
api_router.include_router(audit.router)
