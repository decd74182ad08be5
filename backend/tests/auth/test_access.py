"""Who gets in: local trust, bearer tokens, and the requests that must be refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import websockets
from fastapi import FastAPI

from loki_dashboard.app import create_app
from loki_dashboard.config import load_settings
from tests.fixtures.server import running_server
from tests.realtime.ws_client import ws_url

TOKEN = "loki_" + "t" * 43
LOCAL = ("127.0.0.1", 50000)
REMOTE = ("10.1.2.3", 50000)
GOOD = {"Authorization": f"Bearer {TOKEN}"}
WRONG = {"Authorization": "Bearer loki_wrong"}


@pytest.fixture
async def guarded(loki_home: Path, database_url: str) -> AsyncIterator[FastAPI]:
    settings = load_settings(home=str(loki_home), database_url=database_url, token=TOKEN)
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


async def call(
    app: FastAPI, peer: tuple[str, int], method: str, url: str, **kwargs: object
) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, client=peer)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:57374") as c:
        return await c.request(method, url, **kwargs)  # type: ignore[arg-type]


# (peer, method, path, headers, body kind, expected status)
MATRIX = [
    # the local user's own browser and scripts
    (LOCAL, "GET", "/api/projects", {}, None, 200),
    (LOCAL, "POST", "/api/learnings", {}, "json", 201),
    (LOCAL, "POST", "/api/learnings", {"Origin": "http://127.0.0.1:57374"}, "json", 201),
    # DNS rebinding: a foreign Host from loopback is not local
    (LOCAL, "GET", "/api/projects", {"Host": "evil.example:57374"}, None, 401),
    (LOCAL, "GET", "/api/projects", {"Host": "127.0.0.1:9999"}, None, 401),
    # cross-site writes from a page the user visits
    (LOCAL, "POST", "/api/learnings", {"Origin": "https://evil.example"}, "json", 401),
    (LOCAL, "POST", "/api/learnings", {"Origin": "null"}, "json", 401),
    (LOCAL, "POST", "/api/learnings", {"Origin": "https://evil.example"} | GOOD, "json", 201),
    # proxy headers never make a request local
    (LOCAL, "GET", "/api/projects", {"X-Forwarded-For": "127.0.0.1"}, None, 401),
    (LOCAL, "GET", "/api/projects", {"Forwarded": "for=127.0.0.1"}, None, 401),
    (LOCAL, "GET", "/api/projects", {"Via": "1.1 proxy"}, None, 401),
    # "simple" cross-site bodies never reach a handler
    (LOCAL, "POST", "/api/learnings", {}, "text", 415),
    (LOCAL, "POST", "/api/learnings", {}, "form", 415),
    (REMOTE, "POST", "/api/learnings", GOOD, "form", 415),
    # other machines need the token, for reads and writes alike
    (REMOTE, "GET", "/api/projects", {}, None, 401),
    (REMOTE, "GET", "/api/projects", WRONG, None, 401),
    (REMOTE, "GET", "/api/projects", {"Authorization": TOKEN}, None, 401),
    (REMOTE, "GET", "/api/projects", GOOD, None, 200),
    (REMOTE, "POST", "/api/learnings", {}, "json", 401),
    (REMOTE, "POST", "/api/learnings", GOOD, "json", 201),
    (REMOTE, "GET", "/api/projects", {"X-Forwarded-For": "127.0.0.1"}, None, 401),
    (REMOTE, "GET", "/health", {}, None, 200),
    (REMOTE, "GET", "/openapi.json", {}, None, 401),
]


@pytest.mark.parametrize(("peer", "method", "path", "headers", "body", "expected"), MATRIX)
async def test_access_matrix(
    guarded: FastAPI,
    peer: tuple[str, int],
    method: str,
    path: str,
    headers: dict[str, str],
    body: str | None,
    expected: int,
) -> None:
    kwargs: dict[str, object] = {"headers": headers}
    if body == "json":
        kwargs["json"] = {"type": "patterns", "description": f"d {method} {headers}"}
    elif body == "text":
        kwargs["content"] = '{"type": "patterns", "description": "x"}'
        kwargs["headers"] = {**headers, "Content-Type": "text/plain"}
    elif body == "form":
        kwargs["data"] = {"type": "patterns", "description": "x"}
    response = await call(guarded, peer, method, path, **kwargs)
    assert response.status_code == expected, response.text
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    if expected >= 400:
        assert response.json()["error"]["message"]


async def test_repeated_failures_are_slowed_down(guarded: FastAPI) -> None:
    codes = [
        (await call(guarded, ("10.9.9.9", 1), "GET", "/api/projects", headers=WRONG)).status_code
        for _ in range(12)
    ]
    assert codes[:10] == [401] * 10
    assert codes[10:] == [429, 429]
    other = await call(guarded, ("10.9.9.8", 1), "GET", "/api/projects", headers=GOOD)
    assert other.status_code == 200


async def test_without_a_token_remote_requests_are_always_refused(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    assert (await client.get("/api/projects")).status_code == 200
    response = await call(app, REMOTE, "GET", "/api/projects", headers=GOOD)
    assert response.status_code == 401


async def test_websocket_handshake_rules(loki_home: Path, database_url: str) -> None:
    with running_server(
        loki_home, database_url, LOKI_DASHBOARD_TOKEN=TOKEN, LOKI_REQUIRE_TOKEN="true"
    ) as server:
        url = ws_url(server.url)
        with pytest.raises(websockets.InvalidStatus) as refused:
            await websockets.connect(url, open_timeout=5)
        assert refused.value.response.status_code == 403
        with pytest.raises(websockets.InvalidStatus):
            await websockets.connect(url, subprotocols=["bearer", "loki_wrong"], open_timeout=5)  # type: ignore[list-item]
        ws = await websockets.connect(url, subprotocols=["bearer", TOKEN], open_timeout=5)  # type: ignore[list-item]
        assert ws.subprotocol == "bearer"
        await ws.close()
        assert TOKEN not in server.output()
    with running_server(loki_home, database_url) as server:
        with pytest.raises(websockets.InvalidStatus):
            await websockets.connect(
                ws_url(server.url),
                origin="https://evil.example",
                open_timeout=5,  # type: ignore[arg-type]
            )
        ws = await websockets.connect(ws_url(server.url), open_timeout=5)
        await ws.close()


def test_non_loopback_bind_without_a_token_refuses_to_start(loki_home: Path) -> None:
    import subprocess
    import sys

    from tests.fixtures.server import cli_env

    result = subprocess.run(
        [sys.executable, "-m", "loki_dashboard", "dashboard", "start", "--foreground",
         "--host", "0.0.0.0", "--port", "1"],
        env=cli_env(loki_home), capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert result.returncode == 2
    assert "loki dashboard token generate --scope admin" in result.stderr
    assert "Traceback" not in result.stderr
