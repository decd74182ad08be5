"""Events across server processes that share one PostgreSQL database, via LISTEN/NOTIFY.

Every process publishes a committed batch in one small transaction: take an advisory lock, draw
the batch's seq numbers from one PostgreSQL sequence, NOTIFY each event. The lock is held until
commit, and PostgreSQL delivers notifications in commit order, so every listening process (the
publisher included) sees events in seq order, exactly once. A NOTIFY payload must stay under
8,000 bytes: a bigger event travels as numbered chunks of one transaction, re-joined here.

A lost connection is reconnected. A batch is sent again only if it surely did not go out (the
connection failed before COMMIT); otherwise a `resync:<seq>` notification tells every process
that events up to that seq may be lost, and their clients reload.
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
# How long a committed change waits for its events to be numbered before its request answers.
SEND_WAIT_SECONDS = 2.0
CHUNK = 7000  # characters of ASCII-only JSON, well under NOTIFY's 8,000-byte limit
# A notification that is not an event: events up to the seq after it may be lost.
RESYNC = "resync:"
# What a lost or refused connection raises (asyncpg's own errors and the socket's).
CONNECTION_ERRORS = (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError)


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


def _is_open(connection: asyncpg.Connection | None) -> bool:
    return connection is not None and not connection.is_closed()


def asyncpg_dsn(database_url: str) -> str:
    return database_url.replace("postgresql+asyncpg://", "postgresql://", 1)


class _CommitUnsure(Exception):
    """The connection failed during COMMIT: the batch may or may not have gone out."""


class PostgresFanout:
    def __init__(self, dsn: str, hub: Hub) -> None:
        self._dsn = dsn
        self._hub = hub
        self._publisher: asyncpg.Connection | None = None
        self._listener: asyncpg.Connection | None = None
        self._partial: dict[int, list[str]] = {}
        self._closing = False
        self._outbox: asyncio.Queue[tuple[list[DomainEvent], asyncio.Future[None]]] = (
            asyncio.Queue()
        )
        self._sender: asyncio.Task[None] | None = None
        self._reconnecting: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Connect, make sure the sequence exists, start listening, align the hub's seq."""
        self._publisher = await self._connect("publish")
        async with self._publisher.transaction():
            await self._publisher.execute("SELECT pg_advisory_xact_lock($1)", LOCK_KEY)
            await self._publisher.execute(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE}")
        # Listen first: an event committed before the read below is then either counted in
        # `last` (and too old to resume from here) or heard, never neither.
        await self._listen()
        last = await self._publisher.fetchval(f"SELECT last_value FROM {SEQUENCE}")
        self._hub.seq = self._hub.start_seq = int(last)
        self._sender = asyncio.create_task(self._send_loop(), name="pg-fanout-sender")

    async def _connect(self, role: str) -> asyncpg.Connection:
        # Named, so an operator (or a test) can tell the fan-out's connections apart.
        settings = {"application_name": f"loki-events-{role}"}
        connection: asyncpg.Connection = await asyncpg.connect(self._dsn, server_settings=settings)
        return connection

    async def _listen(self) -> asyncpg.Connection:
        self._listener = listener = await self._connect("listen")
        listener.add_termination_listener(self._on_lost)
        await listener.add_listener(CHANNEL, self._on_notify)
        return listener

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
                listener = await self._listen()
                last = await listener.fetchval(f"SELECT last_value FROM {SEQUENCE}")
            except CONNECTION_ERRORS:
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5)
                continue
            # Events up to `last` may have passed while we were deaf: every client must
            # reload, now and whenever it later asks to resume from before that point.
            self._hub.force_resync(int(last))
            return

    async def publish(self, events: Sequence[DomainEvent]) -> None:
        """Bus subscriber: hand the batch to the one sender task (which keeps the order) and
        wait, briefly, until it is numbered: a request answered before its events have a seq
        lets the caller's next request, through another process, be numbered first (t7
        before t6 for two tasks created one after the other). If PostgreSQL is slow or gone,
        the request goes on after SEND_WAIT_SECONDS and the batch is sent when it can be."""
        sent: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._outbox.put_nowait((list(events), sent))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(sent), SEND_WAIT_SECONDS)

    async def _send_loop(self) -> None:
        while True:
            batch, sent = await self._outbox.get()
            try:
                await self._send_until_sent(batch)
            finally:
                if not sent.done():
                    sent.set_result(None)

    async def _send_until_sent(self, batch: Sequence[DomainEvent]) -> None:
        """Send one batch, reconnecting as often as it takes. A batch that cannot be known
        to have gone out is not sent twice: every process's clients resync instead."""
        delay = 0.1
        while True:
            try:
                await self._send(batch)
                return
            except _CommitUnsure:
                logger.exception("lost PostgreSQL while publishing %d events", len(batch))
                await self._announce_resync()
                return
            except CONNECTION_ERRORS:
                if _is_open(self._publisher):  # PostgreSQL refused the batch itself
                    logger.exception("PostgreSQL refused %d events", len(batch))
                    await self._announce_resync()
                    return
                logger.warning("lost the PostgreSQL publishing connection; reconnecting")
            delay = await self._reconnect_publisher(delay)

    async def _reconnect_publisher(self, delay: float) -> float:
        """Wait `delay`, try one new publishing connection; returns the next delay."""
        await asyncio.sleep(delay)
        try:
            self._publisher = await self._connect("publish")
        except CONNECTION_ERRORS as exc:
            logger.warning("PostgreSQL publishing connection failed: %s", exc)
        return min(delay * 2, 5)

    async def _send(self, events: Sequence[DomainEvent]) -> None:
        """Number the batch in PostgreSQL and NOTIFY every process."""
        publisher = self._publisher
        if publisher is None:
            raise RuntimeError("fan-out not started")
        transaction = publisher.transaction()
        await transaction.start()
        try:
            await publisher.execute("SELECT pg_advisory_xact_lock($1)", LOCK_KEY)
            seqs = await publisher.fetch(
                f"SELECT nextval('{SEQUENCE}') AS seq FROM generate_series(1, $1)", len(events)
            )
            payloads = [
                payload
                for row, event in zip(seqs, events, strict=True)
                for payload in to_payloads(int(row["seq"]), event)
            ]
            await publisher.executemany(
                "SELECT pg_notify($1, $2)", [(CHANNEL, payload) for payload in payloads]
            )
        except BaseException:
            with contextlib.suppress(*CONNECTION_ERRORS):
                await transaction.rollback()
            raise
        try:
            await transaction.commit()
        except CONNECTION_ERRORS as exc:
            raise _CommitUnsure from exc

    async def _announce_resync(self) -> None:
        """Tell every process, through PostgreSQL, that events up to a fresh seq may be lost."""
        delay = 0.1
        while True:
            try:
                if self._publisher is None or not _is_open(self._publisher):
                    raise OSError("no publishing connection")
                async with self._publisher.transaction():
                    await self._publisher.execute("SELECT pg_advisory_xact_lock($1)", LOCK_KEY)
                    seq = await self._publisher.fetchval(f"SELECT nextval('{SEQUENCE}')")
                    await self._publisher.execute(
                        "SELECT pg_notify($1, $2)", CHANNEL, f"{RESYNC}{seq}"
                    )
                return
            except CONNECTION_ERRORS:
                delay = await self._reconnect_publisher(delay)

    def _on_notify(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        try:
            if payload.startswith(RESYNC):
                self._hub.force_resync(int(payload.removeprefix(RESYNC)))
                return
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
