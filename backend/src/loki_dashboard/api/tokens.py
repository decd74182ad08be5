"""Token management routes (admin scope; the local user is trusted)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta

from fastapi import APIRouter, status

from loki_dashboard.api.deps import AuditDep, SessionDep
from loki_dashboard.errors import NotFound, error_responses
from loki_dashboard.models import ApiToken
from loki_dashboard.schemas import tokens as schemas
from loki_dashboard.services import api_tokens as service

router = APIRouter(prefix="/tokens", tags=["tokens"])


@router.get("", response_model=list[schemas.Token])
async def list_tokens(session: SessionDep) -> Sequence[ApiToken]:
    """List tokens (never the tokens themselves)."""
    return await service.list_all(session)


@router.post("", response_model=schemas.TokenCreated, status_code=status.HTTP_201_CREATED)
async def create_token(
    data: schemas.TokenCreate, session: SessionDep, audit: AuditDep
) -> schemas.TokenCreated:
    """Create a token; the answer is the only place it is ever shown."""
    expires = timedelta(days=data.expires_in_days) if data.expires_in_days else None
    row, token = await service.create(session, name=data.name, scope=data.scope, expires_in=expires)
    audit("token.create", row.id, name=row.name, scope=row.scope)
    return schemas.TokenCreated.model_validate(
        schemas.Token.model_validate(row).model_dump() | {"token": token}
    )


@router.delete(
    "/{token_id:uuid}", response_model=schemas.Token, responses=error_responses(NotFound)
)
async def revoke_token(token_id: uuid.UUID, session: SessionDep, audit: AuditDep) -> ApiToken:
    """Revoke a token; it stops working at once."""
    row = await service.revoke(session, token_id)
    audit("token.revoke", token_id)
    return row
