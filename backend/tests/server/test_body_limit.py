"""Request bodies over the limit are refused with 413 before they are buffered, on a real
server: a declared length at once, a streamed body at the limit, and memory stays flat."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from tests.fixtures.server import Server

LIMIT = 8 * 1024 * 1024  # the default
HUGE = 150 * 1024 * 1024
CHUNK = b"x" * (1024 * 1024)


def peak_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def huge_body() -> Iterator[bytes]:
    for _ in range(HUGE // len(CHUNK)):
        yield CHUNK


def error_of(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 413, response.text[:300]
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == "payload_too_large"
    return error


def test_a_declared_length_over_the_limit_is_answered_before_any_body_is_sent(
    live_server: Server,
) -> None:
    with socket.create_connection(("127.0.0.1", live_server.port), timeout=10) as sock:
        sock.sendall(
            f"POST /api/tasks HTTP/1.1\r\nHost: 127.0.0.1:{live_server.port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {HUGE}\r\n\r\n".encode()
        )
        data = b""
        while b"\r\n\r\n" not in data:
            data += sock.recv(65536)
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        length = next(
            int(ln.split(b":")[1]) for ln in lines if ln.lower().startswith(b"content-length:")
        )
        while len(body) < length:
            body += sock.recv(65536)
    assert head.startswith(b"HTTP/1.1 413")
    message = json.loads(body)["error"]["message"]
    assert f"declares {HUGE:,} bytes" in message
    assert f"at most {LIMIT:,} bytes" in message


def test_a_whole_huge_body_gets_the_413_and_memory_stays_flat(live_server: Server) -> None:
    before = peak_rss_kib(live_server.process.pid)
    with httpx.Client(base_url=live_server.url, timeout=60) as http:
        declared = http.post(
            "/api/tasks",
            content=huge_body(),
            headers={"content-type": "application/json", "content-length": str(HUGE)},
        )
        assert f"{LIMIT:,} bytes" in error_of(declared)["message"]
        streamed = http.post(  # chunked: counted as it comes in
            "/api/tasks", content=huge_body(), headers={"content-type": "application/json"}
        )
        assert f"{LIMIT:,} bytes" in error_of(streamed)["message"]
        # The same connection goes on serving.
        assert http.get("/health").status_code == 200
    assert peak_rss_kib(live_server.process.pid) - before < 64 * 1024


def test_human_input_of_1_mib_still_fits(live_server: Server) -> None:
    """The largest body a person sends (1 MiB of text, escaped by JSON) is under the limit."""
    text = '"\\' * (512 * 1024)  # 1 MiB of characters that JSON escapes to twice their size
    body = json.dumps({"text": text})
    assert len(body) > 2 * 1024 * 1024
    response = httpx.post(
        f"{live_server.url}/api/sessions/00000000-0000-0000-0000-000000000000/input",
        content=body,
        headers={"content-type": "application/json"},
        timeout=10,
    )
    assert response.status_code == 404  # read and parsed: only the session is unknown
