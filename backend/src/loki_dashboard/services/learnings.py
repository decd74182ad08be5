"""Cross-project learnings: list, add (once per content) and search."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from loki_dashboard.models import Learning
from loki_dashboard.realtime.events import DomainEvent, stage_event
from loki_dashboard.repositories import learnings as repo
from loki_dashboard.schemas import learnings as schemas
from loki_dashboard.services import projects as projects_service
from loki_dashboard.services.cursors import decode_cursor, encode_cursor


def fingerprint(type: str, category: str | None, description: str) -> str:
    """The content hash that makes the same learning one row, however often it is added."""
    content = "\x1f".join((type, category or "", description.strip()))
    return hashlib.sha256(content.encode()).hexdigest()


async def list_page(
    session: AsyncSession,
    *,
    type: str | None,
    category: str | None,
    project_id: uuid.UUID | None,
    cursor: str | None,
    limit: int,
) -> tuple[Sequence[Learning], str | None]:
    offset = max(decode_cursor(cursor, int)[0], 0) if cursor else 0
    items = await repo.list_learnings(
        session,
        type=type,
        category=category,
        project_id=project_id,
        offset=offset,
        limit=limit + 1,
    )
    if len(items) <= limit:
        return items, None
    return items[:limit], encode_cursor(offset + limit)


async def add(session: AsyncSession, data: schemas.LearningCreate) -> tuple[Learning, bool]:
    """Store a learning; returns it and whether it is new (an identical one is reused)."""
    if data.project_id is not None:
        await projects_service.get(session, data.project_id)
    key = fingerprint(data.type, data.category, data.description)
    existing = await repo.get_by_fingerprint(session, key)
    if existing is not None:
        return existing, False
    learning = Learning(**data.model_dump(), fingerprint=key)
    session.add(learning)
    await session.flush()
    body = schemas.Learning.model_validate(learning).model_dump(mode="json")
    stage_event(session, DomainEvent("learning:created", body, project_id=learning.project_id))
    return learning, True


async def search(
    session: AsyncSession, query: str, *, type: str | None, limit: int
) -> list[schemas.LearningHit]:
    hits = await repo.search(session, query, type=type, limit=limit)
    return [
        schemas.LearningHit.model_validate(
            schemas.Learning.model_validate(learning).model_dump() | {"score": score}
        )
        for learning, score in hits
    ]
