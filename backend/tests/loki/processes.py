"""Helpers for tests that need a real process that looks like a Loki run."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path


def wait_for_exec(pid: int, marker: bytes = b"loki", timeout: float = 10.0) -> None:
    """Right after fork the child still shows the parent's command line: wait for the exec."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if marker in Path(f"/proc/{pid}/cmdline").read_bytes():
                return
        except OSError:
            pass
        time.sleep(0.005)
    raise AssertionError(f"process {pid} never showed {marker!r} in its command line")


@contextlib.contextmanager
def loki_like_process() -> Iterator[subprocess.Popen[bytes]]:
    """A live process whose command line looks like a Loki run, killed afterwards."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)", "loki-run"])
    try:
        wait_for_exec(proc.pid)
        yield proc
    finally:
        proc.kill()
        proc.wait()
