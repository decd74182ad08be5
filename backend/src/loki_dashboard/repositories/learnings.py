"""Learning queries, including ranked full-text search (SQLite FTS5, PostgreSQL tsvector)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence

from sqlalchemy import func, literal_column, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from loki_dashboard.models import Learning

# The same expression the GIN index of migration 0001 is built on, so PostgreSQL uses it.
_document = func.to_tsvector(
    literal_column("'english'"),
    func.coalesce(Learning.category, "") + " " + Learning.description,
)


async def list_learnings(
    session: AsyncSession,
    *,
    type: str | None,
    category: str | None,
    project_id: uuid.UUID | None,
    offset: int,
    limit: int,
) -> Sequence[Learning]:
    query = select(Learning)
    if type is not None:
        query = query.where(Learning.type == type)
    if category is not None:
        query = query.where(Learning.category == category)
    if project_id is not None:
        query = query.where(Learning.project_id == project_id)
    query = query.order_by(Learning.created_at.desc(), Learning.id).offset(offset).limit(limit)
    return (await session.scalars(query)).all()


async def get_by_fingerprint(session: AsyncSession, fingerprint: str) -> Learning | None:
    return await session.scalar(select(Learning).where(Learning.fingerprint == fingerprint))


def fts5_query(user_text: str) -> str:
    """User words as quoted FTS5 terms (all must match), so no input is FTS5 syntax."""
    words = re.findall(r"\w+", user_text)
    return " ".join(f'"{word}"' for word in words)


async def search(
    session: AsyncSession, user_text: str, *, type: str | None, limit: int
) -> list[tuple[Learning, float]]:
    """Best matches first, each with a relevance score where higher is better."""
    if session.get_bind().dialect.name == "postgresql":
        query_ts = func.websearch_to_tsquery(literal_column("'english'"), user_text)
        rank = func.ts_rank(_document, query_ts).label("score")
        query = select(Learning, rank).where(_document.op("@@")(query_ts))
        if type is not None:
            query = query.where(Learning.type == type)
        rows = await session.execute(query.order_by(rank.desc(), Learning.id).limit(limit))
        return [(row[0], float(row[1])) for row in rows]
    match = fts5_query(user_text)
    if not match:
        return []
    # bm25() is lower-is-better; negate it so both databases agree that higher is better.
    hits = await session.execute(
        text(
            "SELECT learning_id, -bm25(learning_fts) AS score FROM learning_fts "
            "WHERE learning_fts MATCH :match ORDER BY bm25(learning_fts) LIMIT :limit"
        ),
        {"match": match, "limit": limit * 4 if type else limit},
    )
    scores = {uuid.UUID(str(row[0])): float(row[1]) for row in hits}
    if not scores:
        return []
    query = select(Learning).where(Learning.id.in_(scores))
    if type is not None:
        query = query.where(Learning.type == type)
    found = (await session.scalars(query)).all()
    ranked = sorted(found, key=lambda learning: (-scores[learning.id], str(learning.id)))
    return [(learning, scores[learning.id]) for learning in ranked[:limit]]
