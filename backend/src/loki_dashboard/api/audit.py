"""The audit trail route (admin scope)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Query

from loki_dashboard.api.deps import SessionDep
from loki_dashboard.models import AuditEntry
from loki_dashboard.schemas.audit import AuditRecord
from loki_dashboard.services import audit as service

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("", response_model=list[AuditRecord])
async def list_audit(
    session: SessionDep,
    action: Annotated[str | None, Query(max_length=64)] = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Sequence[AuditEntry]:
    """Who did what, when and from where; newest first."""
    return await service.recent(session, action=action, offset=offset, limit=limit)
