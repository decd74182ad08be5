"""Which methods a URL answers, over every route, so a wrong method gets 405 with the whole
`Allow` list and an unknown path 404.

The router alone gets both wrong: it names only the first route whose path matches, and the web
app's catch-all (GET) answers 404 for a GET on a POST-only API path and claims every other API
path for GET, so a POST to an unknown one was a 405.
"""

from __future__ import annotations

import re
from functools import lru_cache

from fastapi.routing import iter_route_contexts
from starlette.routing import BaseRoute, compile_path

from loki_dashboard.spa import SPA_ROUTE_NAME, is_page_path


@lru_cache(maxsize=256)
def _pattern(path: str) -> re.Pattern[str]:
    pattern, _, _ = compile_path(path)
    return pattern


def allowed_methods(routes: list[BaseRoute], path: str) -> set[str]:
    """Every method some route accepts at `path` (empty: no route has the path)."""
    methods: set[str] = set()
    for route in iter_route_contexts(routes):
        if not route.path or not route.methods:
            continue  # the WebSocket route
        if route.name == SPA_ROUTE_NAME and not is_page_path(path):
            continue  # the web app never answers an API path
        if _pattern(route.path).match(path):
            methods |= route.methods
    return methods
