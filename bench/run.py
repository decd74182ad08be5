"""`make bench`: run every benchmark and print its figures (median, p99, ratios vs. targets)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Each benchmark is a script; known ones run first, from the database up to the browser.
ORDER = ["api.py", "realtime.py", "load.py", "watcher.py", "control.py", "frontend.py", "browser.py"]
HELPERS = {"common.py", "run.py"}


def benchmarks() -> list[str]:
    """Every bench/*.py script except the shared helpers, in ORDER, then by name."""
    found = sorted(p.name for p in HERE.glob("*.py") if p.name not in HELPERS)
    return [n for n in ORDER if n in found] + [n for n in found if n not in ORDER]


def main() -> int:
    failures = 0
    for name in benchmarks():
        script = HERE / name
        print(f"\n##### {name}", flush=True)
        result = subprocess.run([sys.executable, str(script)], cwd=HERE)
        failures += result.returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
