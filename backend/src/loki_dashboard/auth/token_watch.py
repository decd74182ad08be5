"""Open streams end with their token: a WebSocket or SSE stream admitted with a database token
is closed within a second of that token's revocation or expiry.

A token is checked once, at the handshake; a stream then lives for hours. Each stream opened
with a token registers here, and while any is open the tokens they hold are looked up twice a
second, in one query. Polling the database, rather than being told, is what makes every way of
revoking count alike: the API in this process or another (`--workers` on PostgreSQL), and
`loki dashboard token revoke`, which writes straight into the database with no server involved.
Streams of the local user and of `LOKI_DASHBOARD_TOKEN` hold no revocable token and cost
nothing here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from loki_dashboard.services import api_tokens

logger = logging.getLogger(__name__)

CHECK_SECONDS = 0.5

# Told why its stream must end ("token revoked", "token expired"); must not block.
Closer = Callable[[str], None]


class TokenWatch:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], *, interval: float = CHECK_SECONDS
    ) -> None:
        self._sessions = sessions
        self._interval = interval
        self._held: dict[uuid.UUID, set[Closer]] = {}
        self._something_held = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._failing = False

    def hold(self, token_id: uuid.UUID, close: Closer) -> Callable[[], None]:
        """Call `close` once `token_id` stops admitting anyone; returns the release (call it
        when the stream ends by itself)."""
        self._held.setdefault(token_id, set()).add(close)
        self._something_held.set()

        def release() -> None:
            closers = self._held.get(token_id)
            if closers is not None:
                closers.discard(close)
                if not closers:
                    del self._held[token_id]

        return release

    @property
    def streams(self) -> int:
        return sum(len(closers) for closers in self._held.values())

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="token-watch")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            if not self._held:
                self._something_held.clear()
                await self._something_held.wait()
            await asyncio.sleep(self._interval)
            await self.check()

    async def check(self) -> None:
        """Close the streams of every held token that was revoked or has expired."""
        if not self._held:
            return
        try:
            async with self._sessions() as session:
                lapsed = await api_tokens.lapsed(session, list(self._held))
        except Exception:
            # Streams stay open while the database cannot answer (a restart must not drop
            # every client); said once per outage, not twice a second.
            if not self._failing:
                logger.exception("cannot check the tokens of open streams; retrying")
            self._failing = True
            return
        self._failing = False
        for token_id, reason in lapsed.items():
            for close in list(self._held.pop(token_id, ())):
                try:
                    close(f"token {reason}")
                except Exception:
                    logger.exception("closing a stream of a lapsed token failed")
