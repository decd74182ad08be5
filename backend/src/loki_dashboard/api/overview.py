"""The overview route that the web app's first screen reads."""

from __future__ import annotations

from fastapi import APIRouter

from loki_dashboard.api.deps import SessionDep
from loki_dashboard.schemas.overview import ProjectOverview
from loki_dashboard.services.overview import overview

router = APIRouter(tags=["overview"])


@router.get("/overview", response_model=list[ProjectOverview])
async def get_overview(session: SessionDep) -> list[ProjectOverview]:
    """Every project with its newest run, task counts, active agents and last activity."""
    return await overview(session)
