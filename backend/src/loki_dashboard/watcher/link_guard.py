"""Keep the file watcher from following a link out of a run folder.

watchfiles (notify) walks a folder when its watch starts and follows every link to a folder it
meets: a run that made `.loki/x -> /` would have the whole disk walked and watched at the next
restart (every inotify watch of the user gone, then the polling fallback walking `/` every
300 ms). So before every (re)start the folders are walked here first, without following links
(a scandir per folder, well under what notify's own walk costs); a folder holding a link to a
folder anywhere below it is watched folder by folder, none of them recursively, and new folders
in it are picked up by a restart.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class WatchPlan:
    recursive: list[str]  # watched whole, as notify does
    flat: list[str]  # every real folder of the guarded roots, each watched alone
    guarded: frozenset[str]  # the roots that hold a link to a folder


def _walk(root: str) -> tuple[list[str], str | None]:
    """Every real folder under `root` (itself first), and the first link to a folder met."""
    folders, pending, link = [root], [root], None
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        folders.append(entry.path)
                        pending.append(entry.path)
                    elif link is None and entry.is_symlink() and _points_to_folder(entry.path):
                        link = entry.path
        except OSError:
            continue  # vanished or unreadable: notify skips it too
    return folders, link


def _points_to_folder(path: str) -> bool:
    try:
        return os.path.isdir(path)
    except (OSError, ValueError):
        return False


def plan_watch(roots: Iterable[str], *, warned: set[str] | None = None) -> WatchPlan:
    """Split `roots` into those watched whole and the folders of those holding a link to a
    folder. Blocking (a walk of every root): call it in a thread. `warned` holds the roots
    already reported, so a link is logged once while it stays."""
    recursive: list[str] = []
    flat: list[str] = []
    guarded: set[str] = set()
    for root in roots:
        folders, link = _walk(root)
        if link is None:
            recursive.append(root)
            if warned is not None:
                warned.discard(root)
            continue
        guarded.add(root)
        flat.extend(folders)
        if warned is None or root not in warned:
            logger.warning(
                "%s is a link to a folder; %s is watched folder by folder and the link is "
                "never followed",
                link,
                root,
            )
            if warned is not None:
                warned.add(root)
    return WatchPlan(recursive, flat, frozenset(guarded))
