"""Task queries: filtered keyset listing, column reads and order rewrites."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    Table,
    Uuid,
    and_,
    bindparam,
    case,
    exists,
    func,
    literal,
    or_,
    select,
    tuple_,
    type_coerce,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from loki_dashboard.db.types import UTCDateTime
from loki_dashboard.models import Task
from loki_dashboard.models.task import TASK_STATUSES
from loki_dashboard.repositories.text import escape_like

STATUS_RANK = {status: rank for rank, status in enumerate(TASK_STATUSES)}
_status_rank = case(STATUS_RANK, value=Task.status, else_=len(TASK_STATUSES))


@dataclass(frozen=True)
class TaskFilter:
    project_id: uuid.UUID | None = None
    session_id: uuid.UUID | None = None
    statuses: tuple[str, ...] = ()
    priority: str | None = None
    type: str | None = None
    label: str | None = None
    parent_id: uuid.UUID | None = None
    text: str | None = None


@dataclass(frozen=True)
class SortKey:
    """Where a task sits in the list order: (status rank, column order, id)."""

    rank: int
    column_order: int
    id: uuid.UUID


def sort_key(task: Task) -> SortKey:
    return SortKey(STATUS_RANK.get(task.status, len(TASK_STATUSES)), task.column_order, task.id)


def _has_label(session: AsyncSession, label: str) -> ColumnElement[bool]:
    if session.get_bind().dialect.name == "postgresql":
        return type_coerce(Task.labels, JSONB).contains([label])
    each = func.json_each(Task.labels).table_valued("value")
    return exists(select(literal(1)).select_from(each).where(each.c.value == label))


def _filtered(session: AsyncSession, where: TaskFilter) -> Select[Task]:
    query = select(Task)
    if where.project_id is not None:
        query = query.where(Task.project_id == where.project_id)
    if where.session_id is not None:
        query = query.where(Task.session_id == where.session_id)
    if where.statuses:
        query = query.where(Task.status.in_(where.statuses))
    if where.priority is not None:
        query = query.where(Task.priority == where.priority)
    if where.type is not None:
        query = query.where(Task.type == where.type)
    if where.parent_id is not None:
        query = query.where(Task.parent_id == where.parent_id)
    if where.label is not None:
        query = query.where(_has_label(session, where.label))
    if where.text:
        pattern = f"%{escape_like(where.text)}%"
        query = query.where(
            or_(
                Task.title.ilike(pattern, escape="\\"),
                Task.description.ilike(pattern, escape="\\"),
            )
        )
    return query


async def list_page(
    session: AsyncSession, where: TaskFilter, *, after: SortKey | None, limit: int
) -> Sequence[Task]:
    """Up to `limit` tasks after `after`, in (status rank, column_order, id) order.

    With one status the rank is constant, so the order (and the keyset condition) drops it and the
    (project_id, status, column_order) index serves the query directly.
    """
    query = _filtered(session, where)
    single_status = len(where.statuses) == 1
    if single_status:
        order = (Task.column_order, Task.id)
        if after is not None:
            query = query.where(tuple_(*order) > tuple_(after.column_order, after.id))
    else:
        order = (_status_rank, Task.column_order, Task.id)  # type: ignore[assignment]
        if after is not None:
            query = query.where(tuple_(*order) > tuple_(after.rank, after.column_order, after.id))
    return (await session.scalars(query.order_by(*order).limit(limit))).all()


async def get(session: AsyncSession, task_id: uuid.UUID) -> Task | None:
    return await session.get(Task, task_id)


def _uuid_text(stored: str) -> str:
    """SQLite keeps a UUID as 32 hex digits; its JSON form has the dashes."""
    h = stored
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}" if len(h) == 32 else h


def _time_text(stored: str) -> str:
    """SQLite keeps UTC as 'YYYY-MM-DD HH:MM:SS[.ffffff]'; its JSON form is ISO 8601 with Z
    and no fraction when it is zero (as pydantic and orjson print a datetime)."""
    text = stored.replace(" ", "T", 1)
    if text.endswith(".000000"):
        text = text[:-7]
    return text + "Z"


# The board's columns as plain rows: no ORM objects, so 2,000 cards cost one cheap query each.
_BOARD_COLUMNS = tuple(Task.__table__.columns)
_BOARD_KEYS = tuple(str("metadata" if c.key == "meta" else c.key) for c in _BOARD_COLUMNS)
# On SQLite, ids and times are read as the text SQLite keeps and printed straight into their
# JSON form: making ~10,000 UUID and datetime objects per 2,000 cards only to print them again
# was half the read.
_UUIDS = frozenset(c.key for c in _BOARD_COLUMNS if isinstance(c.type, Uuid))
_TIMES = frozenset(c.key for c in _BOARD_COLUMNS if isinstance(c.type, UTCDateTime))
_SQLITE_BOARD_COLUMNS = tuple(
    type_coerce(c, String).label(c.key) if c.key in _UUIDS | _TIMES else c for c in _BOARD_COLUMNS
)
_SQLITE_TEXT = tuple(
    (i, _uuid_text if c.key in _UUIDS else _time_text)
    for i, c in enumerate(_BOARD_COLUMNS)
    if c.key in _UUIDS | _TIMES
)


async def column_rows(
    session: AsyncSession, project_id: uuid.UUID, status: str, *, limit: int
) -> list[dict[str, Any]]:
    """The first `limit` tasks of one Kanban column, in order, as plain dicts of JSON-ready
    values (every field of the Task schema), read through the (project_id, status,
    column_order) index."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    # Through the connection: plain Core rows, without the ORM's per-row loading step.
    connection = await session.connection()
    result = await connection.execute(
        select(*(_SQLITE_BOARD_COLUMNS if sqlite else _BOARD_COLUMNS))
        .where(Task.project_id == project_id, Task.status == status)
        .order_by(Task.column_order, Task.id)
        .limit(limit)
    )
    keys = _BOARD_KEYS
    fetched = result.all()  # one fetch: iterating would fetch row by row, a thread hop each
    if not sqlite:
        return [dict(zip(keys, row, strict=True)) for row in fetched]
    rows = []
    for row in fetched:
        values = list(row)
        for index, as_text in _SQLITE_TEXT:
            if values[index] is not None:
                values[index] = as_text(values[index])
        rows.append(dict(zip(keys, values, strict=True)))
    return rows


