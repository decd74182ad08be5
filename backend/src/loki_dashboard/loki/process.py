"""Signals only to the process we mean: pid plus its start time and command line.

A pid can be reused by another program after the run ends; checking the start time (field 22 of
/proc/<pid>/stat) and the command line before every signal makes sure we never hit a stranger.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ProcessIdentity:
    pid: int
    start_ticks: int
    cmdline: bytes


def start_ticks(pid: int) -> int | None:
    """When `pid` started (clock ticks since boot), None when nobody or a zombie runs as it.

    One read of /proc/<pid>/stat: cheap enough to re-check every live run every few seconds.
    """
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    fields = stat[stat.rfind(")") + 2 :].split()
    if fields[0] == "Z":
        return None
    return int(fields[19])


def identify(pid: int) -> ProcessIdentity | None:
    """Who runs as `pid` right now (None when nobody or a zombie)."""
    ticks = start_ticks(pid)
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    return None if ticks is None else ProcessIdentity(pid, ticks, cmdline)


def is_same(identity: ProcessIdentity) -> bool:
    return identify(identity.pid) == identity


def _signal(identity: ProcessIdentity, signum: int) -> None:
    """Signal the process's group when it leads one (a runner we started), else the process."""
    if not is_same(identity):
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if os.getpgid(identity.pid) == identity.pid:
            os.killpg(identity.pid, signum)
        else:
            os.kill(identity.pid, signum)


def terminate(identity: ProcessIdentity, grace_seconds: float) -> str:
    """SIGTERM, wait up to `grace_seconds`, then SIGKILL; returns how it ended (blocking)."""
    _signal(identity, signal.SIGTERM)
    deadline = time.monotonic() + grace_seconds
    while time.monotonic() < deadline:
        if not is_same(identity):
            return "terminated"
        time.sleep(0.05)
    _signal(identity, signal.SIGKILL)
    return "killed"
