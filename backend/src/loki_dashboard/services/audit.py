"""The audit trail: every control action, recorded in the same transaction as the action itself
(so a refused or rolled-back action leaves no entry, and a done one always has one)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from loki_dashboard.models import AuditEntry


def record(
    session: AsyncSession,
    *,
    actor: str,
    remote: str | None,
    action: str,
    target: str | None = None,
    **details: Any,
) -> None:
    session.add(
        AuditEntry(actor=actor, remote=remote, action=action, target=target,
                   details=details or None)
    )  # fmt: skip


async def recent(
    session: AsyncSession, *, action: str | None, offset: int, limit: int
) -> Sequence[AuditEntry]:
    query = select(AuditEntry)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    query = query.order_by(AuditEntry.created_at.desc(), AuditEntry.id)
    return (await session.scalars(query.offset(offset).limit(limit))).all()
