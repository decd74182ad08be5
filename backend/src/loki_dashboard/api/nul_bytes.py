"""Refuse NUL characters in the URL before any route sees them.

PostgreSQL text cannot hold NUL and SQLite would store it silently, so a `%00` anywhere in the
path or query is a 422 for every route alike. (JSON bodies are checked by the Schema base.)
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from loki_dashboard.errors import error_response


class RejectNulBytes:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (
            b"%00" in scope.get("query_string", b"") or "\x00" in scope.get("path", "")
        ):
            response = error_response(
                422,
                "validation_error",
                "the request URL contains a NUL character (%00), which no parameter accepts",
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
