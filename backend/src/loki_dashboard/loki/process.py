"""Signals only to the process we mean, and never to a process a run folder merely names.

A pid can be reused by another program after the run ends: the start time (field 22 of
/proc/<pid>/stat) tells the process we saw from a newcomer. And a pid file is written by the run,
so it can name any process at all: a pid from a file is signalled only when the process proves to
be this project's Loki runner (its command line has a runner's shape and its working directory is
inside the project). The dashboard's own process, its process group and its parent are never
signalled, whatever proof is offered.
"""

from __future__ import annotations

import contextlib
import os
import re
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
    """Still the process we identified: same pid, same start time. The command line may have
    changed since, because the runner execs itself (loki → run.sh → /tmp/loki-run-*.sh)."""
    return start_ticks(identity.pid) == identity.start_ticks


def working_directory(pid: int) -> Path | None:
    """The process's current folder, None when it cannot be read or was deleted."""
    try:
        target = os.readlink(f"/proc/{pid}/cwd")
    except OSError:
        return None
    return None if target.endswith(" (deleted)") else Path(target)


def is_protected(pid: int) -> bool:
    """The dashboard itself, its parent, init, or any process of the dashboard's own group."""
    if pid <= 1 or pid in (os.getpid(), os.getppid()):
        return True
    try:
        return os.getpgid(pid) == os.getpgrp()
    except OSError:  # gone: there is nothing to signal either
        return False


# The runner re-execs from a temporary copy (`bash /tmp/loki-run-XXXXXX.sh PRD.md`), after
# starting as `loki start …` and then `autonomy/run.sh`; our simulator stands in for it in demos.
_RUNNER_COPY = re.compile(rb"loki-run-[A-Za-z0-9]+\.sh")


def looks_like_runner(cmdline: bytes) -> bool:
    """True when the command line has the shape of a Loki Mode runner (or our simulator)."""
    args = cmdline.split(b"\0")[:4]
    head = args[:2]  # the interpreter and the script it runs
    names = [arg.rsplit(b"/", 1)[-1] for arg in head]
    if any(_RUNNER_COPY.fullmatch(name) for name in names):
        return True
    if any(arg.endswith(b"/autonomy/run.sh") for arg in head):
        return True
    if b"loki" in names and (b"start" in args or b"run" in args):
        return True
    simulator = b"loki_dashboard" in args[:3] or b"loki-dashboard" in names
    return simulator and b"simulate" in args


def project_runner(pid: int, project_dir: Path) -> ProcessIdentity | None:
    """The process `pid` when it proves to be a Loki runner working in `project_dir` (blocking).

    Both must hold: the command line has a runner's shape, and the working directory is the
    project folder or inside it. Never the dashboard's own process, group or parent.
    """
    if pid <= 0 or is_protected(pid):
        return None
    identity = identify(pid)
    if identity is None or not looks_like_runner(identity.cmdline):
        return None
    folder = working_directory(pid)
    if folder is None or not folder.is_relative_to(project_dir):
        return None
    # Read again: the pid must not have changed hands while we looked at it.
    return identity if is_same(identity) else None


def _signal(identity: ProcessIdentity, signum: int) -> None:
    """Signal the process's group when it leads one (a runner leads its own), else the process."""
    if not is_same(identity) or is_protected(identity.pid):
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if os.getpgid(identity.pid) == identity.pid != os.getpgrp():
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
