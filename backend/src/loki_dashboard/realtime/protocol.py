"""The `/ws` conversation: client messages in, events and answers out.

Client messages: `{"type": "subscribe", "channels": [...], "since": <seq>?}`,
`{"type": "unsubscribe", "channels": [...]}` and `{"type": "ping"}`. Anything else gets an
`error` message naming the problem; the connection stays up. Connecting as `/ws?batch=1` asks
for messages that are waiting together to come as one JSON array frame (see `client.py`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.websockets import WebSocket, WebSocketDisconnect

from loki_dashboard.models import Project, RunSession
from loki_dashboard.realtime.client import CLOSE_TOO_SLOW, SLOW_CLOSE_SECONDS, Client
from loki_dashboard.realtime.hub import Hub, Resync
from loki_dashboard.realtime.wire import GLOBAL, encode_control

logger = logging.getLogger(__name__)

MAX_CHANNELS_PER_MESSAGE = 100
MAX_MESSAGE_BYTES = 64 * 1024


class ProtocolError(Exception):
    """A client message we cannot act on; its text goes back in an `error` message."""


def parse_channel(name: Any) -> tuple[str, uuid.UUID | None]:
    if name == GLOBAL:
        return GLOBAL, None
    if isinstance(name, str) and ":" in name:
        kind, _, raw_id = name.partition(":")
        if kind in {"project", "session"}:
            try:
                return kind, uuid.UUID(raw_id)
            except ValueError:
                pass
    raise ProtocolError(f"unknown channel {name!r}: use 'global', 'project:<id>' or 'session:<id>'")


class Conversation:
    def __init__(
        self,
        websocket: WebSocket,
        hub: Hub,
        read_sessions: async_sessionmaker[AsyncSession],
        queue_size: int,
    ) -> None:
        self.websocket = websocket
        self.hub = hub
        self.read_sessions = read_sessions
        batch = websocket.query_params.get("batch", "").lower() in {"1", "true", "yes"}
        self.client = Client(websocket, queue_size, batch=batch)

    async def run(self) -> None:
        """Serve until the client leaves, the server stops, the client falls behind or is told
        to go (`client.end`: its token was revoked or expired)."""
        self.hub.clients.add(self.client)
        tasks = [
            asyncio.create_task(self.client.run_sender()),
            asyncio.create_task(self._receive()),
            asyncio.create_task(self.client.ended.wait()),
        ]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(BaseException):
                    await task
            self.hub.remove(self.client)
        client = self.client
        if client.close_reason is not None:
            # A client too slow has a full socket buffer: its close frame may wait for room.
            wait = SLOW_CLOSE_SECONDS if client.close_code == CLOSE_TOO_SLOW else 1.0
            await client.close(client.close_code, client.close_reason, timeout=wait)

    async def _receive(self) -> None:
        with contextlib.suppress(WebSocketDisconnect):
            while True:
                frame = await self.websocket.receive()
                if frame["type"] == "websocket.disconnect":
                    return
                try:
                    raw = frame.get("text")
                    if raw is None:
                        raise ProtocolError("binary frames are not understood; send JSON text")
                    await self._handle(raw)
                except ProtocolError as exc:
                    self.client.send_control(encode_control("error", message=str(exc)))
                except Exception:  # one failed message (a database hiccup) is not the end
                    logger.exception("WebSocket message failed")
                    self.client.send_control(
                        encode_control("error", message="the server failed on that message")
                    )

    async def _handle(self, raw: str) -> None:
        if len(raw) > MAX_MESSAGE_BYTES:
            raise ProtocolError(f"message too large (over {MAX_MESSAGE_BYTES} bytes)")
        try:
            message = json.loads(raw)
        except ValueError:
            raise ProtocolError("message is not valid JSON") from None
        if not isinstance(message, dict):
            raise ProtocolError("message must be a JSON object with a 'type'")
        kind = message.get("type")
        if kind == "ping":
            self.client.send_control(encode_control("pong", seq=self.hub.seq))
        elif kind == "subscribe":
            await self._subscribe(message)
        elif kind == "unsubscribe":
            channels = self._channels(message)
            self.hub.unsubscribe(self.client, channels)
            self.client.send_control(encode_control("unsubscribed", channels=channels))
        else:
            raise ProtocolError(
                f"unknown message type {kind!r}: use 'subscribe', 'unsubscribe' or 'ping'"
            )

    def _channels(self, message: dict[str, Any]) -> list[str]:
        channels = message.get("channels")
        if not isinstance(channels, list) or not channels:
            raise ProtocolError("'channels' must be a non-empty list of channel names")
        if len(channels) > MAX_CHANNELS_PER_MESSAGE:
            raise ProtocolError(f"at most {MAX_CHANNELS_PER_MESSAGE} channels per message")
        for name in channels:
            parse_channel(name)
        return list(dict.fromkeys(channels))

    async def _subscribe(self, message: dict[str, Any]) -> None:
        channels = self._channels(message)
        since = message.get("since")
        if since is not None and (isinstance(since, bool) or not isinstance(since, int)):
            raise ProtocolError("'since' must be the integer seq of the last event you received")
        await self._check_exist(channels)
        # No await from here on: the answer, then the replay, then live events, in that order.
        try:
            missed = self.hub.missed(self.client, channels, since)
        except Resync as exc:
            self.client.send_control(
                encode_control(
                    "resync",
                    seq=self.hub.seq,
                    channels=channels,
                    message=f"{exc}; reload by REST, then subscribe without 'since'",
                )
            )
            return
        self.client.send_control(encode_control("subscribed", seq=self.hub.seq, channels=channels))
        self.hub.join(self.client, channels, since, missed)

    async def _check_exist(self, channels: list[str]) -> None:
        wanted = [parse_channel(name) for name in channels]
        projects = {item_id for kind, item_id in wanted if kind == "project"}
        sessions = {item_id for kind, item_id in wanted if kind == "session"}
        async with self.read_sessions() as session:
            found = set()
            if projects:
                found |= set(
                    await session.scalars(select(Project.id).where(Project.id.in_(projects)))
                )
            if sessions:
                found |= set(
                    await session.scalars(select(RunSession.id).where(RunSession.id.in_(sessions)))
                )
        missing = [
            f"{kind}:{item_id}" for kind, item_id in wanted if item_id and item_id not in found
        ]
        if missing:
            raise ProtocolError(f"no such {', '.join(missing)}; nothing was subscribed")
