"""Named dependencies; a route's signature says what it needs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from loki_dashboard.config import Settings
from loki_dashboard.db.engine import Database
from loki_dashboard.db.session import session_scope
from loki_dashboard.errors import Forbidden
from loki_dashboard.realtime.bus import EventBus
from loki_dashboard.services import audit
from loki_dashboard.services.api_tokens import SCOPE_RANK

_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


def get_bus(request: Request) -> EventBus:
    bus: EventBus = request.app.state.bus
    return bus


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's unit of work: reads use the read pool, anything else the single writer."""
    database = get_database(request)
    read_only = request.method in _READ_METHODS
    sessions = database.read_sessions if read_only else database.write_sessions
    async with session_scope(sessions, get_bus(request)) as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
DatabaseDep = Annotated[Database, Depends(get_database)]
BusDep = Annotated[EventBus, Depends(get_bus)]
# scope="function": commit before the response is sent, so a failed commit is never a 200.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


class Auditor:
    """Records control actions of this request (who and from where come from the access guard)."""

    def __init__(self, request: Request, session: AsyncSession) -> None:
        self.actor = str(getattr(request.state, "actor", "local"))
        self.remote = getattr(request.state, "remote", None)
        self.session = session

    def __call__(self, action: str, target: object = None, **details: Any) -> None:
        audit.record(
            self.session,
            actor=self.actor,
            remote=self.remote,
            action=action,
            target=None if target is None else str(target),
            **details,
        )


def get_auditor(request: Request, session: SessionDep) -> Auditor:
    return Auditor(request, session)


AuditDep = Annotated[Auditor, Depends(get_auditor)]


def caller_scope(request: Request) -> str | None:
    """The caller's scope as the access guard granted it (admin for the local user)."""
    scope = getattr(request.state, "scope", None)
    return scope if scope in SCOPE_RANK else None


def is_admin(request: Request) -> bool:
    return caller_scope(request) == "admin"


def require_admin(request: Request, what: str) -> None:
    """403 unless the caller has admin scope; `what` names the change in the message."""
    scope = caller_scope(request)
    if scope != "admin":
        raise Forbidden(f"{what} needs an admin token; this token's scope is {scope or 'none'}")


def admin_only(request: Request) -> None:
    require_admin(request, "this action")


AdminOnly = Depends(admin_only)
