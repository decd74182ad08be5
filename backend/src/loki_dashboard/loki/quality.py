"""Quality gates, council and checklist straight from their files.

Gate outcomes live in `quality/` (`gate-failures.txt`, `test-results.json`, `*.pass`), not in
`state/quality-gates.json`, which the runner never writes. Council and checklist are read here
too, because runs without a status monitor have no `dashboard-state.json` to copy them from.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from loki_dashboard.loki.files import is_ignored_name, read_bytes, read_json
from loki_dashboard.loki.safe_open import glob_files, is_real_dir

_SMALL = 1024 * 1024
_MAX_FAILURE_LINES = 20


def read_quality(loki_dir: Path) -> dict[str, Any]:
    """{"quality": {...}, "council": ..., "checklist": ...}, leaving out what is absent."""
    found: dict[str, Any] = {}
    folder = loki_dir / "quality"
    if is_real_dir(folder):
        quality: dict[str, Any] = {}
        names = (rel.removeprefix("quality/") for rel in glob_files(loki_dir, "quality/*.pass"))
        passed = sorted(n.removesuffix(".pass") for n in names if not is_ignored_name(n))
        if passed:
            quality["passed"] = passed
        _status, data, _ = read_bytes(folder / "gate-failures.txt", _SMALL)
        if data.strip():
            lines = data.decode("utf-8", "replace").splitlines()
            quality["failures"] = [line for line in lines if line.strip()][:_MAX_FAILURE_LINES]
        tests = read_json(folder / "test-results.json", max_bytes=_SMALL)
        if tests.ok and isinstance(tests.value, dict):
            quality["tests"] = tests.value
        if quality:
            found["quality"] = quality
    for key, rel in (
        ("council", "council/state.json"),
        ("checklist", "checklist/verification-results.json"),
    ):
        result = read_json(loki_dir / rel, max_bytes=_SMALL)
        if result.ok and result.value is not None:
            found[key] = result.value
    return found
