"""Read a repository's origin URL and current branch straight from `.git` (no git binary)."""

from __future__ import annotations

import configparser
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class GitInfo:
    remote: str | None
    branch: str | None


def _git_dir(folder: Path) -> Path | None:
    dot_git = folder / ".git"
    if dot_git.is_dir():
        return dot_git
    if dot_git.is_file():  # worktrees and submodules: "gitdir: <path>"
        text = dot_git.read_text(encoding="utf-8", errors="replace").strip()
        if text.startswith("gitdir:"):
            target = Path(text.removeprefix("gitdir:").strip())
            return target if target.is_absolute() else (folder / target).resolve()
    return None


def read_git_info(folder: Path) -> GitInfo:
    """Best effort: any unreadable piece is simply None."""
    try:
        git_dir = _git_dir(folder)
        if git_dir is None:
            return GitInfo(None, None)
        head = (git_dir / "HEAD").read_text(encoding="utf-8", errors="replace").strip()
        branch = head.removeprefix("ref: refs/heads/") if head.startswith("ref:") else None
        # A worktree keeps its config in the main repository ("commondir").
        common = git_dir / "commondir"
        config_dir = (
            (git_dir / common.read_text().strip()).resolve() if common.is_file() else git_dir
        )
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        parser.read(config_dir / "config", encoding="utf-8")
        remote = parser.get('remote "origin"', "url", fallback=None)
        return GitInfo(remote, branch)
    except (OSError, configparser.Error, UnicodeError):
        return GitInfo(None, None)
