"""Full garbage collections at quiet moments, not in the middle of a burst of events.

A full collection stops the whole server while it walks every object alive, and each open
WebSocket keeps ~200 of them (its ASGI middleware frames, tasks, queues): at 1,000 clients one
took ~100 ms, measured, and the event being fanned out at that moment reached the last client
~150 ms after its commit instead of ~45. CPython starts a full collection after every tenth
collection of the middle generation once a quarter of the old objects are new; here it waits
for ten times as many (automatic ones still happen under sustained load), and a second without
any event pays the debt early, while nobody is waiting for one.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import time
from collections.abc import Callable

logger = logging.getLogger(__name__)

# CPython's default is 10 middle-generation collections between full ones.
DEFERRED_FULL_THRESHOLD = 100
# Collect at a quiet moment once this many middle-generation collections piled up.
QUIET_DEBT = 5


class QuietCollector:
    """Runs `gc.collect()` when `activity()` has not changed for `quiet_seconds`."""

    def __init__(
        self,
        activity: Callable[[], int],
        *,
        quiet_seconds: float = 1.0,
        min_debt: int = QUIET_DEBT,
    ) -> None:
        self._activity = activity
        self._quiet_seconds = quiet_seconds
        self._min_debt = min_debt
        self._task: asyncio.Task[None] | None = None
        self._previous_thresholds: tuple[int, int, int] | None = None
        self.collections = 0  # full collections this collector ran

    def start(self) -> None:
        self._previous_thresholds = gc.get_threshold()
        young, middle, _old = self._previous_thresholds
        gc.set_threshold(young, middle, DEFERRED_FULL_THRESHOLD)
        self._task = asyncio.create_task(self._run(), name="quiet-gc")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._previous_thresholds is not None:
            gc.set_threshold(*self._previous_thresholds)
            self._previous_thresholds = None

    async def _run(self) -> None:
        seen = self._activity()
        while True:
            await asyncio.sleep(self._quiet_seconds)
            now = self._activity()
            if now == seen and gc.get_count()[2] >= self._min_debt:
                started = time.perf_counter()
                gc.collect()
                self.collections += 1
                logger.debug(
                    "full collection at a quiet moment: %.1f ms",
                    (time.perf_counter() - started) * 1000,
                )
            seen = now
