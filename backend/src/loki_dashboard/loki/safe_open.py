"""Open a run's files as the hostile input they are: regular files only, never through a link.

A run folder is written by a process we do not control. Opening a FIFO blocks until someone
writes into it, a link to `/dev/zero` never ends, and a link to `~/.ssh/id_rsa` would be mirrored
and shown to every viewer. So a file is opened with O_NOFOLLOW (a link is refused, not followed)
and O_NONBLOCK (opening a FIFO returns at once), and kept only when fstat says it is a regular
file. Below a `.loki` folder every folder on the way is opened the same way, relative to the one
before, so no link leads out of `.loki`, not even one swapped in between two checks. What is
refused is absent to the reader, and logged once per path.

The folder holding `.loki` (the project, or the user's home for `$LOKI_HOME`) is trusted as the
operator gave it; whether `.loki` itself is a real folder is the caller's question (`is_real_dir`).
"""

from __future__ import annotations

import errno
import fnmatch
import logging
import os
import stat
from pathlib import Path

logger = logging.getLogger(__name__)

RUN_FOLDER = ".loki"
_FILE_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_NOCTTY | os.O_CLOEXEC
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NONBLOCK | os.O_CLOEXEC
# Paths refused and already logged (with what they were), so a FIFO is reported once, not at
# every sync; forgotten when the path reads fine again, or all at once past this many.
_MAX_REMEMBERED = 4096
_refused: dict[str, str] = {}


class NotRegularFile(FileNotFoundError):
    """The path holds a FIFO, socket, device, folder or link, or is reached through a link:
    to a reader it is not there."""


def kind_of(mode: int) -> str:
    """What a file of this mode is, in words for a log line or an error message."""
    kinds = (
        (stat.S_ISLNK, "a symbolic link"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISREG, "a regular file"),
    )
    return next((word for test, word in kinds if test(mode)), "a special file")


def report(path: str, what: str) -> None:
    """Log that `path` is `what` and so is neither read nor followed, once while it stays so."""
    if _refused.get(path) != what:
        if len(_refused) >= _MAX_REMEMBERED:
            _refused.clear()
        _refused[path] = what
        logger.warning("%s is %s, not a regular file; not read, not followed", path, what)


def refused(path: str, what: str) -> NotRegularFile:
    """The error for a refused path, reported (once) on the way."""
    report(path, what)
    return NotRegularFile(errno.ENOENT, what, path)


def _split(path: str) -> tuple[str, list[str]]:
    """(the folder opened as it is, the names below it opened without following links): below
    the first `.loki` every name; elsewhere only the last one."""
    marker = path.find(f"/{RUN_FOLDER}/")
    if marker >= 0:
        root = path[: marker + len(RUN_FOLDER) + 1]
        return root, path[len(root) + 1 :].split("/")
    head, slash, name = path.rpartition("/")
    return (head or slash or "."), [name]


def _describe(folder: int, name: str) -> str:
    try:
        return kind_of(os.stat(name, dir_fd=folder, follow_symlinks=False).st_mode)
    except OSError:
        return "not a folder"


def _enter(folder: int, name: str, path: str) -> int:
    """The folder `name` inside `folder`, refused when it is a link or not a folder."""
    try:
        return os.open(name, _DIR_FLAGS | os.O_NOFOLLOW, dir_fd=folder)
    except OSError as exc:
        if exc.errno not in (errno.ENOTDIR, errno.ELOOP):
            raise
        what = f"reached through {name!r}, which is {_describe(folder, name)}"
        raise refused(path, what) from None


def open_regular_in(folder: int | None, name: str, path: str) -> int:
    """`open_file` of `name` inside the folder descriptor `folder` (None: `name` is a path);
    `path` names it in the log."""
    try:
        fd = os.open(name, _FILE_FLAGS, dir_fd=folder)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise refused(path, "a symbolic link") from None
        if exc.errno == errno.ENXIO:  # what opening a socket answers
            raise refused(path, "a socket") from None
        raise
    try:
        mode = os.fstat(fd).st_mode
    except OSError:
        os.close(fd)
        raise
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise refused(path, kind_of(mode))
    if _refused:
        _refused.pop(path, None)
    return fd


def open_file(path: Path | str) -> int:
    """A read-only descriptor of the regular file at `path`; the caller closes it.

    Raises NotRegularFile (a FileNotFoundError: absent) for anything else, and what `open`
    raises otherwise. Never blocks, whatever the path holds.
    """
    text = os.fspath(path)
    root, below = _split(text)
    if len(below) == 1:  # directly inside: one open, as cheap as a plain one
        return open_regular_in(None, text, text)
    folder = os.open(root, _DIR_FLAGS)
    try:
        for name in below[:-1]:
            inner = _enter(folder, name, text)
            os.close(folder)
            folder = inner
        return open_regular_in(folder, below[-1], text)
    finally:
        os.close(folder)


def open_folder(path: Path | str) -> int:
    """A descriptor of the folder at `path` (for `os.scandir`), reached without following a
    link below `.loki`; the caller closes it. Raises NotRegularFile when a link is in the way."""
    text = os.fspath(path).rstrip("/")
    root, below = _split(text + "/" if text.endswith(f"/{RUN_FOLDER}") else text)
    folder = os.open(root, _DIR_FLAGS)
    try:
        for name in (n for n in below if n):
            inner = _enter(folder, name, text)
            os.close(folder)
            folder = inner
    except BaseException:
        os.close(folder)
        raise
    return folder


def is_real_dir(path: Path | str) -> bool:
    """A folder, not a link to one (nor a FIFO, file, ... where a folder should be)."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except (OSError, ValueError):
        return False


def glob_files(root: Path | str, pattern: str) -> list[str]:
    """The `/`-separated paths, relative to `root`, of the regular files matching `pattern`
    (each segment a glob, no `**`), found through real folders only; sorted."""
    found: list[tuple[str, str]] = [("", os.fspath(root))]
    segments = pattern.split("/")
    for depth, segment in enumerate(segments):
        last = depth == len(segments) - 1
        matches: list[tuple[str, str]] = []
        for rel, folder in found:
            try:
                with os.scandir(folder) as entries:
                    for entry in entries:
                        if not fnmatch.fnmatchcase(entry.name, segment):
                            continue
                        if last and entry.is_file(follow_symlinks=False):
                            matches.append((rel + entry.name, entry.path))
                        elif not last and entry.is_dir(follow_symlinks=False):
                            matches.append((rel + entry.name + "/", entry.path))
            except OSError:
                continue
        found = matches
    return sorted(rel for rel, _ in found)
