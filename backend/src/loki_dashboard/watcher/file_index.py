"""One project's `.loki/` as the watcher last saw it: which files exist, their stamps, and the
last good value of each JSON file.

Every file system call is made in a worker thread, one hop per sync (`load`): the event loop
only looks at what that hop brought back. A rewrite with the same content, or a file caught
half-written, changes nothing (the last good value is kept). Which files exist is known from the
last full scan plus every change reported since, so no sync globs on the event loop.
"""

from __future__ import annotations

import fnmatch
import logging
import os
from collections.abc import Collection, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from loki_dashboard.loki.files import (
    ReadStatus,
    Stamp,
    is_ignored_name,
    parse_json_bytes,
    read_bytes,
    stamp,
)
from loki_dashboard.loki.safe_open import is_real_dir, kind_of, report
from loki_dashboard.watcher import classify as kinds
from loki_dashboard.watcher.settled import read_json_settled

logger = logging.getLogger(__name__)

# Files whose stamps the full scan takes (globs inside `.loki/`).
SCAN_GLOBS = (
    "*",
    "queue/*.json",
    "state/*",
    "logs/*.log",
    "pids/*.json",
    "sessions/*/*",
    "metrics/efficiency/*.json",
    "metrics/*.json",
    "context/tracking.json",
    "council/state.json",
    "checklist/verification-results.json",
    "quality/*",
    "signals/*",
    "memory/*",
    "memory/*/*",  # episodic/<day>/: its stamp changes when an episode is added
)
# JSON files up to this size come back with their bytes from the worker hop; bigger ones are
# read (and parsed) in a worker of their own.
PREFETCH_BYTES = 256 * 1024
# Small text files the sync reads whole (the run's human-readable end record).
TEXT_FILES = frozenset({"COMPLETION.txt"})
TEXT_BYTES = 64 * 1024

Fetched = tuple[Stamp, bytes | None]


class FileIndex:
    def __init__(self, loki_dir: Path) -> None:
        self.loki_dir = loki_dir
        self.root = str(loki_dir)
        self.stamps: dict[str, Stamp] = {}
        self.good: dict[str, Any] = {}
        self.digests: dict[str, str] = {}
        self.warned: set[str] = set()
        # During a sync: what its worker hop found, {rel: (stamp, bytes of a small JSON file)},
        # and which files it looked for (absent ones are in `looked` but not in `fetched`).
        self.fetched: dict[str, Fetched] | None = None
        self.looked: frozenset[str] | None = None
        self.full = False

    # -- worker-thread side ----------------------------------------------------------------

    def scan(self) -> dict[str, Stamp]:
        """Every protocol file present now with its stamp: one `os.scandir` per folder."""
        found: dict[str, Stamp] = {}
        listings: dict[str, list[os.DirEntry[str]]] = {}
        for pattern in SCAN_GLOBS:
            for rel, entry in _glob_entries(self.root, pattern, listings):
                if rel in found or not kinds.classify(rel):
                    continue
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                found[rel] = Stamp(st.st_ino, st.st_size, st.st_mtime_ns)
        return found

    def read(
        self, rels: Iterable[str] | None, known: dict[str, Stamp]
    ) -> dict[str, Fetched] | None:
        """Stamps of `rels` (None: a full scan) and the bytes of the small JSON files among them
        whose stamp differs from `known`; None when there is no `.loki/` folder."""
        if not is_real_dir(self.root):  # missing, or a link: not the project's own
            return None
        if rels is None:
            stamps = self.scan()
        else:
            stamps = {}
            for rel in rels:
                current = stamp(self.loki_dir / rel)  # regular files only, no link followed
                if current is not None:
                    stamps[rel] = current
        found: dict[str, Fetched] = {}
        for rel, current in stamps.items():
            data = None
            wanted = (rel.endswith(".json") and current.size <= PREFETCH_BYTES) or (
                rel in TEXT_FILES and current.size <= TEXT_BYTES
            )
            if wanted and (known.get(rel) != current or rel not in self.good):
                status, raw, _ = read_bytes(self.loki_dir / rel, PREFETCH_BYTES)
                data = raw if status is ReadStatus.OK else None
            found[rel] = (current, data)
        return found

    def changed_since_scan(self) -> set[str]:
        """Files whose (inode, size, mtime_ns) differs from what the last sync saw."""
        present = self.scan()
        known = dict(self.stamps)
        changed = {rel for rel, current in present.items() if current != known.get(rel)}
        return changed | {rel for rel in known if rel not in present}  # deleted files

    # -- event-loop side -------------------------------------------------------------------

    def begin(self, fetched: dict[str, Fetched] | None, looked: Collection[str] | None) -> None:
        """Start a sync with what its worker hop found (`looked` None: a full scan)."""
        self.fetched = fetched
        self.full = looked is None
        self.looked = None if looked is None else frozenset(looked)

    def end(self) -> None:
        """Remember the stamps this sync saw: a file changed since differs from them, so the
        reconciliation scan catches what a lost event would hide."""
        if self.fetched is not None:
            if self.full:
                self.stamps = {rel: fetched[0] for rel, fetched in self.fetched.items()}
            else:
                for rel in self.looked or ():
                    if rel in self.fetched:
                        self.stamps[rel] = self.fetched[rel][0]
                    else:
                        self.stamps.pop(rel, None)
        self.fetched = None
        self.looked = None

    def stamp_of(self, rel: str) -> Stamp | None:
        """The file's stamp as this sync's worker hop found it, else as last seen."""
        if self.fetched is not None and (self.full or (self.looked and rel in self.looked)):
            found = self.fetched.get(rel)
            return found[0] if found is not None else None
        return self.stamps.get(rel)

    def mtime(self, rel: str) -> datetime | None:
        current = self.stamp_of(rel)
        if current is None:
            return None
        return datetime.fromtimestamp(current.mtime_ns / 1e9, UTC)

    def present(self, pattern: str) -> list[str]:
        """Files matching a glob inside `.loki/` as far as this sync knows."""
        names = set(self.stamps)
        if self.fetched is not None:
            if self.full:
                names = set(self.fetched)
            else:
                names |= set(self.fetched)
                names -= {rel for rel in self.looked or () if rel not in self.fetched}
        return sorted(rel for rel in names if fnmatch.fnmatchcase(rel, pattern))

    def newest(self, rels: Iterable[str]) -> str | None:
        best: tuple[int, str] | None = None
        for rel in rels:
            current = self.stamp_of(rel)
            if current is not None and (best is None or current.mtime_ns > best[0]):
                best = (current.mtime_ns, rel)
        return best[1] if best else None

    async def text(self, rel: str) -> str | None:
        """A small text file (TEXT_FILES) as this sync's worker hop read it, else as last read."""
        current = self.stamp_of(rel)
        if current is None:
            self.good.pop(rel, None)
            return None
        fetched = self.fetched.get(rel) if self.fetched is not None else None
        if fetched is not None and fetched[1] is not None:
            self.good[rel] = fetched[1].decode("utf-8", "replace")
        value = self.good.get(rel)
        return value if isinstance(value, str) else None

    async def json(self, rel: str) -> tuple[Any, bool]:
        """(last good value or None when missing, whether it changed since the last read)."""
        current = self.stamp_of(rel)
        if current is None:
            self.digests.pop(rel, None)
            self.warned.discard(rel)
            return None, self.good.pop(rel, None) is not None
        if current == self.stamps.get(rel) and rel in self.good:
            return self.good[rel], False
        fetched = self.fetched.get(rel) if self.fetched is not None else None
        result = parse_json_bytes(fetched[1]) if fetched and fetched[1] is not None else None
        if result is None or result.status.transient:  # caught mid-write: read until settled
            result = await read_json_settled(self.loki_dir / rel)
        if result.status is ReadStatus.MISSING:
            self.digests.pop(rel, None)
            return None, self.good.pop(rel, None) is not None
        if not result.ok:
            if rel not in self.warned:
                self.warned.add(rel)
                logger.warning(
                    "%s/%s: %s (%s); keeping its last good value",
                    self.root,
                    rel,
                    result.status.value,
                    result.error or "no detail",
                )
            return self.good.get(rel), False
        self.warned.discard(rel)
        if self.digests.get(rel) == result.digest and rel in self.good:
            return self.good[rel], False
        self.digests[rel] = result.digest or ""
        self.good[rel] = result.value
        return result.value, True


