"""`loki dashboard start` in the background, `status`, `stop`, as real processes."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.fixtures.server import cli_env, free_port


def loki(home: Path, port: int, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "loki_dashboard", *args],
        env=cli_env(home, LOKI_DASHBOARD_PORT=str(port)),
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def port(loki_home: Path) -> Iterator[int]:
    chosen = free_port()
    yield chosen
    loki(loki_home, chosen, "dashboard", "stop")  # never leave a server behind


def test_start_status_stop_in_the_background(loki_home: Path, port: int) -> None:
    started = loki(loki_home, port, "dashboard", "start", "--no-browser")
    assert started.returncode == 0, started.stderr
    assert f"http://127.0.0.1:{port}" in started.stdout
    pid = int((loki_home / "dashboard.pid").read_text())
    assert httpx.get(f"http://127.0.0.1:{port}/health").status_code == 200
    assert (loki_home / "logs" / "dashboard.log").exists()

    status = loki(loki_home, port, "dashboard", "status", "--json")
    report = json.loads(status.stdout)
    assert status.returncode == 0
    assert (report["running"], report["pid"], report["database"]) == (True, pid, "sqlite")

    again = loki(loki_home, port, "dashboard", "start", "--no-browser")
    assert again.returncode == 1
    assert "already runs" in again.stderr

    stopped = loki(loki_home, port, "dashboard", "stop")
    assert stopped.returncode == 0
    assert "stopped" in stopped.stdout
    assert not (loki_home / "dashboard.pid").exists()
    after = loki(loki_home, port, "dashboard", "status")
    assert after.returncode == 1
    assert "not running" in after.stdout


def test_stale_pid_file_and_reused_pid_are_not_mistaken_for_the_dashboard(
    loki_home: Path, port: int
) -> None:
    stranger = subprocess.Popen(["sleep", "60"])
    try:
        (loki_home / "dashboard.pid").write_text(f"{stranger.pid}\n")
        stopped = loki(loki_home, port, "dashboard", "stop")
        assert "not running" in stopped.stdout
        assert stranger.poll() is None  # the other program was left alone
        assert not (loki_home / "dashboard.pid").exists()
        (loki_home / "dashboard.pid").write_text("999999\n")
        started = loki(loki_home, port, "dashboard", "start", "--no-browser")
        assert started.returncode == 0, started.stderr
    finally:
        stranger.kill()
        stranger.wait()


def test_busy_port_is_refused(loki_home: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        busy = holder.getsockname()[1]
        result = loki(loki_home, busy, "dashboard", "start", "--no-browser")
    assert result.returncode == 1
    assert f"port {busy}" in result.stderr
    assert f"pid {os.getpid()}" in result.stderr  # it names what holds the port
    assert not (loki_home / "dashboard.pid").exists()
