"""The access guard in front of every route (HTTP and WebSocket) but `/health`.

Local requests (see local_trust.py) pass; everything else needs a valid bearer token: 401
without one (wrong and missing get the same answer), 429 once an address has presented too many
wrong tokens (see failure_limit.py; a valid token always passes). State-changing requests with a
body must be `application/json` (415), so a cross-site "simple" form post cannot reach any
handler. Every HTTP response carries security headers.

A request admitted with a database token carries its id in `scope["state"]["token_id"]`, so a
stream it opens can be closed when that token is revoked or expires (see token_watch.py).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from loki_dashboard.auth.client_address import client_address
from loki_dashboard.auth.failure_limit import FailureLimiter
from loki_dashboard.auth.local_trust import changes_state, is_local
from loki_dashboard.auth.tokens import is_valid, presented_token
from loki_dashboard.config import Settings
from loki_dashboard.db.session import session_scope
from loki_dashboard.errors import error_response
from loki_dashboard.services import api_tokens
from loki_dashboard.services.api_tokens import SCOPE_RANK
from loki_dashboard.spa import is_page_path

OPEN_PATHS = frozenset({"/health"})
SECURITY_HEADERS = {
    "content-security-policy": "default-src 'self'; connect-src 'self' ws: wss:; "
    "img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


@dataclass(frozen=True)
class Refusal:
    status: int
    code: str
    message: str
    retry_after: int | None = None


UNAUTHORIZED = Refusal(
    401,
    "unauthorized",
    "a valid token is needed: send 'Authorization: Bearer <token>' "
    "(create one with 'loki dashboard token generate')",
)


@dataclass(frozen=True)
class Grant:
    """What a presented token may do, and who it is for the audit trail."""

    scope: str
    actor: str
    token_id: uuid.UUID | None = None  # None for LOKI_DASHBOARD_TOKEN, which cannot be revoked


class AccessGuard:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.failures = FailureLimiter()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in {"http", "websocket"}:
            await self.app(scope, receive, send)
            return
        refusal = await self._refusal(scope)
        if refusal is not None:
            if scope["type"] == "websocket":
                reason = refusal.message[:120]
                await send({"type": "websocket.close", "code": 1008, "reason": reason})
                return
            response = error_response(refusal.status, refusal.code, refusal.message)
            if refusal.retry_after is not None:
                response.headers["Retry-After"] = str(refusal.retry_after)
            await self._with_headers(response, scope, receive, send)
            return
        if scope["type"] == "http":
            await self.app(scope, receive, self._secure(send))
        else:
            await self.app(scope, receive, send)

    async def _refusal(self, scope: Scope) -> Refusal | None:
        if scope.get("path") in OPEN_PATHS:
            return None
        if _reads_web_app(scope):
            return None
        if scope["type"] == "http" and changes_state(scope) and _has_body(scope):
            content_type = Headers(scope=scope).get("content-type", "")
            if content_type.split(";")[0].strip().lower() != "application/json":
                return Refusal(
                    415, "unsupported_media_type", "send the request body as application/json"
                )
        peer = client_address(scope, self.settings.trusted_proxies)
        caller = scope.setdefault("state", {})
        caller["remote"] = peer
        if is_local(scope, self.settings):
            caller["actor"] = "local"
            caller["scope"] = "admin"  # the local user owns the machine
            return None
        caller["actor"] = "anonymous"
        token = presented_token(scope)
        if token is None:
            return UNAUTHORIZED  # not a failed sign-in: nothing was tried, nothing is counted
        grant = await self._grant(scope, token)
        if grant is None:
            locked = self.failures.retry_after(peer)
            self.failures.record(peer)
            if locked is not None:
                return Refusal(
                    429,
                    "too_many_requests",
                    f"too many wrong tokens from this address; try again in {locked} s",
                    retry_after=locked,
                )
            return UNAUTHORIZED
        caller["actor"] = grant.actor
        caller["token_id"] = grant.token_id
        caller["scope"] = grant.scope  # routes that need more than their method's scope check it
        needed = required_scope(scope)
        if SCOPE_RANK[grant.scope] < SCOPE_RANK[needed]:
            return Refusal(
                403, "forbidden", f"this token's scope is {grant.scope}; this needs {needed}"
            )
        return None

    async def _grant(self, scope: Scope, token: str) -> Grant | None:
        """What `token` may do, or None for a wrong, expired or revoked one."""
        if is_valid(token, self.settings):
            return Grant("admin", "env-token")  # LOKI_DASHBOARD_TOKEN, for scripted deployments
        database = getattr(scope["app"].state, "database", None) if "app" in scope else None
        if database is None:
            return None
        async with session_scope(database.write_sessions) as session:
            found = await api_tokens.scope_of(session, token)
        return Grant(found[1], f"token:{found[0]}", found[0]) if found else None

    def _secure(self, send: Send) -> Send:
        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        return wrapped

    async def _with_headers(
        self, response: object, scope: Scope, receive: Receive, send: Send
    ) -> None:
        await response(scope, receive, self._secure(send))  # type: ignore[operator]


def required_scope(scope: Scope) -> str:
    """read for reads and the event stream, control for changes, admin for token management."""
    path = scope.get("path", "")
    if path.startswith(("/api/tokens", "/api/audit")):
        return "admin"
    if scope["type"] == "websocket" or scope.get("method", "GET") in {"GET", "HEAD", "OPTIONS"}:
        return "read"
    return "control"


def _reads_web_app(scope: Scope) -> bool:
    """A GET of the web app's files, which hold no data: open, so a remote browser can load
    the page that asks for a token."""
    return (
        scope["type"] == "http"
        and scope.get("method") in {"GET", "HEAD"}
        and is_page_path(scope.get("path", "/"))
    )


def _has_body(scope: Scope) -> bool:
    headers = Headers(scope=scope)
    length = headers.get("content-length")
    return "transfer-encoding" in headers or (
        length is not None and length.strip() not in {"", "0"}
    )
