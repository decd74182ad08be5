"""How far behind the server runs, sampled ten times a second; and, each second, this process's
figures handed to the metrics.

The measure load shedding acts on is the event loop's lag: how late a timer fires, that is how
long everything the server does waits for its turn. When changes come faster than they can be
fanned out (each one to every subscriber: with 500 that is 500 sends), the loop falls further
behind with every request it takes, and the lag grows without bound; a refusal costs next to
nothing, so refusing lets it catch up. One late sample (a garbage collection, another process
holding the core) is no overload: it takes two in a row.

The delivery backlog (messages waiting in clients' queues) is sampled once a second for the
operator only: each client's queue is bounded on its own (a client too slow is closed, 1013).
A timer callback, not a task: a sample costs a subtraction.
"""

from __future__ import annotations

import asyncio

from loki_dashboard.realtime.hub import Hub
from loki_dashboard.telemetry import metrics

SAMPLE_SECONDS = 0.1
PUBLISH_EVERY = 10  # samples: once a second


class Pressure:
    def __init__(self, hub: Hub, *, interval: float = SAMPLE_SECONDS) -> None:
        self._hub = hub
        self._interval = interval
        self._lag = 0.0
        self._previous_lag = 0.0
        self._due = 0.0
        self._samples = 0
        self._timer: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def lagging(self, limit: float) -> bool:
        """Whether the loop ran more than `limit` seconds late at the last two samples."""
        return min(self._lag, self._previous_lag) > limit

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        metrics.PROCESSES.set(1)
        self._schedule(self._loop.time())

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self.publish()

    def _schedule(self, now: float) -> None:
        assert self._loop is not None
        self._due = now + self._interval
        self._timer = self._loop.call_at(self._due, self._sample)

    def _sample(self) -> None:
        assert self._loop is not None
        now = self._loop.time()
        self._previous_lag, self._lag = self._lag, now - self._due
        self._samples += 1
        if self._samples % PUBLISH_EVERY == 0:
            self.publish()
        self._schedule(now)

    def publish(self) -> None:
        """Hand this process's current figures to the metrics (also before every scrape)."""
        metrics.flush()
        metrics.WEBSOCKET_CLIENTS.set(len(self._hub.clients))
        metrics.SSE_STREAMS.set(len(self._hub.followers))
        metrics.DELIVERY_BACKLOG.set(self._hub.backlog())
        metrics.LOOP_LAG.set(self._lag)
