"""Tail a growing file by byte offset, in bounded chunks, surviving truncation and rotation.

The runner trims its logs to their last 500 KB (tail into a temp file, then `mv`: a new, smaller
file holding lines we already read) and `events.jsonl` rotates to `.1` (a new file of new lines).
The cursor remembers the last bytes it consumed; when the file is replaced or shrinks, finding
those bytes in the new file tells a trim (continue right after them) from a rotation or a
truncation to fresh content (read from the start). Only complete lines are consumed; a torn last
line waits for its newline. Anything but a regular file (a FIFO, a link to /dev/zero) is not
followed at all: it has no lines (see safe_open.py).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from loki_dashboard.loki.safe_open import open_file

# Bytes of history read the first time a file is seen (not the whole 100 MB log).
INITIAL_BACKLOG = 256 * 1024
# Bytes read per call, so memory stays bounded however far behind we are.
CHUNK = 1024 * 1024
# A "line" longer than this without a newline is cut rather than buffered forever.
MAX_PENDING_LINE = 1024 * 1024
# Bytes of consumed data remembered to recognise a trimmed file, and how far to look for them.
MARK_BYTES = 256
SEARCH_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Cursor:
    inode: int
    offset: int
    mark: bytes = b""  # the last bytes consumed, ending with a newline


@dataclass(frozen=True)
class TailRead:
    lines: list[bytes]
    cursor: Cursor | None
    more: bool  # another call would return more data now
    reset: str | None = None  # "trimmed", "truncated" or "rotated": the file was replaced/shrank


def read_new_lines(
    path: Path,
    cursor: Cursor | None,
    *,
    backlog: int = INITIAL_BACKLOG,
    chunk: int = CHUNK,
) -> TailRead:
    """Complete lines written after `cursor` (None: the first time; start near the end)."""
    try:
        handle = os.fdopen(open_file(path), "rb")
    except (OSError, ValueError):
        return TailRead([], cursor, False)
    with handle:
        st = os.fstat(handle.fileno())
        reset: str | None = None
        skip_partial = False
        if cursor is None:
            offset = max(0, st.st_size - backlog)
            skip_partial = offset > 0
        elif cursor.inode != st.st_ino or st.st_size < cursor.offset:
            offset, reset = _resume_point(handle, st.st_size, cursor)
        else:
            offset = cursor.offset
        handle.seek(offset)
        data = handle.read(chunk)
    mark = cursor.mark if cursor is not None and reset in (None, "trimmed") else b""
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
        return TailRead([], Cursor(st.st_ino, offset, mark), False, reset)
    consumed = data[: end + 1]
    lines = [line for line in consumed.split(b"\n")[:-1] if line.strip()]
    new_offset = offset + len(consumed)
    new_mark = (mark + consumed)[-MARK_BYTES:]
    return TailRead(lines, Cursor(st.st_ino, new_offset, new_mark), new_offset < st.st_size, reset)


def _resume_point(handle: BinaryIO, size: int, cursor: Cursor) -> tuple[int, str]:
    """Where to continue in a replaced or shrunken file, and what happened to it."""
    if cursor.mark:
        handle.seek(0)
        head = handle.read(SEARCH_BYTES)
        found = head.rfind(cursor.mark)
        if found >= 0:
            return found + len(cursor.mark), "trimmed"
        kept = _kept_prefix(head[: len(cursor.mark)], cursor.mark)
        if kept:
            return kept, "trimmed"  # trimmed to fewer bytes than the mark holds
        if size > SEARCH_BYTES:
            return size, "truncated"  # too big to search: continue from its new end
    return 0, "rotated" if cursor.inode != os.fstat(handle.fileno()).st_ino else "truncated"


def _kept_prefix(head: bytes, mark: bytes) -> int:
    """Length of the longest run of whole lines at the start of `head` that ends `mark`."""
    best, newline = 0, head.find(b"\n")
    while newline >= 0:
        if mark.endswith(head[: newline + 1]):
            best = newline + 1
        newline = head.find(b"\n", newline + 1)
    return best
