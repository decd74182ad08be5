"""Liveness probe."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

router = APIRouter(tags=["status"])


class Health(BaseModel):
    status: str


@router.get("/health", response_model=Health)
async def health() -> Health:
    """Answer 200 while the server is up (no database round trip, for load balancers)."""
    return Health(status="ok")
