"""The runner's own lock on `queue/pending.json`: the directory `queue/.pending.lock.lockdir`.

`mkdir` is atomic, so whoever creates the directory holds the lock; the holder writes its pid to
`owner.pid` inside. We poll every 50 ms and give up after 5 s. A lock whose owner is dead and that
is older than 30 s was left by a killed process and is broken.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

from loki_dashboard.loki.liveness import process_exists

LOCK_NAME = ".pending.lock.lockdir"
POLL_SECONDS = 0.05
TIMEOUT_SECONDS = 5.0
STALE_SECONDS = 30.0


class QueueLockTimeout(Exception):
    """Someone else held the queue lock for the whole wait; nothing was written."""


def _owner(lock: Path) -> int | None:
    try:
        return int((lock / "owner.pid").read_text().strip())
    except (OSError, ValueError):
        return None


def _is_stale(lock: Path, now: float) -> bool:
    try:
        age = now - lock.stat().st_mtime
    except FileNotFoundError:
        return False
    owner = _owner(lock)
    return age > STALE_SECONDS and (owner is None or not process_exists(owner))


def _break(lock: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        (lock / "owner.pid").unlink()
    with contextlib.suppress(FileNotFoundError, OSError):
        lock.rmdir()


@contextlib.contextmanager
def queue_lock(queue_dir: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold the runner's pending-queue lock for the block (blocking; run it off the loop)."""
    timeout = TIMEOUT_SECONDS if timeout is None else timeout
    lock = queue_dir / LOCK_NAME
    deadline = time.monotonic() + timeout
    while True:
        try:
            lock.mkdir()
            break
        except FileExistsError:
            if _is_stale(lock, time.time()):
                _break(lock)
                continue
            if time.monotonic() >= deadline:
                raise QueueLockTimeout(
                    f"the run's task queue in {queue_dir} stayed locked for {timeout:g} s "
                    f"(by pid {_owner(lock) or 'unknown'}); try again in a moment"
                ) from None
            time.sleep(POLL_SECONDS)
    try:
        (lock / "owner.pid").write_text(f"{os.getpid()}\n")
        yield
    finally:
        _break(lock)
