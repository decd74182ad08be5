"""Serves the built web app: hashed assets cached for a year, every other page path answered
with `index.html` so client-side routes survive a reload.

The files carry no data (everything comes through the guarded API), so the access guard lets
anyone load them; that is what lets a remote browser show its token prompt.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response

STATIC_DIR = Path(__file__).parent / "static"
# Paths the SPA fallback never answers: the API and the server's own pages.
SERVER_PREFIXES = ("/api", "/ws", "/health", "/metrics", "/docs", "/redoc", "/openapi.json")
IMMUTABLE = "public, max-age=31536000, immutable"
SPA_ROUTE_NAME = "web_app"

NOT_BUILT = """<!doctype html><meta charset="utf-8"><title>Loki Dashboard</title>
<body style="font-family:sans-serif;max-width:40rem;margin:4rem auto">
<h1>Loki Dashboard</h1><p>The web app has not been built into this installation.
Run <code>make run</code> from a source checkout (it builds it), or use the API at
<a href="/docs">/docs</a>.</p></body>"""


def is_page_path(path: str) -> bool:
    """Whether `path` belongs to the web app rather than the API."""
    return not any(path == p or path.startswith(p + "/") for p in SERVER_PREFIXES)


def _file_in(root: Path, path: str) -> Path | None:
    """`root/path` when it is a file inside `root`; None for anything else, including names
    the file system refuses (too long, bad bytes), so odd URLs get the page, never a 500."""
    try:
        candidate = (root / path).resolve()
        return candidate if candidate.is_relative_to(root) and candidate.is_file() else None
    except (OSError, ValueError):
        return None


def mount_spa(app: FastAPI, static_dir: Path | None = None) -> None:
    """Answer every GET the routes registered before this do not: the app's files or its page."""

    @app.api_route(
        "/{path:path}", methods=["GET", "HEAD"], include_in_schema=False, name=SPA_ROUTE_NAME
    )
    async def web_app(path: str, request: Request) -> Response:
        if not is_page_path(request.url.path):
            raise HTTPException(status_code=404)
        root = (static_dir or STATIC_DIR).resolve()
        index = root / "index.html"
        if not index.is_file():
            return HTMLResponse(NOT_BUILT, status_code=503)
        found = _file_in(root, path) if path else None
        if found is not None:
            cache = IMMUTABLE if path.startswith("assets/") else "no-cache"
            return FileResponse(found, headers={"Cache-Control": cache})
        if path.startswith("assets/"):
            raise HTTPException(status_code=404)  # a stale hashed name: not the page
        return FileResponse(index, headers={"Cache-Control": "no-cache"})
