"""How far behind the server is, sampled ten times a second; and, each second, this process's
figures handed to the metrics.

Two measures: the delivery backlog (messages waiting in every WebSocket client's and log
stream's queue; each change fans out to every subscriber, so with hundreds of them this is what
grows without bound when changes come faster than they can be sent) and the event loop's lag
(how late a timer fires: everything the server does waits that long). Load shedding acts on the
first; the second is for the operator (`loki_event_loop_lag_seconds`).

A timer callback, not a task: a sample costs one sum over the open connections.
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
        self.backlog = 0
        self._lag = 0.0
        self._due = 0.0
        self._samples = 0
        self._timer: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def lag(self) -> float:
        """Seconds the loop ran late at the last sample, or is late now if more."""
        if self._loop is None:
            return 0.0
        return max(self._lag, self._loop.time() - self._due)

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
        self._lag = now - self._due
        self.backlog = self._hub.backlog()
        self._samples += 1
        if self._samples % PUBLISH_EVERY == 0:
            self.publish()
        self._schedule(now)

    def publish(self) -> None:
        """Hand this process's current figures to the metrics (also before every scrape)."""
        metrics.flush()
        metrics.WEBSOCKET_CLIENTS.set(len(self._hub.clients))
        metrics.SSE_STREAMS.set(len(self._hub.followers))
        metrics.DELIVERY_BACKLOG.set(self.backlog)
        metrics.LOOP_LAG.set(self._lag)
