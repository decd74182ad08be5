"""One dashboard process per SQLite file: a second one refuses to start instead of fighting.

The lock is an `flock` on a file in `LOKI_HOME`, so the kernel drops it when the holder dies and a
crash never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from pathlib import Path


class InstanceLocked(Exception):
    """Another live process holds the lock; the message says which and what to do."""


class InstanceLock:
    def __init__(self, home: Path, database_path: Path) -> None:
        digest = hashlib.sha256(str(database_path).encode()).hexdigest()[:16]
        self.path = home / f"dashboard-{digest}.lock"
        self.database_path = database_path
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "another process"
            os.close(fd)
            raise InstanceLocked(
                f"another dashboard (pid {holder}) is already using {self.database_path}; "
                "stop it first ('loki dashboard stop') or use another LOKI_DATABASE_URL"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