async def get_many(
    session: AsyncSession, task_ids: Sequence[uuid.UUID], *, fresh: bool = False
) -> Sequence[Task]:
    """The tasks with these ids; `fresh` overwrites already loaded objects with the stored rows."""
    query = select(Task).where(Task.id.in_(task_ids))
    if fresh:
        query = query.execution_options(populate_existing=True)
    return (await session.scalars(query)).all()


async def get_by_external_id(
    session: AsyncSession, project_id: uuid.UUID, external_id: str
) -> Task | None:
    return await session.scalar(
        select(Task).where(Task.project_id == project_id, Task.external_id == external_id)
    )


async def column_size(session: AsyncSession, project_id: uuid.UUID, status: str) -> int:
    count = await session.scalar(
        select(func.count()).where(Task.project_id == project_id, Task.status == status)
    )
    return int(count or 0)


async def column_ids(
    session: AsyncSession, project_id: uuid.UUID, status: str
) -> list[tuple[uuid.UUID, int]]:
    """The (id, column_order) pairs of one Kanban column, in order."""
    rows = await session.execute(
        select(Task.id, Task.column_order)
        .where(and_(Task.project_id == project_id, Task.status == status))
        .order_by(Task.column_order, Task.id)
    )
    return [(row[0], row[1]) for row in rows]


async def column_stats(
    session: AsyncSession, project_id: uuid.UUID, statuses: Sequence[str]
) -> dict[str, tuple[int, int | None, int | None]]:
    """(count, min order, max order) of the project's columns, answered from the column index."""
    rows = await session.execute(
        select(Task.status, func.count(), func.min(Task.column_order), func.max(Task.column_order))
        .where(Task.project_id == project_id, Task.status.in_(statuses))
        .group_by(Task.status)
    )
    return {row[0]: (int(row[1]), row[2], row[3]) for row in rows}


async def shift(
    session: AsyncSession,
    project_id: uuid.UUID,
    status: str,
    delta: int,
    *,
    above: int,
    below: int | None = None,
) -> None:
    """Add `delta` to column_order of the column's rows with above < order < below."""
    condition = [Task.project_id == project_id, Task.status == status, Task.column_order > above]
    if below is not None:
        condition.append(Task.column_order < below)
    await session.execute(
        update(Task).where(*condition).values(column_order=Task.column_order + delta),
        execution_options={"synchronize_session": False},
    )


def forget_orders(session: AsyncSession, *, keep: Task) -> None:
    """Loaded tasks other than `keep` may hold a stale column_order after a shift."""
    for loaded in list(session.identity_map.values()):
        if isinstance(loaded, Task) and loaded is not keep:
            session.expire(loaded, ["column_order"])


async def write_orders(session: AsyncSession, orders: dict[uuid.UUID, int]) -> None:
    """Set column_order for the given ids in one executemany; keep loaded objects in step."""
    if not orders:
        return
    table = Task.__table__
    assert isinstance(table, Table)
    statement = (
        update(table)
        .where(table.c.id == bindparam("task_id"))
        .values(column_order=bindparam("new_order"))
    )
    await session.execute(
        statement,
        [{"task_id": task_id, "new_order": order} for task_id, order in orders.items()],
    )
    for task_id, order in orders.items():
        loaded = session.identity_map.get(session.sync_session.identity_key(Task, task_id))
        if loaded is not None:
            set_committed_value(loaded, "column_order", order)


async def parent_chain(session: AsyncSession, start: uuid.UUID, limit: int) -> list[uuid.UUID]:
    """Ids from `start` up through its ancestors (at most `limit`), to refuse cycles."""
    chain: list[uuid.UUID] = []
    current: uuid.UUID | None = start
    while current is not None and len(chain) < limit:
        chain.append(current)
        current = await session.scalar(select(Task.parent_id).where(Task.id == current))
    return chain


async def detach_children(session: AsyncSession, parent_id: uuid.UUID) -> None:
    """Subtasks of a deleted task become top-level (the FK also says SET NULL; this keeps the
    session's loaded objects honest and works whatever the dialect enforces)."""
    await session.execute(
        update(Task).where(Task.parent_id == parent_id).values(parent_id=None),
        execution_options={"synchronize_session": False},
    )
