"""The runner's stdout: `[INFO]`/`[WARN]`/`[STEP]`/`[ERROR]` lines in run.sh's colours.

run.sh colours its level tags even when stdout is not a terminal, so a dashboard that starts the
runner receives the escape codes too.
"""

from __future__ import annotations

import sys

_TAGS = {
    "INFO": "\033[0;32m[INFO]\033[0m",
    "WARN": "\033[1;33m[WARN]\033[0m",
    "STEP": "\033[0;36m[STEP]\033[0m",
    "ERROR": "\033[0;31m[ERROR]\033[0m",
}


def say(level: str, message: str) -> None:
    plain(f"{_TAGS[level]} {message}")


def plain(message: str = "") -> None:
    sys.stdout.write(message + "\n")
    sys.stdout.flush()


def header(title: str) -> None:
    """run.sh's boxed section header."""
    rule = "═" * 64
    plain(f"\n\033[0;34m╔{rule}\n║\033[0m \033[1m{title}\033[0m\n\033[0;34m╚{rule}\033[0m")
