"""Every HTTP answer counted by route template, method and status, and timed.

The route is the template of the route that answered (`/api/tasks/{task_id}`), so raw paths
(ids, or anything a client invents) never become labels; what no route answered (refused by the
access guard or load shedding) is `unrouted`. The route object FastAPI leaves in the scope knows
only its path inside its router, so the full template is asked of the application by the route's
name, once per route.
"""

from __future__ import annotations

import time

from starlette.routing import NoMatchFound
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from loki_dashboard.telemetry.metrics import HTTP_DURATION, HTTP_REQUESTS

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class RequestMetrics:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        # id(route) → its full template (routes live as long as the app; they are unhashable)
        self._templates: dict[int, str] = {}

    def _template(self, scope: Scope) -> str:
        route = scope.get("route")
        if route is None:
            return "unrouted"
        template = self._templates.get(id(route))
        if template is None:
            names = {name: f"{{{name}}}" for name in scope.get("path_params", {})}
            try:
                template = str(scope["app"].url_path_for(route.name, **names))
            except (NoMatchFound, AttributeError, KeyError):
                template = str(getattr(route, "path", "unrouted"))
            self._templates[id(route)] = template
        return template

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the server answers when the application fails before answering

        async def noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, noting_status)
        finally:
            route = self._template(scope)
            method = scope.get("method", "")
            method = method if method in METHODS else "other"
            HTTP_REQUESTS.labels(route, method, str(status)).inc()
            HTTP_DURATION.labels(route, method).observe(time.perf_counter() - started)
