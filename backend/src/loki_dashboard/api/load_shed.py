"""Load shedding: a quick 503 with `Retry-After` instead of a queue that grows without bound.

Two limits, per server process. At most `LOKI_MAX_CONCURRENT_REQUESTS` HTTP requests are handled
at once; one more is refused at once (live log streams have their own cap and are not counted).
And while the event loop runs more than `LOKI_SHED_LAG_SECONDS` late (see
telemetry/pressure.py), changes are refused: each one fans out to every subscriber and puts the
server further behind, while a refusal costs next to nothing. Reads go on (they fan out
nothing), and so do the run controls (pause, resume, stop, input, model): stopping a run must
work under any load. New WebSocket and log stream connections are refused meanwhile too (see
api/ws.py, api/log_stream.py).

`/health` and `/metrics` are never shed: an overloaded server must still say so.
"""

from __future__ import annotations

import re

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from loki_dashboard.auth.local_trust import SAFE_METHODS
from loki_dashboard.auth.middleware import SECURITY_HEADERS
from loki_dashboard.config import Settings
from loki_dashboard.errors import error_response
from loki_dashboard.telemetry.metrics import HTTP_IN_PROGRESS, LOAD_SHED

NEVER_SHED = frozenset({"/health", "/metrics"})
STREAM_PATHS = frozenset({"/api/logs/stream"})
RUN_CONTROL = re.compile(r"^/api/sessions/[^/]+/(?:pause|resume|stop|input|model)$")
RETRY_AFTER_SECONDS = 1


def overloaded(scope: Scope, settings: Settings) -> bool:
    """Whether the server runs too far behind to take more work (False before it started)."""
    pressure = getattr(scope["app"].state, "pressure", None) if "app" in scope else None
    return pressure is not None and pressure.lagging(settings.shed_lag_seconds)


def shed_response(reason: str, message: str) -> JSONResponse:
    """The 503 every shedding answer is: the error envelope, `Retry-After`, security headers."""
    LOAD_SHED.labels(reason).inc()
    response = error_response(503, "overloaded", message)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers.update(SECURITY_HEADERS)
    return response


class LoadShedder:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.in_progress = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path in NEVER_SHED or path in STREAM_PATHS:
            await self.app(scope, receive, send)
            return
        refusal = self._refusal(scope, path)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        self.in_progress += 1
        HTTP_IN_PROGRESS.inc()
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_progress -= 1
            HTTP_IN_PROGRESS.dec()

    def _refusal(self, scope: Scope, path: str) -> JSONResponse | None:
        limit = self.settings.max_concurrent_requests
        if self.in_progress >= limit:
            return shed_response(
                "concurrency",
                f"the server is handling {limit} requests at once, its limit; "
                f"retry in {RETRY_AFTER_SECONDS} s",
            )
        if (
            scope.get("method", "GET") not in SAFE_METHODS
            and not RUN_CONTROL.match(path)
            and overloaded(scope, self.settings)
        ):
            return shed_response(
                "lag",
                "the server is running behind; the change was not made, "
                f"retry in {RETRY_AFTER_SECONDS} s",
            )
        return None