def _glob_entries(
    root: str, pattern: str, listings: dict[str, list[os.DirEntry[str]]]
) -> list[tuple[str, os.DirEntry[str]]]:
    """(relative path, entry) of the files under `root` matching a `/`-separated glob whose
    segments may hold wildcards (no `**`). `listings` caches each folder's `os.scandir`, so
    the patterns of one scan list every folder once. Links are neither entered nor listed: a
    run's files are regular files in real folders (see loki/safe_open.py)."""
    folders: list[tuple[str, str]] = [("", root)]
    segments = pattern.split("/")
    for depth, segment in enumerate(segments):
        last = depth == len(segments) - 1
        literal = not any(c in segment for c in "*?[")
        found: list[tuple[str, os.DirEntry[str]]] = []
        for prefix, folder in folders:
            for entry in _listing(folder, listings):
                name = entry.name
                if not (name == segment if literal else fnmatch.fnmatchcase(name, segment)):
                    continue
                if (
                    entry.is_file(follow_symlinks=False)
                    if last
                    else entry.is_dir(follow_symlinks=False)
                ):
                    found.append((prefix + name, entry))
                elif not (
                    entry.is_file(follow_symlinks=False) or entry.is_dir(follow_symlinks=False)
                ):
                    _report_special(entry)
        if last:
            return found
        folders = [(rel + "/", entry.path) for rel, entry in found]
    return []


def _report_special(entry: os.DirEntry[str]) -> None:
    """A FIFO, socket, device or link where a run's file or folder could be: logged once."""
    if is_ignored_name(entry.name):
        return
    try:
        report(entry.path, kind_of(entry.stat(follow_symlinks=False).st_mode))
    except OSError:
        pass


def _listing(folder: str, listings: dict[str, list[os.DirEntry[str]]]) -> list[os.DirEntry[str]]:
    entries = listings.get(folder)
    if entries is None:
        try:
            with os.scandir(folder) as found:
                entries = list(found)
        except OSError:
            entries = []
        listings[folder] = entries
    return entries
