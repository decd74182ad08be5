"""Agent routes."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Query

from loki_dashboard.api.deps import SessionDep
from loki_dashboard.errors import InvalidInput, error_responses
from loki_dashboard.models import Agent
from loki_dashboard.schemas import agents as schemas
from loki_dashboard.schemas.common import Page
from loki_dashboard.services import agents as service

router = APIRouter(prefix="/agents", tags=["agents"])


@router.get("", response_model=Page[schemas.Agent], responses=error_responses(InvalidInput))
async def list_agents(
    session: SessionDep,
    project_id: uuid.UUID | None = None,
    session_id: uuid.UUID | None = None,
    status: Annotated[
        list[Annotated[str, Query(max_length=32)]], Query(description="Repeat for several")
    ] = [],  # noqa: B006 (FastAPI copies query defaults)
    cursor: Annotated[str | None, Query(max_length=512)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    """List agents, newest first, with their history (ended agents stay listed)."""
    items, next_cursor = await service.list_page(
        session,
        project_id=project_id,
        session_id=session_id,
        statuses=status,
        cursor=cursor,
        limit=limit,
    )
    return {"items": items, "next_cursor": next_cursor}


@router.get("/active", response_model=list[schemas.Agent])
async def list_active_agents(
    session: SessionDep,
    project_id: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> Sequence[Agent]:
    """List the agents working right now."""
    return await service.list_active(session, project_id=project_id, limit=limit)
