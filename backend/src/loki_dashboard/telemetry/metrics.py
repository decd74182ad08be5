"""Every Prometheus metric the server process keeps (the fleet's own figures come from the
database at scrape time, see fleet.py).

Labels stay bounded: a route is its template (`/api/tasks/{task_id}`, never the raw path; a
request no route answered is `unrouted`), methods and statuses are few, and shedding reasons are
the four below. With `--workers` every process writes its values into a shared folder and a
scrape of any process sums them (see multiprocess.py): gauges marked `livesum` add up the
processes alive, `livemax` takes the highest.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from loki_dashboard.telemetry.local_histogram import LocalHistogram

# Ours alone: the library's default registry would add collectors that multiprocess mode
# cannot aggregate.
REGISTRY = CollectorRegistry(auto_describe=True)

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)

HTTP_REQUESTS = Counter(
    "loki_http_requests",
    "HTTP requests answered, by route template, method and status",
    ["route", "method", "status"],
    registry=REGISTRY,
)
HTTP_DURATION = Histogram(
    "loki_http_request_duration_seconds",
    "Time from a request's arrival in the application to the end of its answer",
    ["route", "method"],
    registry=REGISTRY,
)
HTTP_IN_PROGRESS = Gauge(
    "loki_http_requests_in_progress",
    "HTTP requests being handled now (live log streams not counted)",
    registry=REGISTRY,
    multiprocess_mode="livesum",
)
LOAD_SHED = Counter(
    "loki_load_shed",
    "Requests and streams refused to shed load (HTTP 503 with Retry-After, WebSocket 1013), "
    "by reason: concurrency, writes, sse_limit, ws_limit",
    ["reason"],
    registry=REGISTRY,
)
WEBSOCKET_CLIENTS = Gauge(
    "loki_websocket_clients",
    "Open WebSocket connections",
    registry=REGISTRY,
    multiprocess_mode="livesum",
)
SSE_STREAMS = Gauge(
    "loki_sse_streams",
    "Open server-sent log streams",
    registry=REGISTRY,
    multiprocess_mode="livesum",
)
DELIVERY_BACKLOG = Gauge(
    "loki_delivery_backlog_messages",
    "Messages waiting to be sent to WebSocket clients and log streams",
    registry=REGISTRY,
    multiprocess_mode="livesum",
)
LOOP_LAG = Gauge(
    "loki_event_loop_lag_seconds",
    "How late the server's event loop ran a timer at worst in the last second (sampled ten "
    "times a second)",
    registry=REGISTRY,
    multiprocess_mode="livemax",
)
PROCESSES = Gauge(
    "loki_server_processes",
    "Server processes alive (more than one with --workers)",
    registry=REGISTRY,
    multiprocess_mode="livesum",
)
EVENT_DELIVERY = Histogram(
    "loki_event_delivery_seconds",
    "From an event's commit to its hand-over to a WebSocket client's connection, per message, "
    "for one event in eight (every delivery of it)",
    registry=REGISTRY,
    buckets=LATENCY_BUCKETS,
)
WATCHER_LAG = Histogram(
    "loki_watcher_lag_seconds",
    "From the watcher taking a change out of a run's files to its events being published "
    "(the wait for the database writer, the transaction and its commit), per event",
    registry=REGISTRY,
    buckets=LATENCY_BUCKETS,
)
QUEUE_WRITE = Histogram(
    "loki_queue_write_seconds",
    "Time to write a change into a run's queue/pending.json, the runner's lock included",
    registry=REGISTRY,
    buckets=LATENCY_BUCKETS,
)

# Observed per delivered message (of the sampled events) or mirrored event: counted locally,
# flushed each second.
event_delivery = LocalHistogram(EVENT_DELIVERY)
watcher_lag = LocalHistogram(WATCHER_LAG)


def flush() -> None:
    """Hand this process's locally counted observations to the Prometheus histograms."""
    event_delivery.flush()
    watcher_lag.flush()
