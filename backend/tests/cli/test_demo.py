"""`loki-dashboard demo` as a real process tree: stopping it ends the server and the run."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import httpx
import pytest

from loki_dashboard.loki.process import start_ticks
from tests.fixtures.server import cli_env, free_port

T = TypeVar("T")


def _eventually(check: Callable[[], T], what: str, timeout: float = 60) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, ValueError, httpx.HTTPError):
            result = check()
            if result:
                return result
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                stat = (entry / "stat").read_text()
                if int(stat[stat.rfind(")") + 2 :].split()[1]) == pid:
                    found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    return start_ticks(pid) is not None


@pytest.mark.parametrize(
    "interrupt",
    [
        pytest.param(lambda p: os.kill(p, signal.SIGTERM), id="SIGTERM"),
        pytest.param(lambda p: os.killpg(p, signal.SIGINT), id="Ctrl-C"),
    ],
)
def test_stopping_the_demo_ends_its_server_and_its_run(
    loki_home: Path, interrupt: Callable[[int], None]
) -> None:
    port = free_port()
    demo = subprocess.Popen(
        [sys.executable, "-m", "loki_dashboard", "demo", "--port", str(port)],
        env=cli_env(loki_home),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own group, as a shell gives a foreground job
    )
    loki = loki_home / "demo-project" / ".loki"
    server = run = None
    try:
        run = _eventually(lambda: int((loki / "loki.pid").read_text()), "the demo's run")
        assert _alive(run)
        server = _eventually(lambda: _children(demo.pid)[0], "the demo's server")
        health = f"http://127.0.0.1:{port}/health"
        assert httpx.get(health, timeout=5).status_code == 200

        interrupt(demo.pid)
        assert demo.wait(90) == 0
        assert not _alive(run)
        assert not _alive(server)
        with pytest.raises(httpx.TransportError):
            httpx.get(health, timeout=2)
        # Stopped the way the dashboard stops a run (STOP then SIGTERM: the runner's trap ran),
        # not killed.
        state = json.loads((loki / "autonomy-state.json").read_text())
        assert state["status"] == "stopped"
    finally:
        for pid in (run, server):
            if pid is not None and _alive(pid):
                os.kill(pid, signal.SIGKILL)
        if demo.poll() is None:
            demo.kill()
            demo.wait()
