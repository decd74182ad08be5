"""A small real WebSocket client for tests: subscribe, collect events, ask and answer."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection


def ws_url(base: str) -> str:
    return base.replace("http://", "ws://") + "/ws"


async def connect(base: str, query: str = "", **options: Any) -> ClientConnection:
    return await websockets.connect(ws_url(base) + query, open_timeout=10, **options)


async def send(ws: ClientConnection, **message: Any) -> None:
    await ws.send(json.dumps(message))


async def next_message(ws: ClientConnection, timeout: float = 10) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), timeout))
    return message


async def next_of(ws: ClientConnection, kinds: set[str], timeout: float = 10) -> dict[str, Any]:
    """The next message of one of `kinds`, skipping heartbeats and others."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        message = await next_message(ws, max(deadline - loop.time(), 0.01))
        if message["type"] in kinds:
            return message


async def subscribe(
    ws: ClientConnection, channels: list[str], since: int | None = None
) -> dict[str, Any]:
    """Subscribe and return the server's answer (subscribed, resync or error)."""
    message: dict[str, Any] = {"channels": channels}
    if since is not None:
        message["since"] = since
    await send(ws, type="subscribe", **message)
    return await next_of(ws, {"subscribed", "resync", "error"})
