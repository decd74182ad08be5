"""API tokens: create (shown once), list (never the token), revoke, and check a presented one.

Only a SHA-256 hash is stored and looked up; scopes rank read < control < admin; a token made
without a scope is `read`. Every check reads the database, so a revoked token stops working at
once, and `last_used_at` is written at most once a minute.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Collection, Sequence
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from loki_dashboard.db.types import utcnow
from loki_dashboard.errors import NotFound
from loki_dashboard.models import ApiToken

SCOPE_RANK = {"read": 0, "control": 1, "admin": 2}
LAST_USED_EVERY = timedelta(minutes=1)


def new_token() -> str:
    return "loki_" + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create(
    session: AsyncSession, *, name: str, scope: str = "read", expires_in: timedelta | None = None
) -> tuple[ApiToken, str]:
    token = new_token()
    row = ApiToken(
        name=name,
        token_hash=hash_token(token),
        scope=scope,
        expires_at=utcnow() + expires_in if expires_in else None,
    )
    session.add(row)
    await session.flush()
    return row, token


async def list_all(session: AsyncSession) -> Sequence[ApiToken]:
    return (await session.scalars(select(ApiToken).order_by(ApiToken.created_at))).all()


async def revoke(session: AsyncSession, token_id: uuid.UUID) -> ApiToken:
    row = await session.get(ApiToken, token_id)
    if row is None:
        raise NotFound(f"token {token_id} not found")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    return row


async def scope_of(session: AsyncSession, token: str) -> tuple[uuid.UUID, str] | None:
    """(token id, scope) of a valid token, or None for a wrong, expired or revoked one."""
    digest = hash_token(token)
    row = await session.scalar(select(ApiToken).where(ApiToken.token_hash == digest))
    if row is None or not hmac.compare_digest(row.token_hash, digest):
        return None
    now = utcnow()
    if row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now):
        return None
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_EVERY:
        row.last_used_at = now
    return row.id, row.scope


async def any_active(session: AsyncSession) -> bool:
    """Whether some token could be used right now (not revoked, not expired)."""
    now = utcnow()
    found = await session.scalar(
        select(ApiToken.id)
        .where(ApiToken.revoked_at.is_(None))
        .where((ApiToken.expires_at.is_(None)) | (ApiToken.expires_at > now))
        .limit(1)
    )
    return found is not None


async def lapsed(session: AsyncSession, token_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Those of `token_ids` that admit nobody any more, each with why: revoked or expired (a
    token no longer stored counts as revoked)."""
    now = utcnow()
    found: dict[uuid.UUID, str | None] = {}
    ids = list(token_ids)
    for start in range(0, len(ids), 500):  # well under every driver's limit on parameters
        rows = await session.execute(
            select(ApiToken.id, ApiToken.revoked_at, ApiToken.expires_at).where(
                ApiToken.id.in_(ids[start : start + 500])
            )
        )
        for token_id, revoked_at, expires_at in rows:
            if revoked_at is not None:
                found[token_id] = "revoked"
            elif expires_at is not None and expires_at <= now:
                found[token_id] = "expired"
            else:
                found[token_id] = None
    return {
        token_id: reason
        for token_id in ids
        if (reason := found.get(token_id, "revoked")) is not None
    }
