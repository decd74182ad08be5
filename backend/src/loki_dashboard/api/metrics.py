"""`GET /metrics`: Prometheus metrics of every server process and of the whole fleet.

Read scope, like every read (the local user needs no token). Reading the metric files of
`--workers` processes is file I/O: it runs in a worker thread, never on the event loop.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import Metric

from loki_dashboard.telemetry import multiprocess
from loki_dashboard.telemetry.fleet import fleet_metrics
from loki_dashboard.telemetry.metrics import REGISTRY

router = APIRouter(tags=["status"])


class _Collected:
    """Metrics already read (the fleet's, from the database) as a collector."""

    def __init__(self, metrics: list[Metric]) -> None:
        self._metrics = metrics

    def collect(self) -> list[Metric]:
        return self._metrics


def _render(fleet: list[Metric]) -> bytes:
    shared = multiprocess.folder()
    processes = multiprocess.aggregate_registry(shared) if shared is not None else REGISTRY
    fleet_registry = CollectorRegistry(auto_describe=False)
    fleet_registry.register(_Collected(fleet))
    return generate_latest(processes) + generate_latest(fleet_registry)


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "Prometheus text"}},
)
async def metrics(request: Request) -> Response:
    """Export Prometheus metrics: requests, load shed, clients, latencies, runs, tasks, cost."""
    state = request.app.state
    state.pressure.publish()  # this process's newest figures; the others' are at most 1 s old
    async with state.database.read_sessions() as session:
        fleet = await fleet_metrics(session)
    body = await asyncio.to_thread(_render, fleet)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
