"""Write into a run's folder without being led out of it by a link.

A run can replace `.loki`, `queue/`, `state/`, `logs/` or `signals/` with a link to `/etc` or to
another project's `.loki`; a path-based mkdir, write or rename would follow it there. So a write
opens the project folder, then `.loki` and each folder below it with O_NOFOLLOW relative to the
one before (a missing one is made with mkdirat, which never follows a link either), and creates,
renames and removes files relative to the last one. Nothing can be swapped in between a check
and the write. A folder that is a link, or not a folder at all, is refused with UnsafeRunFolder,
which names it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

from loki_dashboard.loki.safe_open import kind_of

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_NEW_FILE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


class UnsafeRunFolder(Exception):
    """A folder of the run (or a file it must hold) is a link or something else we must not
    write through; nothing was written."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(
            f"{path} {problem}; the dashboard writes only into real folders inside the "
            "project, so it wrote nothing"
        )
        self.path = path


def _problem(folder: int, name: str) -> str:
    """What stands at `name` instead of a real folder, in words."""
    try:
        mode = os.stat(name, dir_fd=folder, follow_symlinks=False).st_mode
    except OSError:
        return "is not a folder"
    kind = kind_of(mode)
    if kind == "a symbolic link":
        with contextlib.suppress(OSError):
            return f"is a symbolic link (to {os.readlink(name, dir_fd=folder)})"
    return f"is {kind}, not a folder"


def _enter(folder: int, name: str, path: Path, *, create: bool) -> int:
    for _attempt in range(2):
        try:
            return os.open(name, _DIR_FLAGS, dir_fd=folder)
        except FileNotFoundError:
            if not create:
                raise UnsafeRunFolder(path, "does not exist") from None
            with contextlib.suppress(FileExistsError):  # made by someone else meanwhile
                os.mkdir(name, 0o755, dir_fd=folder)
        except OSError as exc:
            if exc.errno not in (errno.ENOTDIR, errno.ELOOP):
                raise
            raise UnsafeRunFolder(path, _problem(folder, name)) from None
    raise UnsafeRunFolder(path, "keeps vanishing")


@contextlib.contextmanager
def run_folder(loki_dir: Path, *below: str, create: bool = True) -> Iterator[int]:
    """A descriptor of `loki_dir/below...` for the block, every step a real folder (made when
    missing and `create`); the project folder holding `loki_dir` is trusted as registered."""
    with contextlib.ExitStack() as stack:
        try:
            folder = os.open(loki_dir.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except (FileNotFoundError, NotADirectoryError):
            raise UnsafeRunFolder(loki_dir.parent, "is no folder any more") from None
        stack.callback(os.close, folder)
        path = loki_dir.parent
        for name in (loki_dir.name, *below):
            path = path / name
            folder = _enter(folder, name, path, create=create)
            stack.callback(os.close, folder)
        yield folder


def write_file(folder: int, name: str, data: bytes, *, mode: int = 0o600, where: Path) -> None:
    """Replace `name` in `folder` whole: written to a temp file there, then renamed over it, so a
    reader sees the old file or the new one. `where` is the folder's path, for messages."""
    temp = f".{name}.{secrets.token_hex(4)}.tmp"
    fd = os.open(temp, _NEW_FILE_FLAGS, 0o600, dir_fd=folder)
    try:
        with os.fdopen(fd, "wb") as out:
            os.fchmod(out.fileno(), mode)
            out.write(data)
        os.replace(temp, name, src_dir_fd=folder, dst_dir_fd=folder)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp, dir_fd=folder)
        if isinstance(exc, IsADirectoryError) or getattr(exc, "errno", None) == errno.ENOTEMPTY:
            raise UnsafeRunFolder(where / name, "is a folder, not a file") from None
        raise


def remove_file(folder: int, name: str, *, where: Path) -> None:
    """Remove `name` from `folder` (a link is removed itself, never what it points at)."""
    try:
        os.unlink(name, dir_fd=folder)
    except FileNotFoundError:
        pass
    except IsADirectoryError:
        raise UnsafeRunFolder(where / name, "is a folder, not a file") from None
    except PermissionError:  # Linux answers EISDIR; other systems EPERM for a folder
        if _is_folder(folder, name):
            raise UnsafeRunFolder(where / name, "is a folder, not a file") from None
        raise


def _is_folder(folder: int, name: str) -> bool:
    try:
        return kind_of(os.stat(name, dir_fd=folder, follow_symlinks=False).st_mode) == "a folder"
    except OSError:
        return False
