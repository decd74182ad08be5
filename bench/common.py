"""Helpers shared by the benchmarks: percentiles, a real server subprocess, free ports."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary(name: str, samples_ms: list[float], target_p99_ms: float | None = None) -> str:
    p50 = statistics.median(samples_ms)
    p99 = percentile(samples_ms, 99)
    verdict = ""
    if target_p99_ms is not None:
        verdict = f"  target p99 <= {target_p99_ms:g} ms: {'met' if p99 <= target_p99_ms else 'MISSED'}"
    return (
        f"{name:<42} n={len(samples_ms):<5} p50={p50:7.2f} ms  p99={p99:7.2f} ms  "
        f"mean={statistics.fmean(samples_ms):7.2f} ms{verdict}"
    )


@contextlib.contextmanager
def running_server(home: Path, database_url: str, extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """Start `loki dashboard start --foreground` on a free port; yield its base URL."""
    with server_process(home, database_url, extra_env) as (base, _pid):
        yield base


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def server_process(
    home: Path, database_url: str, extra_env: dict[str, str] | None = None
) -> Iterator[tuple[str, int]]:
    """Like running_server, yielding (base URL, pid of the serving process) too."""
    port = free_port()
    env = {**os.environ, "LOKI_HOME": str(home), "LOKI_LOG_LEVEL": "warning", **(extra_env or {})}
    log = open(home / "bench-server.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "loki_dashboard", "dashboard", "start", "--foreground",
         "--port", str(port), "--db", database_url],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited: {(home / 'bench-server.log').read_text()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("server did not become healthy in 60 s")
            time.sleep(0.1)
        yield base, proc.pid
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()
