"""One connected WebSocket client: a bounded outgoing queue drained by its own sender task.

Publishing only ever calls `offer`, which never waits: a stalled browser fills its own queue and
is then closed with 1013, while every other client keeps receiving at full speed.

A client that connected with `?batch=1` gets what has piled up in its queue as one frame, a JSON
array of messages in order. A frame costs far more than the bytes in it (each is a trip through
the ASGI and WebSocket layers and a wake-up on both ends), so under a burst, when a run rewrites
its queue, a batching client keeps up at many times the event rate; when events come one at a
time nothing waits and each still goes out alone, as a plain object.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

from starlette.websockets import WebSocket

from loki_dashboard.telemetry.metrics import event_delivery

# Close code for "try again later": the client fell behind and must resume with `since`.
CLOSE_TOO_SLOW = 1013
# How long the close frame of a client too slow may wait for room in its full socket buffer
# (uvicorn's own closing handshake allows as long): without it the client never learns why.
SLOW_CLOSE_SECONDS = 10.0
# A batch frame stops growing at this many characters (the messages past it go in the next).
MAX_BATCH_CHARS = 256 * 1024


class Client:
    def __init__(self, websocket: WebSocket, queue_size: int, *, batch: bool = False) -> None:
        self.websocket = websocket
        self.batch = batch
        self.channels: set[str] = set()
        self.last_seq = 0  # the newest event queued for this client
        self.sent_seq = 0  # the newest event handed to its socket
        # Why and how the connection must end (too slow: 1013; token revoked: 1008), once
        # `ended` is set.
        self.close_code = CLOSE_TOO_SLOW
        self.close_reason: str | None = None
        self.ended = asyncio.Event()
        self._limit = queue_size
        # Unbounded: the bound is kept by `_put`, for live messages only. A replay is bounded
        # by the replay store it comes from (its texts are that store's, not copies); counted,
        # a resume after a 1013 would always overflow again. Each entry: (seq, text, replayed,
        # commit time of a live event, else 0).
        self._queue: asyncio.Queue[tuple[int, str, bool, float]] = asyncio.Queue()
        self._replayed = 0  # replayed messages still in the queue

    @property
    def pending(self) -> int:
        """Messages queued and not yet sent."""
        return self._queue.qsize()

    def offer(self, seq: int, text: str, born: float = 0.0) -> None:
        """Queue a live event unless this client already has it (an event reaches a client
        once, whichever of its channels it came on); `born` is its commit time."""
        if seq <= self.last_seq:
            return
        if self._put(seq, text, born=born):
            self.last_seq = seq

    def replay(self, seq: int, text: str) -> None:
        """Queue a missed event (the hub has checked it is not one this client had)."""
        if self._put(seq, text, replayed=True):
            self.last_seq = max(self.last_seq, seq)

    def send_control(self, text: str) -> None:
        self._put(0, text)

    def end(self, code: int, reason: str) -> None:
        """Have the connection closed with `code` and `reason`; nothing more is sent."""
        if self.close_reason is None:
            self.close_code, self.close_reason = code, reason
        self.ended.set()

    def _put(self, seq: int, text: str, *, replayed: bool = False, born: float = 0.0) -> bool:
        if self.close_reason is not None:
            return False
        if replayed:
            self._replayed += 1
        elif self._queue.qsize() - self._replayed >= self._limit:
            # What was queued but not sent is dropped with the connection: resume from what
            # went out.
            self.end(
                CLOSE_TOO_SLOW,
                f"too far behind; reconnect and subscribe with since={self.sent_seq}",
            )
            return False
        self._queue.put_nowait((seq, text, replayed, born))
        return True

    async def run_sender(self) -> None:
        """Send queued messages in order until the connection ends."""
        queue = self._queue
        while True:
            seq, text, replayed, born = await queue.get()
            self._replayed -= replayed
            if self.batch and not queue.empty():
                parts, size, newest, borns = [text], len(text), seq, [born]
                while size < MAX_BATCH_CHARS and not queue.empty():
                    seq, text, replayed, born = queue.get_nowait()
                    self._replayed -= replayed
                    parts.append(text)
                    borns.append(born)
                    size += len(text) + 1
                    newest = max(newest, seq)
                text, seq = "[" + ",".join(parts) + "]", newest
                await self.websocket.send_text(text)
                now = time.time()
                for born in borns:
                    if born:
                        event_delivery.observe(now - born)
            else:
                await self.websocket.send_text(text)
                if born:
                    event_delivery.observe(time.time() - born)
            if seq > self.sent_seq:
                self.sent_seq = seq

    async def close(self, code: int, reason: str, *, timeout: float = 1) -> None:
        """Close, but never let a stalled peer hold us up for more than `timeout` seconds."""
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.websocket.close(code=code, reason=reason[:120]), timeout)
