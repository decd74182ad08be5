"""`make bench`: run every benchmark and print its figures (median, p99, ratios vs. targets)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Each benchmark is a script; the order goes from the database up to the browser.
BENCHMARKS = ["api.py", "realtime.py", "watcher.py", "browser.py"]


def main() -> int:
    failures = 0
    for name in BENCHMARKS:
        script = HERE / name
        if not script.exists():
            continue
        print(f"\n##### {name}", flush=True)
        result = subprocess.run([sys.executable, str(script)], cwd=HERE)
        failures += result.returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
