"""Events across server processes that share one PostgreSQL database, via LISTEN/NOTIFY.

Every process publishes a committed batch in one small transaction: take an advisory lock, draw
the batch's seq numbers from one PostgreSQL sequence, NOTIFY each event. The lock is held until
commit, and PostgreSQL delivers notifications in commit order, so every listening process (the
publisher included) sees events in seq order, exactly once. A NOTIFY payload must stay under
8,000 bytes: a bigger event travels as numbered chunks of one transaction, re-joined here.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import asyncpg

from loki_dashboard.realtime.events import DomainEvent
from loki_dashboard.realtime.hub import Hub

logger = logging.getLogger(__name__)

CHANNEL = "loki_events"
SEQUENCE = "loki_event_seq"
# Any constant shared by all processes; serialises seq drawing with commit order.
LOCK_KEY = 0x6C6F6B69
CHUNK = 7000  # characters of ASCII-only JSON, well under NOTIFY's 8,000-byte limit


def to_payloads(seq: int, event: DomainEvent) -> list[str]:
    body = json.dumps(
        {
            "type": event.type,
            "data": event.data,
            "project_id": str(event.project_id) if event.project_id else None,
            "session_id": str(event.session_id) if event.session_id else None,
            "timestamp": event.timestamp.isoformat(),
        },
        separators=(",", ":"),
        ensure_ascii=True,
        default=str,
    )
    chunks = [body[i : i + CHUNK] for i in range(0, len(body), CHUNK)] or [""]
    return [f"{seq}:{n}:{len(chunks)}:{chunk}" for n, chunk in enumerate(chunks)]


def from_body(body: str) -> DomainEvent:
    raw: dict[str, Any] = json.loads(body)
    return DomainEvent(
        type=raw["type"],
        data=raw["data"],
        project_id=uuid.UUID(raw["project_id"]) if raw["project_id"] else None,
        session_id=uuid.UUID(raw["session_id"]) if raw["session_id"] else None,
        timestamp=datetime.fromisoformat(raw["timestamp"]),
    )


def asyncpg_dsn(database_url: str) -> str:
    return database_url.replace("postgresql+asyncpg://", "postgresql://", 1)


class PostgresFanout:
    def __init__(self, dsn: str, hub: Hub) -> None:
        self._dsn = dsn
        self._hub = hub
        self._publisher: asyncpg.Connection | None = None
        self._listener: asyncpg.Connection | None = None
        self._publish_lock = asyncio.Lock()
        self._partial: dict[int, list[str]] = {}
        self._closing = False
        self._outbox: asyncio.Queue[list[DomainEvent]] = asyncio.Queue()
        self._sender: asyncio.Task[None] | None = None
        self._reconnecting: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Connect, make sure the sequence exists, start listening, align the hub's seq."""
        self._publisher = await asyncpg.connect(self._dsn)
        async with self._publisher.transaction():
            await self._publisher.execute("SELECT pg_advisory_xact_lock($1)", LOCK_KEY)
            await self._publisher.execute(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE}")
        # Listen first: an event committed before the read below is then either counted in
        # `last` (and too old to resume from here) or heard, never neither.
        await self._listen()
        last = await self._publisher.fetchval(f"SELECT last_value FROM {SEQUENCE}")
        self._hub.seq = self._hub.start_seq = int(last)
        self._sender = asyncio.create_task(self._send_loop(), name="pg-fanout-sender")

    async def _listen(self) -> None:
        self._listener = await asyncpg.connect(self._dsn)
        self._listener.add_termination_listener(self._on_lost)
        await self._listener.add_listener(CHANNEL, self._on_notify)

    def _on_lost(self, _connection: Any) -> None:
        if self._closing:
            return
        logger.error("lost the PostgreSQL event listener; reconnecting")
        self._reconnecting = asyncio.get_running_loop().create_task(self._reconnect())

    async def _reconnect(self) -> None:
        # The rest of an event cut off by the loss never comes: drop its first chunks.
        self._partial.clear()
        delay = 0.1
        while True:
            try:
                await self._listen()
            except (OSError, asyncpg.PostgresError):
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5)
                continue
            # Events may have passed while we were deaf: every client must reload.
            self._hub.force_resync()
            return

    async def publish(self, events: Sequence[DomainEvent]) -> None:
        """Bus subscriber: hand the batch to the sender task and return at once (the request
        that committed it need not wait for PostgreSQL; one sender keeps the order)."""
        self._outbox.put_nowait(list(events))

    async def _send_loop(self) -> None:
        while True:
            batch = await self._outbox.get()
            try:
                await self._send(batch)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                logger.exception("could not publish %d events through PostgreSQL", len(batch))

    async def _send(self, events: Sequence[DomainEvent]) -> None:
        """Number the batch in PostgreSQL and NOTIFY every process."""
        if self._publisher is None:
            raise RuntimeError("fan-out not started")
        async with self._publish_lock, self._publisher.transaction():
            await self._publisher.execute("SELECT pg_advisory_xact_lock($1)", LOCK_KEY)
            seqs = await self._publisher.fetch(
                f"SELECT nextval('{SEQUENCE}') AS seq FROM generate_series(1, $1)", len(events)
            )
            payloads = [
                payload
                for row, event in zip(seqs, events, strict=True)
                for payload in to_payloads(int(row["seq"]), event)
            ]
            await self._publisher.executemany(
                "SELECT pg_notify($1, $2)", [(CHANNEL, payload) for payload in payloads]
            )

    def _on_notify(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        try:
            seq_text, part_text, parts_text, chunk = payload.split(":", 3)
            seq, part, parts = int(seq_text), int(part_text), int(parts_text)
            pieces = self._partial.setdefault(seq, [])
            pieces.append(chunk)
            if part + 1 < parts:
                return
            del self._partial[seq]
            self._hub.deliver(seq, from_body("".join(pieces)))
        except (ValueError, KeyError, TypeError):
            logger.exception("malformed event notification skipped")

    async def close(self) -> None:
        if self._sender is not None:
            for _ in range(50):  # let queued events go out before the connections close
                if self._outbox.empty():
                    break
                await asyncio.sleep(0.02)
            self._sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sender
        self._closing = True
        if self._reconnecting is not None:
            self._reconnecting.cancel()
        for connection in (self._listener, self._publisher):
            if connection is not None and not connection.is_closed():
                await connection.close()
