"""One connected WebSocket client: a bounded outgoing queue drained by its own sender task.

Publishing only ever calls `offer`, which never waits: a stalled browser fills its own queue and
is then closed with 1013, while every other client keeps receiving at full speed.
"""

from __future__ import annotations

import asyncio
import contextlib

from starlette.websockets import WebSocket

# Close code for "try again later": the client fell behind and must resume with `since`.
CLOSE_TOO_SLOW = 1013


class Client:
    def __init__(self, websocket: WebSocket, queue_size: int) -> None:
        self.websocket = websocket
        self.channels: set[str] = set()
        self.last_seq = 0
        self.close_reason: str | None = None
        self.lagged = asyncio.Event()
        self._queue: asyncio.Queue[str] = asyncio.Queue(queue_size)

    def offer(self, seq: int, text: str) -> None:
        """Queue an event unless this client already has it (an event reaches a client once,
        whichever of its channels it came on)."""
        if seq <= self.last_seq:
            return
        if self._put(text):
            self.last_seq = seq

    def send_control(self, text: str) -> None:
        self._put(text)

    def _put(self, text: str) -> bool:
        if self.close_reason is not None:
            return False
        try:
            self._queue.put_nowait(text)
        except asyncio.QueueFull:
            self.close_reason = (
                f"too far behind; reconnect and subscribe with since={self.last_seq}"
            )
            self.lagged.set()
            return False
        return True

    async def run_sender(self) -> None:
        """Send queued messages in order until the connection ends."""
        while True:
            text = await self._queue.get()
            await self.websocket.send_text(text)

    async def close(self, code: int, reason: str) -> None:
        """Close, but never let a stalled peer hold us up for more than a second."""
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.websocket.close(code=code, reason=reason[:120]), 1)
