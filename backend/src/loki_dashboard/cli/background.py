"""`loki dashboard start` (background), `stop`, `status`, `open`."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import webbrowser

import click
import httpx

from loki_dashboard.cli import server_process as proc
from loki_dashboard.cli.output import fail
from loki_dashboard.config import Settings
from loki_dashboard.loki.process import terminate

HEALTH_WAIT_SECONDS = 10.0
STOP_GRACE_SECONDS = 10.0


def start(settings: Settings, *, database_url: str | None, workers: int, browser: bool) -> None:
    """Start the server in its own session, log to a file, wait for /health."""
    url = proc.base_url(settings)
    current = proc.running(settings)
    if current is not None:
        fail(f"the dashboard already runs (pid {current.pid}) at {url}; "
              "'loki dashboard stop' stops it")  # fmt: skip
    if proc.port_in_use(settings):
        holder = proc.port_holder(settings.port)
        held = f" ({holder})" if holder else ""
        fail(f"port {settings.port} on {settings.host} is in use by another program{held}; "
             "choose another with --port or LOKI_DASHBOARD_PORT")  # fmt: skip
    log = proc.log_file(settings)
    log.parent.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "loki_dashboard", "dashboard", "start", "--foreground",
            "--host", settings.host, "--port", str(settings.port),
            "--workers", str(workers)]  # fmt: skip
    if database_url:
        argv += ["--db", database_url]
    with log.open("ab") as out:
        child = subprocess.Popen(
            argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
    proc.pid_file(settings).write_text(f"{child.pid}\n")
    deadline = time.monotonic() + HEALTH_WAIT_SECONDS
    while not proc.healthy(settings):
        if child.poll() is not None or time.monotonic() > deadline:
            if child.poll() is None:
                child.terminate()
            proc.pid_file(settings).unlink(missing_ok=True)
            tail = log.read_text(errors="replace").strip().splitlines()[-3:]
            fail(f"the dashboard did not start; see {log}: " + " | ".join(tail))
        time.sleep(0.1)
    click.echo(f"Loki Dashboard running in the background (pid {child.pid}): {url}")
    click.echo(f"log: {log}; stop it with 'loki dashboard stop'")
    if browser:
        webbrowser.open(url)


def stop(settings: Settings) -> None:
    current = proc.running(settings)
    if current is None:
        click.echo("the dashboard is not running")
        return
    how = terminate(current, STOP_GRACE_SECONDS)
    proc.pid_file(settings).unlink(missing_ok=True)
    click.echo(f"stopped the dashboard (pid {current.pid}, {how})")


def status(settings: Settings, *, as_json: bool) -> None:
    current = proc.running(settings)
    url = proc.base_url(settings)
    report: dict[str, object] = {"running": False, "url": url}
    if current is not None or proc.healthy(settings):
        try:
            live = httpx.get(f"{url}/api/status", timeout=3).json()
        except (httpx.HTTPError, ValueError):
            live = {}
        report |= {
            "running": True,
            "pid": current.pid if current else None,
            "uptime_seconds": live.get("uptime_seconds"),
            "database": live.get("database"),
            "projects": live.get("projects"),
            "live_sessions": live.get("active_sessions"),
        }
    if as_json:
        click.echo(json.dumps(report))
    elif report["running"]:
        click.echo(
            f"running (pid {report['pid']}) at {url}; database {report['database']}, "
            f"{report['projects']} projects, {report['live_sessions']} live sessions, "
            f"up {report['uptime_seconds']} s"
        )
    else:
        click.echo(f"not running (would listen on {url})")
    raise SystemExit(0 if report["running"] else 1)


def open_browser(settings: Settings) -> None:
    url = proc.base_url(settings)
    if not proc.healthy(settings):
        fail(f"the dashboard is not running at {url}; start it with 'loki dashboard start'")
    if not webbrowser.open(url):
        click.echo(url)
