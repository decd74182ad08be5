"""Project queries."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from loki_dashboard.models import Project


async def get(session: AsyncSession, project_id: uuid.UUID) -> Project | None:
    return await session.get(Project, project_id)


async def get_by_path(session: AsyncSession, path: str) -> Project | None:
    return await session.scalar(select(Project).where(Project.path == path))


async def lock(session: AsyncSession, project_id: uuid.UUID) -> bool:
    """Serialise order-changing writes of one project; False when the project does not exist.

    PostgreSQL takes a row lock that concurrent movers wait on; SQLite's single writer connection
    with BEGIN IMMEDIATE already serialises every write, and FOR UPDATE renders as nothing there.
    """
    locked = await session.scalar(
        select(Project.id).where(Project.id == project_id).with_for_update()
    )
    return locked is not None


async def list_all(session: AsyncSession) -> Sequence[Project]:
    return (await session.scalars(select(Project).order_by(Project.name, Project.id))).all()


async def remove(session: AsyncSession, project_id: uuid.UUID) -> None:
    """Delete the row; foreign keys cascade to its sessions, tasks, agents and logs."""
    await session.execute(delete(Project).where(Project.id == project_id))
