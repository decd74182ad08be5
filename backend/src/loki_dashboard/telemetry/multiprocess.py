"""Metrics of several server processes (`--workers`), summed by whichever one is scraped.

The Prometheus client's multiprocess mode: every process keeps its values in memory-mapped
files in one shared folder, named by its pid, and a scrape reads them all. The mode is chosen
by `PROMETHEUS_MULTIPROC_DIR` when the client library is imported, so the command that starts
the workers creates the folder and sets the variable before any worker exists; it removes the
folder when the server stops. Counters and histograms of a process that died stay counted (a
counter never goes down); its `live*` gauges are dropped at the next scrape.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from prometheus_client import CollectorRegistry, multiprocess

ENV = "PROMETHEUS_MULTIPROC_DIR"


def folder() -> Path | None:
    """The shared folder when this process runs in multiprocess mode."""
    value = os.environ.get(ENV)
    return Path(value) if value else None


@contextlib.contextmanager
def shared_folder() -> Iterator[Path]:
    """Create the folder and point `PROMETHEUS_MULTIPROC_DIR` at it for the processes started
    inside the block (an operator's own setting is kept, and so is their folder)."""
    existing = folder()
    if existing is not None:
        yield existing
        return
    path = Path(tempfile.mkdtemp(prefix="loki-dashboard-metrics-"))
    os.environ[ENV] = str(path)
    try:
        yield path
    finally:
        os.environ.pop(ENV, None)
        shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def reap_dead(path: Path) -> None:
    """Forget the live gauges of processes that are gone (a worker killed and replaced)."""
    for file in path.glob("gauge_live*_*.db"):
        pid_text = file.stem.rsplit("_", 1)[-1]
        if pid_text.isdigit() and not _alive(int(pid_text)):
            multiprocess.mark_process_dead(int(pid_text), str(path))


def this_process_ends() -> None:
    """Take this process's live gauges out of the sums (at a clean shutdown)."""
    path = folder()
    if path is not None:
        multiprocess.mark_process_dead(os.getpid(), str(path))


def aggregate_registry(path: Path) -> CollectorRegistry:
    """A registry that reads every process's values from `path` (run off the event loop)."""
    reap_dead(path)
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, str(path))
    return registry
