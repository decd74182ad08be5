"""Load shedding: a quick 503 with `Retry-After` instead of a queue that grows without bound.

Two limits, per server process:
- At most `LOKI_MAX_CONCURRENT_REQUESTS` HTTP requests are handled at once; one more is refused
  at once (live log streams have their own cap and are not counted).
- At most `LOKI_MAX_CONCURRENT_WRITES` of them are changes. Changes queue for the database's
  writer (one connection on SQLite), and each also fans out to every subscriber: with 500 of
  them, task creations offered at 100/s queued 140 deep and waited 7 s each in the server,
  measured, with the event loop never more than 0.15 s late. This bounds that queue, so an
  accepted change waits at most that many changes' time.
Reads go on under the second (they fan out nothing), and the run controls (pause, resume, stop,
input, model) are never refused: stopping a run must work under any load. A refusal costs next
to nothing, so refusing is what lets the server catch up.

Not a limit: how late the event loop runs (`loki_event_loop_lag_seconds`). A single client's
bulk change to 200 tasks with 100 subscribers makes it late too, and refusing that client's
next request helps nobody; a queue is what overload grows.

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
        self.writes_in_progress = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path in NEVER_SHED or path in STREAM_PATHS:
            await self.app(scope, receive, send)
            return
        write = scope.get("method", "GET") not in SAFE_METHODS
        refusal = self._refusal(write=write, control=bool(RUN_CONTROL.match(path)))
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        self.in_progress += 1
        self.writes_in_progress += write
        HTTP_IN_PROGRESS.inc()
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_progress -= 1
            self.writes_in_progress -= write
            HTTP_IN_PROGRESS.dec()

    def _refusal(self, *, write: bool, control: bool) -> JSONResponse | None:
        settings = self.settings
        if control:
            return None
        if self.in_progress >= settings.max_concurrent_requests:
            return shed_response(
                "concurrency",
                f"the server is handling {settings.max_concurrent_requests} requests at once, "
                f"its limit; retry in {RETRY_AFTER_SECONDS} s",
            )
        if write and self.writes_in_progress >= settings.max_concurrent_writes:
            return shed_response(
                "writes",
                f"{settings.max_concurrent_writes} changes are waiting to be made, the limit; "
                f"the change was not made, retry in {RETRY_AFTER_SECONDS} s",
            )
        return None
