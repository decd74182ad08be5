"""The FastAPI application: `create_app()` builds it, `lifespan` owns every resource."""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from loki_dashboard import __version__
from loki_dashboard.api import health, metrics, ws
from loki_dashboard.api.body_limit import LimitRequestBody
from loki_dashboard.api.load_shed import LoadShedder
from loki_dashboard.api.nul_bytes import RejectNulBytes
from loki_dashboard.api.openapi import document_body_errors
from loki_dashboard.api.router import api_router
from loki_dashboard.auth.middleware import AccessGuard
from loki_dashboard.auth.token_watch import TokenWatch
from loki_dashboard.config import Settings, get_settings
from loki_dashboard.db import pg_locks
from loki_dashboard.db.engine import create_database
from loki_dashboard.db.instance_lock import InstanceLock
from loki_dashboard.db.migrate import upgrade_to_head
from loki_dashboard.errors import register_error_handlers
from loki_dashboard.realtime.bus import EventBus
from loki_dashboard.realtime.hub import Hub
from loki_dashboard.realtime.pg_fanout import PostgresFanout, asyncpg_dsn
from loki_dashboard.realtime.quiet_gc import QuietCollector
from loki_dashboard.realtime.wire import initial_seq
from loki_dashboard.services.retention import Pruner, retention_of
from loki_dashboard.spa import mount_spa
from loki_dashboard.telemetry import multiprocess
from loki_dashboard.telemetry.http_metrics import RequestMetrics
from loki_dashboard.telemetry.pressure import Pressure
from loki_dashboard.watcher.service import start_watcher

logger = logging.getLogger(__name__)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Lock the SQLite file, open the database, migrate it; release in reverse order."""
    settings: Settings = app.state.settings
    lock = None
    if settings.sqlite_path is not None:
        lock = InstanceLock(settings.home, settings.sqlite_path)
        lock.acquire()
    database = create_database(settings)
    hub: Hub | None = None
    watcher_role: asyncpg.Connection | None = None
    dsn = asyncpg_dsn(settings.database_url)
    fanout: PostgresFanout | None = None
    collector: QuietCollector | None = None
    pruner: Pruner | None = None
    token_watch: TokenWatch | None = None
    pressure: Pressure | None = None
    try:
        if database.kind == "postgresql":
            # Several processes may start at once on one database: one migrates at a time.
            migrating = await pg_locks.hold(dsn, pg_locks.MIGRATION_LOCK, wait=True)
            try:
                await upgrade_to_head(database.writer)
            finally:
                if migrating is not None:
                    await migrating.close()
        else:
            await upgrade_to_head(database.writer)
        app.state.database = database
        app.state.bus = bus = EventBus()
        app.state.hub = hub = Hub(replay_size=settings.ws_replay_size, start_seq=initial_seq())
        if database.kind == "postgresql":
            # Several processes may share this database: events go round through PostgreSQL.
            fanout = PostgresFanout(dsn, hub)
            await fanout.start()
            bus.subscribe(fanout.publish)
        else:
            bus.subscribe(hub.publish)
        hub.start_heartbeat(settings.ws_heartbeat_seconds)
        app.state.token_watch = token_watch = TokenWatch(database.read_sessions)
        token_watch.start()
        app.state.pressure = pressure = Pressure(hub)
        pressure.start()
        app.state.started = time.monotonic()
        logger.info("database ready (%s)", database.kind)
        # Everything built so far lives as long as the process: out of the collector's sight,
        # a full collection no longer walks it (pauses of tens of ms under a burst of events).
        # Done before the watcher starts, whose first scan would otherwise wait ~100 ms behind
        # this collection at 1,000 projects.
        gc.collect()
        gc.freeze()
        collector = QuietCollector(lambda: hub.seq if hub is not None else 0)
        collector.start()
        if database.kind == "postgresql":
            watcher_role = await pg_locks.hold(dsn, pg_locks.WATCHER_LOCK, wait=False)
        if database.kind != "postgresql" or watcher_role is not None:
            app.state.watcher = watcher = await start_watcher(settings, database, app.state.bus)
            if watcher is not None and database.kind == "postgresql":
                # Projects added through another server process must reach the watcher too.
                hub.add_listener(lambda _seq, event: watcher.notice(event))
        else:
            app.state.watcher = None
            logger.info("another server process watches the projects; this one serves only")
        if database.kind != "postgresql" or watcher_role is not None:
            # One process prunes old log lines: the one that watches (or would).
            pruner = Pruner(database, retention_of(settings), settings.retention_interval_seconds)
            pruner.start()
        yield
    finally:
        if pruner is not None:
            await pruner.stop()
        if getattr(app.state, "watcher", None) is not None:
            await app.state.watcher.stop()
        if collector is not None:
            await collector.stop()
        if token_watch is not None:
            await token_watch.stop()
        if pressure is not None:
            pressure.stop()
            multiprocess.this_process_ends()
        if hub is not None:
            await hub.close()
        if fanout is not None:
            await fanout.close()
        if watcher_role is not None:
            await watcher_role.close()
        await database.dispose()
        if lock is not None:
            lock.release()


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app for `settings` (the process-wide settings when omitted)."""
    app = FastAPI(
        title="Loki Dashboard",
        version=__version__,
        description="Real-time control room for autonomous Loki Mode runs.",
        lifespan=lifespan,
    )
    app.state.settings = settings or get_settings()
    app.openapi = document_body_errors(app)  # type: ignore[method-assign]
    register_error_handlers(app)
    app.add_middleware(RejectNulBytes)
    app.add_middleware(LimitRequestBody, max_bytes=app.state.settings.max_body_bytes)
    app.add_middleware(AccessGuard, settings=app.state.settings)
    # Outside the guard: an overloaded server refuses before a token costs a database read.
    app.add_middleware(LoadShedder, settings=app.state.settings)
    app.add_middleware(RequestMetrics)  # counts every answer, refusals included
    if app.state.settings.cors_origins:
        # Outside the guard, so preflights (which carry no token) get their answer.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=app.state.settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
        )
    app.include_router(health.router)
    app.include_router(metrics.router)
    app.include_router(api_router)
    app.include_router(ws.router)
    mount_spa(app)  # last: it answers every path the routes above do not
    return app
