"""The access guard in front of every route (HTTP and WebSocket) but `/health`.

Local requests (see local_trust.py) pass; everything else needs a valid bearer token: 401
without one (wrong and missing get the same answer), 429 after repeated failures from one
address. State-changing requests with a body must be `application/json` (415), so a cross-site
"simple" form post cannot reach any handler. Every HTTP response carries security headers.
"""

from __future__ import annotations

import time
from collections import deque

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from loki_dashboard.auth.client_address import client_address
from loki_dashboard.auth.local_trust import changes_state, is_local
from loki_dashboard.auth.tokens import is_valid, presented_token
from loki_dashboard.config import Settings
from loki_dashboard.db.session import session_scope
from loki_dashboard.errors import error_response
from loki_dashboard.services import api_tokens
from loki_dashboard.services.api_tokens import SCOPE_RANK
from loki_dashboard.spa import is_page_path

OPEN_PATHS = frozenset({"/health"})
FAILURE_WINDOW_SECONDS = 60.0
MAX_FAILURES = 10
SECURITY_HEADERS = {
    "content-security-policy": "default-src 'self'; connect-src 'self' ws: wss:; "
    "img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


class AccessGuard:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self._failures: dict[str, deque[float]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in {"http", "websocket"}:
            await self.app(scope, receive, send)
            return
        refusal = await self._refusal(scope)
        if refusal is not None:
            status, code, message = refusal
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008, "reason": message[:120]})
                return
            await self._with_headers(error_response(status, code, message), scope, receive, send)
            return
        if scope["type"] == "http":
            await self.app(scope, receive, self._secure(send))
        else:
            await self.app(scope, receive, send)

    async def _refusal(self, scope: Scope) -> tuple[int, str, str] | None:
        if scope.get("path") in OPEN_PATHS:
            return None
        if _reads_web_app(scope):
            return None
        if scope["type"] == "http" and changes_state(scope) and _has_body(scope):
            content_type = Headers(scope=scope).get("content-type", "")
            if content_type.split(";")[0].strip().lower() != "application/json":
                return 415, "unsupported_media_type", "send the request body as application/json"
        peer = client_address(scope, self.settings.trusted_proxies)
        caller = scope.setdefault("state", {})
        caller["remote"] = peer
        if is_local(scope, self.settings):
            caller["actor"] = "local"
            caller["scope"] = "admin"  # the local user owns the machine
            return None
        if self._too_many_failures(peer):
            return 429, "too_many_requests", "too many failed sign-ins; wait a minute"
        granted, actor = await self._granted_scope(scope, presented_token(scope))
        caller["actor"] = actor
        caller["scope"] = granted  # routes that need more than their method's scope check it
        if granted is None:
            self._failures.setdefault(peer, deque()).append(time.monotonic())
            return (
                401,
                "unauthorized",
                "a valid token is needed: send 'Authorization: Bearer <token>' "
                "(create one with 'loki dashboard token generate')",
            )
        needed = required_scope(scope)
        if SCOPE_RANK[granted] < SCOPE_RANK[needed]:
            return 403, "forbidden", f"this token's scope is {granted}; this needs {needed}"
        return None

    async def _granted_scope(self, scope: Scope, token: str | None) -> tuple[str | None, str]:
        """(scope granted or None, who it is for the audit trail)."""
        if token is None:
            return None, "anonymous"
        if is_valid(token, self.settings):
            return "admin", "env-token"  # LOKI_DASHBOARD_TOKEN, for scripted deployments
        database = getattr(scope["app"].state, "database", None) if "app" in scope else None
        if database is None:
            return None, "anonymous"
        async with session_scope(database.write_sessions) as session:
            found = await api_tokens.scope_of(session, token)
        return (found[1], f"token:{found[0]}") if found else (None, "anonymous")

    def _too_many_failures(self, peer: str) -> bool:
        recent = self._failures.get(peer)
        if not recent:
            return False
        cutoff = time.monotonic() - FAILURE_WINDOW_SECONDS
        while recent and recent[0] < cutoff:
            recent.popleft()
        return len(recent) >= MAX_FAILURES

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
