"""How far behind the server runs, sampled ten times a second, and each second this process's
figures handed to the metrics (also just before a scrape).

The event loop's lag is how late a timer fires: how long everything the server does waits for
its turn. The delivery backlog is what waits in clients' queues (each bounded on its own: a
client too slow is closed, 1013). Both are for the operator; load shedding acts on the queues
that grow with overload instead (api/load_shed.py). A timer callback, not a task: a sample
costs a subtraction.
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
        self._worst_lag = 0.0  # since the last publish
        self._due = 0.0
        self._samples = 0
        self._timer: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

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
        self._worst_lag = max(self._worst_lag, now - self._due)
        self._samples += 1
        if self._samples % PUBLISH_EVERY == 0:
            self.publish()
        self._schedule(now)

    def publish(self) -> None:
        """Hand this process's current figures to the metrics."""
        metrics.flush()
        metrics.WEBSOCKET_CLIENTS.set(len(self._hub.clients))
        metrics.SSE_STREAMS.set(len(self._hub.followers))
        metrics.DELIVERY_BACKLOG.set(self._hub.backlog())
        metrics.LOOP_LAG.set(self._worst_lag)
        self._worst_lag = 0.0
