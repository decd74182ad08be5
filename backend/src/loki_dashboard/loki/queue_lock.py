"""The runner's own lock on `queue/pending.json`: the directory `queue/.pending.lock.lockdir`.

`mkdir` is atomic, so whoever creates the directory holds the lock; the holder writes its pid to
`owner.pid` inside. We poll every 50 ms and give up after 5 s. A lock whose owner is dead and that
is older than 30 s was left by a killed process and is broken. Everything is done relative to a
descriptor of the queue folder and never through a link: the run could put one (or a FIFO) where
the lock or its `owner.pid` should be.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

from loki_dashboard.loki.liveness import process_exists
from loki_dashboard.loki.safe_open import open_folder, open_regular_in

LOCK_NAME = ".pending.lock.lockdir"
OWNER = "owner.pid"
POLL_SECONDS = 0.05
TIMEOUT_SECONDS = 5.0
STALE_SECONDS = 30.0
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


class QueueLockTimeout(Exception):
    """Someone else held the queue lock for the whole wait; nothing was written."""


@contextlib.contextmanager
def _lock_folder(queue: int) -> Iterator[int | None]:
    """A descriptor of the lock directory, None when it is gone or is not a real directory."""
    try:
        lock = os.open(LOCK_NAME, _DIR_FLAGS, dir_fd=queue)
    except OSError:
        yield None
        return
    try:
        yield lock
    finally:
        os.close(lock)


def _owner(queue: int, where: Path) -> int | None:
    with _lock_folder(queue) as lock:
        if lock is None:
            return None
        try:
            fd = open_regular_in(lock, OWNER, str(where / LOCK_NAME / OWNER))
        except OSError:
            return None
        with os.fdopen(fd, "rb") as handle:
            text = handle.read(64)
    try:
        return int(text.strip())
    except ValueError:
        return None


def _is_stale(queue: int, where: Path, now: float) -> bool:
    try:
        age = now - os.stat(LOCK_NAME, dir_fd=queue, follow_symlinks=False).st_mtime
    except FileNotFoundError:
        return False
    owner = _owner(queue, where)
    return age > STALE_SECONDS and (owner is None or not process_exists(owner))


def _break(queue: int) -> bool:
    """Remove the lock directory; False when what holds its name is not ours to remove."""
    with _lock_folder(queue) as lock:
        if lock is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(OWNER, dir_fd=lock)
    try:
        os.rmdir(LOCK_NAME, dir_fd=queue)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return True


def _claim(queue: int) -> None:
    with _lock_folder(queue) as lock:
        if lock is None:
            return
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC
        fd = os.open(OWNER, flags, 0o644, dir_fd=lock)
        with os.fdopen(fd, "w") as out:
            out.write(f"{os.getpid()}\n")


@contextlib.contextmanager
def queue_lock_at(queue: int, where: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold the runner's pending-queue lock in the folder `queue` (a descriptor; `where` is its
    path, for messages) for the block (blocking; run it off the loop)."""
    timeout = TIMEOUT_SECONDS if timeout is None else timeout
    deadline = time.monotonic() + timeout
    while True:
        try:
            os.mkdir(LOCK_NAME, 0o755, dir_fd=queue)
            break
        except FileExistsError:
            if _is_stale(queue, where, time.time()) and _break(queue):
                continue
            if time.monotonic() >= deadline:
                raise QueueLockTimeout(
                    f"the run's task queue in {where} stayed locked for {timeout:g} s "
                    f"(by pid {_owner(queue, where) or 'unknown'}); try again in a moment"
                ) from None
            time.sleep(POLL_SECONDS)
    try:
        _claim(queue)
        yield
    finally:
        _break(queue)


@contextlib.contextmanager
def queue_lock(queue_dir: Path, timeout: float | None = None) -> Iterator[None]:
    """`queue_lock_at` for a queue folder given by path (reached through no link below `.loki`)."""
    queue = open_folder(queue_dir)
    try:
        with queue_lock_at(queue, queue_dir, timeout):
            yield
    finally:
        os.close(queue)
