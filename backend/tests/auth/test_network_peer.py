"""A real non-loopback peer: a network namespace joined by a veth pair (needs root and iproute2).

Requests come from 10.x inside the namespace to a server bound to 0.0.0.0, over a real network
interface; no header can make them local.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.fixtures.server import running_server

TOKEN = "loki_" + "n" * 43


def sh(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True, timeout=20)


@pytest.fixture
def namespace() -> Iterator[tuple[str, str]]:
    """(namespace name, the host's address as seen from inside it)."""
    if os.geteuid() != 0 or shutil.which("ip") is None:
        pytest.skip("a network namespace needs root and iproute2")
    n = os.getpid() % 200 + 20
    name, host_if, ns_if = f"lokins{n}", f"lkh{n}", f"lkn{n}"
    host_ip, ns_ip = f"10.231.{n}.1", f"10.231.{n}.2"
    try:
        sh("ip", "netns", "add", name)
        sh("ip", "link", "add", host_if, "type", "veth", "peer", "name", ns_if)
        sh("ip", "link", "set", ns_if, "netns", name)
        sh("ip", "addr", "add", f"{host_ip}/24", "dev", host_if)
        sh("ip", "link", "set", host_if, "up")
        sh("ip", "netns", "exec", name, "ip", "addr", "add", f"{ns_ip}/24", "dev", ns_if)
        sh("ip", "netns", "exec", name, "ip", "link", "set", ns_if, "up")
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        subprocess.run(["ip", "netns", "del", name], capture_output=True)
        pytest.skip(f"cannot make a network namespace here: {exc}")
    try:
        yield name, host_ip
    finally:
        subprocess.run(["ip", "netns", "del", name], capture_output=True)
        subprocess.run(["ip", "link", "del", host_if], capture_output=True)


def status_from(namespace: str, url: str, headers: dict[str, str]) -> int:
    code = (
        "import httpx, sys, json;"
        f"print(httpx.get({url!r}, headers=json.loads(sys.argv[1]), timeout=10).status_code)"
    )
    result = subprocess.run(
        ["ip", "netns", "exec", namespace, sys.executable, "-c", code, json.dumps(headers)],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return int(result.stdout.strip())


def test_requests_from_another_machine_need_a_token(
    namespace: tuple[str, str], loki_home: Path, database_url: str
) -> None:
    name, host_ip = namespace
    with running_server(
        loki_home, database_url, "--host", "0.0.0.0", LOKI_DASHBOARD_TOKEN=TOKEN
    ) as server:
        url = f"http://{host_ip}:{server.port}/api/projects"
        good = {"Authorization": f"Bearer {TOKEN}"}
        assert status_from(name, url, {}) == 401
        assert status_from(name, url, {"Host": f"127.0.0.1:{server.port}"}) == 401
        assert status_from(name, url, {"X-Forwarded-For": "127.0.0.1"}) == 401
        assert status_from(name, url, {"Authorization": "Bearer loki_wrong"}) == 401
        assert status_from(name, url, good) == 200
        assert status_from(name, f"http://{host_ip}:{server.port}/health", {}) == 200
        # bound beyond loopback, even the machine's own requests need the token
        assert httpx.get(f"{server.url}/api/projects").status_code == 401
        assert TOKEN not in server.output()
