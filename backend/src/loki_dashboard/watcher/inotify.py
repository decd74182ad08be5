"""When inotify refuses watches: which errors mean that, and how many folders it still takes.

inotify has per-user limits (`max_user_watches`, `max_user_instances`) shared with every other
program of the user. When a watch cannot be had (ENOSPC, EMFILE, no inotify at all), the
folders that do not fit are polled instead, and only those.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Sequence
from pathlib import Path

from watchfiles._rust_notify import RustNotify

MAX_USER_WATCHES = Path("/proc/sys/fs/inotify/max_user_watches")

_REFUSED_ERRNOS = frozenset({errno.ENOSPC, errno.EMFILE, errno.ENFILE, errno.ENOSYS})
# watchfiles raises its OS errors as text: notify's "OS file watch limit reached." for ENOSPC,
# "(os error N)" for the others.
_REFUSED_TEXT = (
    "watch limit",
    "os error 28",
    "os error 24",
    "os error 23",
    "os error 38",
    "too many open files",
    "no space left on device",
    "function not implemented",
)


def refused(exc: BaseException) -> bool:
    """Whether `exc` says inotify refused a watch (as opposed to a folder that vanished)."""
    if isinstance(exc, (FileNotFoundError, PermissionError)):
        return False
    if isinstance(exc, OSError) and exc.errno in _REFUSED_ERRNOS:
        return True
    text = str(exc).lower()
    return isinstance(exc, (OSError, RuntimeError)) and any(t in text for t in _REFUSED_TEXT)


def probe(paths: Sequence[str]) -> bool:
    """Whether inotify takes watches over all of `paths` right now (released at once)."""
    try:
        watcher = RustNotify(list(paths), False, False, 300, True, True)
    except (OSError, RuntimeError) as exc:
        if refused(exc):
            return False
        raise
    watcher.close()
    return True


def capacity(paths: Sequence[str]) -> int:
    """How many of `paths`, from the first, inotify takes: a binary search over probes (a
    dozen at 1,000 projects, run only after a refusal). Blocking: call it in a thread."""
    low, high = 0, len(paths)  # paths[:low] fit; paths[:high + 1] does not
    while low < high:
        middle = (low + high + 1) // 2
        if probe(paths[:middle]):
            low = middle
        else:
            high = middle - 1
    return low


def limit_warning(folders: int) -> str | None:
    """The warning, with the exact sysctl line, when `folders` is over half the watch limit."""
    try:
        limit = int(MAX_USER_WATCHES.read_text().strip())
    except (OSError, ValueError):
        return None
    if folders <= limit // 2:
        return None
    return (
        f"{folders} folders to watch is over half of the inotify limit ({limit}); raise "
        f"it with: sudo sysctl fs.inotify.max_user_watches={max(limit * 2, folders * 4)}"
    )


def count_dirs(root: str) -> int:
    return sum(1 for _ in os.walk(root))
