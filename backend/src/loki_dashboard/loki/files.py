"""Defensive file access shared by every reader: stamps, ignored names, bounded JSON reads.

Every `.loki` file can be missing, empty, half-written, of the wrong shape or huge; a read
reports which of those it met instead of raising, so callers can keep their last good value.
A FIFO, socket, device, folder or link where a file should be is missing (see safe_open.py).
"""

from __future__ import annotations

import enum
import hashlib
import json
import os
import stat as stat_mode
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loki_dashboard.loki.safe_open import open_file

# Larger JSON files are refused: no run writes them, and parsing one would stall a worker.
MAX_JSON_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Stamp:
    """What identifies one version of a file without reading it (mtime alone is too coarse)."""

    inode: int
    size: int
    mtime_ns: int


def stamp(path: Path) -> Stamp | None:
    """The stamp of the regular file at `path` (not of what a link points at); None for
    anything else."""
    try:
        st = os.lstat(path)
    except (OSError, ValueError):
        return None
    if not stat_mode.S_ISREG(st.st_mode):
        return None
    return Stamp(st.st_ino, st.st_size, st.st_mtime_ns)


def is_ignored_name(name: str) -> bool:
    """Dot-files and `*.tmp*` names are writers' temporaries, never protocol files."""
    return name.startswith(".") or ".tmp" in name


class ReadStatus(enum.Enum):
    OK = "ok"
    MISSING = "missing"
    EMPTY = "empty"
    INVALID = "invalid"
    TOO_BIG = "too_big"
    UNREADABLE = "unreadable"

    @property
    def transient(self) -> bool:
        """Empty and invalid reads are usually a writer caught mid-write: worth a retry."""
        return self in (ReadStatus.EMPTY, ReadStatus.INVALID)


@dataclass(frozen=True)
class JsonRead:
    status: ReadStatus
    value: Any = None
    digest: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is ReadStatus.OK


def digest_bytes(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def read_bytes(path: Path, max_bytes: int) -> tuple[ReadStatus, bytes, str | None]:
    """At most `max_bytes` of a regular file; anything else at `path` is MISSING."""
    try:
        with os.fdopen(open_file(path), "rb") as handle:
            data = handle.read(max_bytes + 1)
    except FileNotFoundError:  # NotRegularFile too: a FIFO or link is not a file of the run
        return ReadStatus.MISSING, b"", None
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        return ReadStatus.UNREADABLE, b"", getattr(exc, "strerror", None) or str(exc)
    if len(data) > max_bytes:
        return ReadStatus.TOO_BIG, b"", f"larger than {max_bytes} bytes"
    return ReadStatus.OK, data, None


def parse_json_bytes(data: bytes) -> JsonRead:
    digest = digest_bytes(data)
    if not data.strip():
        return JsonRead(ReadStatus.EMPTY, digest=digest)
    try:
        value = json.loads(data)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        return JsonRead(ReadStatus.INVALID, digest=digest, error=str(exc)[:200])
    return JsonRead(ReadStatus.OK, value, digest)


def read_json(path: Path, *, max_bytes: int = MAX_JSON_BYTES) -> JsonRead:
    """Read and parse one JSON file; never raises for a bad file."""
    status, data, error = read_bytes(path, max_bytes)
    if status is not ReadStatus.OK:
        return JsonRead(status, error=error)
    return parse_json_bytes(data)


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_str(value: Any, *, limit: int | None = None) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    text = value if isinstance(value, str) else str(value)
    text = text.strip()
    if not text:
        return None
    return text[:limit] if limit else text


def as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value == value:  # not NaN
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None
