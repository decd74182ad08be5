"""The hub: numbers every committed event, keeps recent ones per channel, fans them out.

`deliver` never awaits, so a `subscribe {since}` (replay, then join the channel) happens between
two deliveries: the client gets every event after `since` exactly once, with no gap at the seam.
Live log streams (SSE) are fed here too, by project, each line encoded once for all of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

from loki_dashboard.realtime.client import Client
from loki_dashboard.realtime.events import DomainEvent
from loki_dashboard.realtime.replay import ReplayStore
from loki_dashboard.realtime.wire import EventEncoder, channels_of, encode_control, sse_log_message

logger = logging.getLogger(__name__)

Listener = Callable[[int, DomainEvent], None]
DELIVERY_SAMPLE = 8


def _breadth(channel: str) -> int:
    """0 for a session's channel, 1 for a project's, 2 for global."""
    return 0 if channel.startswith("session:") else 1 if channel.startswith("project:") else 2


class LogFollower(Protocol):
    """A live log stream as the hub sees it (realtime/log_stream.py has the real one)."""

    project_id: uuid.UUID | None  # only this project's lines are offered; None: every line

    @property
    def pending(self) -> int: ...

    def offer(self, data: dict[str, Any], text: str) -> None: ...

    def resync(self) -> None: ...


class Resync(Exception):
    """The client cannot catch up from its `since` by replay: it must reload by REST."""


class Hub:
    def __init__(self, *, replay_size: int, start_seq: int, replay_total: int = 0) -> None:
        """`replay_size` events are kept per channel, `replay_total` (default: ten times
        that) in all; a resume from before `start_seq` gets resync."""
        self.seq = start_seq
        self.start_seq = start_seq
        self.clients: set[Client] = set()
        self.replay = ReplayStore(per_channel=replay_size, total=replay_total or replay_size * 10)
        self._subscribers: dict[str, set[Client]] = defaultdict(set)
        self._listeners: list[Listener] = []
        self._log_followers: dict[uuid.UUID | None, set[LogFollower]] = defaultdict(set)
        self.followers: set[LogFollower] = set()
        self._heartbeat: asyncio.Task[None] | None = None

    # -- publishing -------------------------------------------------------------------------
    async def publish(self, events: Sequence[DomainEvent]) -> None:
        """Bus subscriber for a single process: number the events here and deliver them.

        An event that cannot be written is logged and skipped without taking a seq; the rest
        of the batch still goes."""
        for event in events:
            try:
                self.deliver(self.seq + 1, event)
            except Exception:
                logger.exception("event %s could not be delivered; it was skipped", event.type)

    def deliver(self, seq: int, event: DomainEvent) -> None:
        """Hand one numbered event to its channels' replay stores, clients and listeners."""
        encoder = EventEncoder(seq, event)
        # Commit time, for the commit → delivery latency metric, of one event in eight: every
        # delivery of those is timed, the rest cost nothing (timing each was 5 % of a delivery).
        born = event.timestamp.timestamp() if seq % DELIVERY_SAMPLE == 0 else 0.0
        # Narrowest first: a client on `global` and on the project gets the project's copy
        # (global's log lines carry no text); the others are then skipped as already had.
        # Written before anything is handed out, so a failure leaves no trace of the event.
        texts = [
            (channel, encoder.for_channel(channel)) for channel in reversed(channels_of(event))
        ]
        self.seq = max(self.seq, seq)
        for channel, text in texts:
            self.replay.add(channel, seq, text)
            for client in self._subscribers.get(channel, ()):
                client.offer(seq, text, born)
        if self.followers and event.type == "log:entry":
            self._feed_followers(event)
        for listener in self._listeners:
            try:
                listener(seq, event)
            except Exception:  # a broken listener must not stop delivery
                logger.exception("real-time listener failed")

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        """In-process consumers that want every event; returns the remover."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    # -- live log streams -------------------------------------------------------------------
    def follow_logs(self, follower: LogFollower) -> Callable[[], None]:
        """Offer `follower` every log line of its project from now on; returns the remover."""
        self._log_followers[follower.project_id].add(follower)
        self.followers.add(follower)

        def remove() -> None:
            followers = self._log_followers.get(follower.project_id)
            if followers is not None:
                followers.discard(follower)
                if not followers:
                    del self._log_followers[follower.project_id]
            self.followers.discard(follower)

        return remove

    def _feed_followers(self, event: DomainEvent) -> None:
        of_project = self._log_followers.get(event.project_id, ()) if event.project_id else ()
        of_all = self._log_followers.get(None, ())
        if not of_project and not of_all:
            return
        text = sse_log_message(event.data)
        for follower in (*of_project, *of_all):
            follower.offer(event.data, text)

    def backlog(self) -> int:
        """Messages waiting to be sent, over every WebSocket client and log stream."""
        return sum(client.pending for client in self.clients) + sum(
            follower.pending for follower in self.followers
        )

    # -- clients ----------------------------------------------------------------------------
    def missed(
        self, client: Client, channels: Sequence[str], since: int | None
    ) -> list[tuple[int, str]]:
        """The events `client` missed on `channels` after `since`, oldest first.

        Only channels it is not on yet are replayed, and only events it has not had through
        the channels it is already on (a page that adds a project's channel to a live
        connection gets the project's events since its last seq, none twice).

        Raises:
            Resync: some are no longer kept.
        """
        self.check_resume(channels, since)
        new = [channel for channel in channels if channel not in client.channels]
        if since is None or not new:
            return []
        had = {
            seq
            for channel in client.channels
            for seq, _ in self.replay.events(channel)
            if seq > since
        }
        missed: dict[int, str] = {}
        for channel in sorted(new, key=_breadth):  # the narrowest channel's copy wins
            for seq, text in self.replay.events(channel):
                if seq > since and seq not in had and seq not in missed:
                    missed[seq] = text
        return sorted(missed.items())

    def join(
        self,
        client: Client,
        channels: Sequence[str],
        since: int | None,
        missed: Iterable[tuple[int, str]],
    ) -> None:
        """Queue `missed` (from `missed()`, with no await in between), then add the client to
        `channels`: every event after `since` reaches it once, with no gap at the seam."""
        for seq, text in missed:
            client.replay(seq, text)
        if since is not None:
            client.last_seq = max(client.last_seq, since)  # nothing at or before it comes live
        for channel in channels:
            self._subscribers[channel].add(client)
            client.channels.add(channel)

    def check_resume(self, channels: Iterable[str], since: int | None) -> None:
        """Raise Resync when events after `since` on one of `channels` are no longer kept."""
        if since is not None and any(
            since < max(self.replay.resumable_from(channel), self.start_seq) for channel in channels
        ):
            raise Resync("events after 'since' are no longer kept")

    def unsubscribe(self, client: Client, channels: Iterable[str]) -> None:
        for channel in channels:
            subscribers = self._subscribers.get(channel)
            if subscribers is not None:
                subscribers.discard(client)
                if not subscribers:  # a channel nobody is on costs nothing
                    del self._subscribers[channel]
            client.channels.discard(channel)

    def remove(self, client: Client) -> None:
        self.unsubscribe(client, list(client.channels))
        self.clients.discard(client)

    def force_resync(self, watermark: int | None = None) -> None:
        """Tell every client to reload: events may have been missed (a lost listener, a lost
        batch). A later resume from before `watermark` is answered with resync too."""
        if watermark is not None:
            self.start_seq = max(self.start_seq, watermark)
            self.seq = max(self.seq, watermark)
        text = encode_control("resync", seq=self.seq, message="events may have been missed")
        for client in list(self.clients):
            client.send_control(text)
        for follower in list(self.followers):
            follower.resync()  # log lines come from the database: it reads them again

    # -- heartbeat --------------------------------------------------------------------------
    def start_heartbeat(self, interval: float) -> None:
        self._heartbeat = asyncio.create_task(self._beat(interval), name="ws-heartbeat")

    async def _beat(self, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            text = encode_control("heartbeat", seq=self.seq, connections=len(self.clients))
            for client in list(self.clients):
                client.send_control(text)

    async def close(self) -> None:
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat
        for client in list(self.clients):
            await client.close(1001, "server shutting down")
