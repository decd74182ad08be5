"""The background dashboard process: its pid file, its identity, its address and health."""

from __future__ import annotations

import contextlib
import os
import socket
from pathlib import Path

import httpx

from loki_dashboard.config import Settings
from loki_dashboard.loki.process import ProcessIdentity, identify


def pid_file(settings: Settings) -> Path:
    return settings.home / "dashboard.pid"


def log_file(settings: Settings) -> Path:
    return settings.home / "logs" / "dashboard.log"


def base_url(settings: Settings) -> str:
    host = "127.0.0.1" if settings.host in {"0.0.0.0", "::", ""} else settings.host
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}:{settings.port}"


def _is_ours(identity: ProcessIdentity) -> bool:
    cmdline = identity.cmdline
    return b"loki_dashboard" in cmdline or b"loki-dashboard" in cmdline or b"/loki\x00" in cmdline


def running(settings: Settings) -> ProcessIdentity | None:
    """The dashboard named by the pid file, when that pid is alive and really ours; a stale pid
    file (dead process, or a pid reused by another program) is removed."""
    path = pid_file(settings)
    try:
        pid = int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    identity = identify(pid)
    if identity is None or not _is_ours(identity):
        path.unlink(missing_ok=True)
        return None
    return identity


def healthy(settings: Settings, timeout: float = 1.0) -> bool:
    with contextlib.suppress(httpx.HTTPError):
        return httpx.get(f"{base_url(settings)}/health", timeout=timeout).status_code == 200
    return False


def port_in_use(settings: Settings) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in settings.host else socket.AF_INET) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((settings.host, settings.port))
        except OSError:
            return True
    return False


def port_holder(port: int) -> str | None:
    """Which process listens on `port` ("pid N: command"), when /proc can tell us."""
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                local, state, inode = fields[1], fields[3], fields[9]
                if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:
                    inodes.add(f"socket:[{inode}]")
    if not inodes:
        return None
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            for fd in (entry / "fd").iterdir():
                if os.readlink(fd) in inodes:
                    command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                    return f"pid {entry.name}: {command.strip()[:120]}"
    return None
