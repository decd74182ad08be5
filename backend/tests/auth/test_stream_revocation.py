"""Open streams end with their token: a WebSocket or SSE stream is closed once the token that
opened it is revoked (through the API, the command line, or another server process) or
expires, while streams of other tokens go on. Real servers, real clients, both databases."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import create_async_engine
from websockets.asyncio.client import ClientConnection

from loki_dashboard.db.types import utcnow
from loki_dashboard.models import ApiToken
from loki_dashboard.services.api_tokens import hash_token, new_token
from tests.auth.test_tokens import cli_run
from tests.fixtures.server import Server, running_server
from tests.realtime.ws_client import next_of, subscribe, ws_url

ADMIN = "loki_" + "a" * 43
GUARDED = {"LOKI_DASHBOARD_TOKEN": ADMIN, "LOKI_REQUIRE_TOKEN": "true"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def make_token(server: Server, name: str) -> tuple[str, str]:
    """(id, token) of a new read token, made through the API by the admin."""
    async with httpx.AsyncClient(base_url=server.url, headers=bearer(ADMIN)) as http:
        body = (await http.post("/api/tokens", json={"name": name, "scope": "read"})).json()
    return body["id"], body["token"]


async def revoke(server: Server, token_id: str) -> None:
    async with httpx.AsyncClient(base_url=server.url, headers=bearer(ADMIN)) as http:
        assert (await http.delete(f"/api/tokens/{token_id}")).status_code == 200


async def add_project(server: Server, folder: Path) -> str:
    folder.mkdir()
    async with httpx.AsyncClient(base_url=server.url, headers=bearer(ADMIN)) as http:
        response = await http.post("/api/projects", json={"path": str(folder)})
    assert response.status_code == 201
    return str(response.json()["id"])


async def live_socket(server: Server, token: str) -> ClientConnection:
    """A WebSocket opened with `token` and subscribed to `global`."""
    ws = await websockets.connect(
        ws_url(server.url),
        subprotocols=["bearer", token],  # type: ignore[list-item]
        open_timeout=10,
    )
    assert (await subscribe(ws, ["global"]))["type"] == "subscribed"
    return ws


async def closed_with(ws: ClientConnection) -> tuple[int, str]:
    """Read until the server closes; (code, reason)."""

    async def drain() -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for _message in ws:  # ends when the server closes
                pass

    await asyncio.wait_for(drain(), 15)
    frame = ws.protocol.close_rcvd
    assert frame is not None
    return frame.code, frame.reason


class LogStream:
    """An SSE stream opened with a token, read in the background until the server ends it."""

    def __init__(self, server: Server, token: str) -> None:
        self.lines: list[str] = []
        self.opened = asyncio.Event()
        self._task = asyncio.create_task(self._read(server, token))

    async def _read(self, server: Server, token: str) -> None:
        async with (
            httpx.AsyncClient(base_url=server.url, timeout=30) as http,
            http.stream("GET", "/api/logs/stream", headers=bearer(token)) as response,
        ):
            assert response.status_code == 200
            async for line in response.aiter_lines():
                self.lines.append(line)
                self.opened.set()

    async def ended(self) -> list[str]:
        """Every line, once the server has ended the stream (it is never ended here)."""
        await asyncio.wait_for(self._task, 15)
        return self.lines

    def cancel(self) -> None:
        self._task.cancel()


@pytest.fixture
async def guarded_server(loki_home: Path, database_url: str) -> AsyncIterator[Server]:
    with running_server(loki_home, database_url, **GUARDED) as server:
        yield server


async def test_revoking_a_token_closes_its_websocket_and_log_stream_only(
    guarded_server: Server, tmp_path: Path
) -> None:
    server = guarded_server
    doomed_id, doomed = await make_token(server, "doomed")
    _, other = await make_token(server, "other")
    doomed_ws, other_ws = await live_socket(server, doomed), await live_socket(server, other)
    stream = LogStream(server, doomed)
    await asyncio.wait_for(stream.opened.wait(), 15)
    await add_project(server, tmp_path / "before")
    for ws in (doomed_ws, other_ws):
        assert (await next_of(ws, {"project:created"}))["data"]["name"] == "before"

    await revoke(server, doomed_id)
    assert await closed_with(doomed_ws) == (1008, "token revoked")
    assert (await stream.ended())[-2:] == [": closed: token revoked", ""]
    # The other token's connection goes on receiving.
    await add_project(server, tmp_path / "after")
    assert (await next_of(other_ws, {"project:created"}))["data"]["name"] == "after"
    await other_ws.close()


async def test_a_token_revoked_from_the_command_line_closes_its_streams(
    guarded_server: Server, database_url: str
) -> None:
    token_id, token = await make_token(guarded_server, "cli")
    ws = await live_socket(guarded_server, token)
    stream = LogStream(guarded_server, token)
    await asyncio.wait_for(stream.opened.wait(), 15)
    code, out = await cli_run(database_url, "dashboard", "token", "revoke", token_id)
    assert code == 0, out
    assert await closed_with(ws) == (1008, "token revoked")
    assert ": closed: token revoked" in await stream.ended()


async def test_an_expiring_token_closes_its_streams_when_it_expires(
    guarded_server: Server, database_url: str
) -> None:
    token = new_token()
    engine = create_async_engine(database_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                insert(ApiToken).values(
                    id=uuid.uuid4(),
                    name="short-lived",
                    token_hash=hash_token(token),
                    scope="read",
                    expires_at=utcnow() + timedelta(seconds=5),
                    created_at=utcnow(),
                )
            )
    finally:
        await engine.dispose()
    ws = await live_socket(guarded_server, token)
    stream = LogStream(guarded_server, token)
    await asyncio.wait_for(stream.opened.wait(), 15)
    assert await closed_with(ws) == (1008, "token expired")
    assert ": closed: token expired" in await stream.ended()
    with pytest.raises(websockets.InvalidStatus):
        await live_socket(guarded_server, token)


async def test_revoking_through_one_process_closes_streams_held_by_another(
    loki_home: Path, postgres_url: str, tmp_path: Path
) -> None:
    with (
        running_server(loki_home, postgres_url, **GUARDED) as first,
        running_server(loki_home, postgres_url, **GUARDED) as second,
    ):
        token_id, token = await make_token(first, "shared")
        ws = await live_socket(second, token)
        stream = LogStream(second, token)
        await asyncio.wait_for(stream.opened.wait(), 15)
        # Events still cross over before the revocation: the connection is live.
        await add_project(first, tmp_path / "p")
        created: dict[str, Any] = await next_of(ws, {"project:created"})
        assert created["data"]["name"] == "p"
        await revoke(first, token_id)
        assert await closed_with(ws) == (1008, "token revoked")
        assert ": closed: token revoked" in await stream.ended()
