"""`loki dashboard …`: run the server."""

from __future__ import annotations

import logging
import os
from typing import Any

import click

from loki_dashboard.auth import log_redaction
from loki_dashboard.cli import background
from loki_dashboard.cli.database import in_database, reachable_or_fail
from loki_dashboard.cli.output import fail, settings_or_fail
from loki_dashboard.cli.tokens import token
from loki_dashboard.config import Settings
from loki_dashboard.db.instance_lock import InstanceLock, InstanceLocked
from loki_dashboard.services import api_tokens

SHUTDOWN_GRACE_SECONDS = 5


def _any_token(settings: Settings) -> bool:
    return in_database(settings, api_tokens.any_active)


def _check_not_running(settings: Settings) -> None:
    """Refuse early, with one line, when another dashboard already owns the SQLite file."""
    if settings.sqlite_path is None:
        return
    lock = InstanceLock(settings.home, settings.sqlite_path)
    try:
        lock.acquire()
    except InstanceLocked as exc:
        fail(str(exc))
    lock.release()


@click.group()
def dashboard() -> None:
    """Run and manage the dashboard server."""


dashboard.add_command(token)


@dashboard.command()
@click.option("--host", default=None, help="Address to bind [env LOKI_DASHBOARD_HOST; 127.0.0.1]")
@click.option("--port", type=int, default=None, help="Port [env LOKI_DASHBOARD_PORT; 57374]")
@click.option("--db", "database_url", default=None, help="Database URL [env LOKI_DATABASE_URL]")
@click.option("--foreground", "-f", is_flag=True, help="Run in this terminal until Ctrl-C.")
@click.option("--no-browser", is_flag=True, help="Do not open a browser after a background start.")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    help="Server processes sharing the port (PostgreSQL only)",
)
def start(
    host: str | None,
    port: int | None,
    database_url: str | None,
    foreground: bool,
    no_browser: bool,
    workers: int,
) -> None:
    """Start the dashboard server."""
    settings = settings_or_fail(host=host, port=port, database_url=database_url)
    reachable_or_fail(settings)
    if not settings.is_loopback and settings.token is None and not _any_token(settings):
        fail(
            f"refusing to listen on {settings.host} without a token: anyone who can reach it "
            "could control your runs. Create one with 'loki dashboard token generate --scope "
            "admin' (or set LOKI_DASHBOARD_TOKEN), or bind to 127.0.0.1",
            code=2,
        )
    if workers > 1 and settings.database_kind != "postgresql":
        fail("--workers needs PostgreSQL (--db postgresql://…); SQLite is served by one process")
    if not foreground:
        background.start(
            settings, database_url=database_url, workers=workers, browser=not no_browser
        )
        return
    _check_not_running(settings)

    import uvicorn

    from loki_dashboard.app import create_app

    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("watchfiles").setLevel(logging.WARNING)  # one line per file change
    log_redaction.install()
    click.echo(
        f"Loki Dashboard on http://{settings.host}:{settings.port} ({settings.database_kind})"
    )
    # By default websockets-sansio without per-message deflate: the cheapest server CPU per
    # delivery measured (bench/realtime.py prints the comparison).
    options: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "log_level": settings.log_level,
        "ws": settings.ws_implementation,
        "ws_per_message_deflate": settings.ws_per_message_deflate,
        # Live log streams never end by themselves: without a limit, one open browser tab kept
        # a stopping server waiting for ever.
        "timeout_graceful_shutdown": SHUTDOWN_GRACE_SECONDS,
    }
    if workers == 1:
        uvicorn.run(create_app(settings), **options)
        return
    # Each worker process builds its own app from the environment.
    os.environ.update(
        {
            "LOKI_HOME": str(settings.home),
            "LOKI_DATABASE_URL": settings.database_url,
            "LOKI_DASHBOARD_HOST": settings.host,
            "LOKI_DASHBOARD_PORT": str(settings.port),
        }
    )
    from loki_dashboard.telemetry import multiprocess

    # Before any worker starts: /metrics of any worker then sums the metrics of all of them.
    with multiprocess.shared_folder():
        uvicorn.run("loki_dashboard.app:create_app", factory=True, workers=workers, **options)


@dashboard.command()
def stop() -> None:
    """Stop the background dashboard (SIGTERM, then SIGKILL after 10 s)."""
    background.stop(settings_or_fail())


@dashboard.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def status(as_json: bool) -> None:
    """Say whether the dashboard runs, where, and what it holds."""
    background.status(settings_or_fail(), as_json=as_json)


@dashboard.command(name="open")
def open_browser() -> None:
    """Open the dashboard in a browser (or print its address)."""
    background.open_browser(settings_or_fail())
