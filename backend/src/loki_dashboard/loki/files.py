"""Defensive file access shared by every reader: stamps, ignored names, bounded JSON reads.

Every `.loki` file can be missing, empty, half-written, of the wrong shape or huge; a read
reports which of those it met instead of raising, so callers can keep their last good value.
"""

from __future__ import annotations

import enum
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Larger JSON files are refused: no run writes them, and parsing one would stall a worker.
MAX_JSON_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Stamp:
    """What identifies one version of a file without reading it (mtime alone is too coarse)."""

    inode: int
    size: int
    mtime_ns: int


def stamp(path: Path) -> Stamp | None:
    try:
        st = os.stat(path)
    except OSError:
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
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except FileNotFoundError:
        return ReadStatus.MISSING, b"", None
    except IsADirectoryError:
        return ReadStatus.UNREADABLE, b"", "is a folder"
    except OSError as exc:
        return ReadStatus.UNREADABLE, b"", exc.strerror or str(exc)
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
