"""Read a repository's origin URL and current branch straight from `.git` (no git binary).

The folder is the user's, but a run writes in it too: `HEAD`, `config` and a `.git` file are read
only when they are small regular files (a FIFO there would block for ever), and the whole read is
blocking, so callers run it in a worker thread.
"""

from __future__ import annotations

import configparser
from dataclasses import dataclass
from pathlib import Path

from loki_dashboard.loki.files import ReadStatus, read_bytes

# HEAD, a `.git` file and `commondir` are one line; a config of this size is already unusual.
MAX_GIT_FILE_BYTES = 1024 * 1024


@dataclass(frozen=True)
class GitInfo:
    remote: str | None
    branch: str | None


def _text(path: Path) -> str | None:
    status, data, _ = read_bytes(path, MAX_GIT_FILE_BYTES)
    return data.decode("utf-8", "replace") if status is ReadStatus.OK else None


def _git_dir(folder: Path) -> Path | None:
    dot_git = folder / ".git"
    if dot_git.is_dir():
        return dot_git
    text = (_text(dot_git) or "").strip()  # worktrees and submodules: "gitdir: <path>"
    if text.startswith("gitdir:"):
        target = Path(text.removeprefix("gitdir:").strip())
        return target if target.is_absolute() else (folder / target).resolve()
    return None


def read_git_info(folder: Path) -> GitInfo:
    """Best effort: any unreadable piece is simply None (blocking: call it in a thread)."""
    try:
        git_dir = _git_dir(folder)
        if git_dir is None:
            return GitInfo(None, None)
        head = (_text(git_dir / "HEAD") or "").strip()
        branch = head.removeprefix("ref: refs/heads/") if head.startswith("ref:") else None
        # A worktree keeps its config in the main repository ("commondir").
        common = _text(git_dir / "commondir")
        config_dir = (git_dir / common.strip()).resolve() if common else git_dir
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        parser.read_string(_text(config_dir / "config") or "")
        remote = parser.get('remote "origin"', "url", fallback=None)
        return GitInfo(remote, branch or None)
    except (OSError, ValueError, RuntimeError, configparser.Error):
        return GitInfo(None, None)
