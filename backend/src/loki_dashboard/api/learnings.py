"""Learning routes."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status

from loki_dashboard.api.deps import SessionDep
from loki_dashboard.errors import InvalidInput, NotFound, error_responses
from loki_dashboard.models import Learning
from loki_dashboard.schemas import learnings as schemas
from loki_dashboard.schemas.common import Page
from loki_dashboard.services import learnings as service

router = APIRouter(prefix="/learnings", tags=["learnings"])


@router.get("", response_model=Page[schemas.Learning], responses=error_responses(InvalidInput))
async def list_learnings(
    session: SessionDep,
    type: schemas.LearningType | None = None,
    category: Annotated[str | None, Query(max_length=255)] = None,
    project_id: uuid.UUID | None = None,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    """List learnings, newest first."""
    items, next_cursor = await service.list_page(
        session, type=type, category=category, project_id=project_id, cursor=cursor, limit=limit
    )
    return {"items": items, "next_cursor": next_cursor}


@router.post(
    "",
    response_model=schemas.Learning,
    status_code=status.HTTP_201_CREATED,
    responses={
        **error_responses(NotFound),
        200: {"model": schemas.Learning, "description": "already known"},
    },
)
async def add_learning(
    data: schemas.LearningCreate, session: SessionDep, response: Response
) -> Learning:
    """Add a learning; the same content again answers 200 with the stored one."""
    learning, created = await service.add(session, data)
    if not created:
        response.status_code = status.HTTP_200_OK
    return learning


@router.get("/search", response_model=list[schemas.LearningHit])
async def search_learnings(
    session: SessionDep,
    q: Annotated[str, Query(min_length=1, max_length=200, description="Words to look for")],
    type: schemas.LearningType | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[schemas.LearningHit]:
    """Full-text search over learnings, best match first."""
    return await service.search(session, q, type=type, limit=limit)
