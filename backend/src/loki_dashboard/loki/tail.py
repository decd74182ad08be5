"""Tail a growing file by byte offset, in bounded chunks, surviving truncation and rotation.

The runner trims its logs to the last 500 KB (the file shrinks under us: we continue from its new
end) and `events.jsonl` rotates to `.1` (a new inode: we read the new file from its start).
Only complete lines are consumed; a torn last line waits for its newline.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

# Bytes of history read the first time a file is seen (not the whole 100 MB log).
INITIAL_BACKLOG = 256 * 1024
# Bytes read per call, so memory stays bounded however far behind we are.
CHUNK = 1024 * 1024
# A "line" longer than this without a newline is cut rather than buffered forever.
MAX_PENDING_LINE = 1024 * 1024


@dataclass(frozen=True)
class Cursor:
    inode: int
    offset: int


@dataclass(frozen=True)
class TailRead:
    lines: list[bytes]
    cursor: Cursor | None
    more: bool  # another call would return more data now
    reset: str | None = None  # "truncated" or "rotated" when the file was replaced or shrank


def read_new_lines(
    path: Path,
    cursor: Cursor | None,
    *,
    backlog: int = INITIAL_BACKLOG,
    chunk: int = CHUNK,
) -> TailRead:
    """Complete lines written after `cursor` (None: the first time; start near the end)."""
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError:
        return TailRead([], cursor, False)
    with handle:
        st = os.fstat(handle.fileno())
        reset: str | None = None
        if cursor is None:
            offset = max(0, st.st_size - backlog)
            skip_partial = offset > 0
        elif cursor.inode != st.st_ino:
            offset, skip_partial, reset = 0, False, "rotated"
        elif st.st_size < cursor.offset:
            offset, skip_partial, reset = st.st_size, False, "truncated"
        else:
            offset, skip_partial = cursor.offset, False
        handle.seek(offset)
        data = handle.read(chunk)
    if skip_partial:
        newline = data.find(b"\n")
        if newline < 0:
            return TailRead([], Cursor(st.st_ino, offset), False, reset)
        offset += newline + 1
        data = data[newline + 1 :]
    end = data.rfind(b"\n")
    if end < 0:
        if len(data) >= min(chunk, MAX_PENDING_LINE):  # one giant line: cut it
            return TailRead([data], Cursor(st.st_ino, offset + len(data)), True, reset)
        return TailRead([], Cursor(st.st_ino, offset), False, reset)
    consumed = data[: end + 1]
    lines = [line for line in consumed.split(b"\n")[:-1] if line.strip()]
    new_offset = offset + len(consumed)
    return TailRead(lines, Cursor(st.st_ino, new_offset), new_offset < st.st_size, reset)
