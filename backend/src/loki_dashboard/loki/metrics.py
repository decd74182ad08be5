"""Tokens and cost of a run: `metrics/efficiency/iteration-N.json`, else `context/tracking.json`.

Both survive into the next run, and a new run writes its own iteration-1.json over the old one
while the old run's iteration-2.json and later stay: a run's cost is the sum over the iteration
records written since it began (each carries its `timestamp`), never over whatever is on disk.
All-zero token counts mean "not measured", not "free": such iterations are left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from loki_dashboard.loki.files import as_dict, is_ignored_name, read_json
from loki_dashboard.loki.safe_open import glob_files
from loki_dashboard.loki.timestamps import parse_time

_TOKEN_KEYS = ("input_tokens", "output_tokens", "cache_read_tokens", "cache_creation_tokens")
# Iterations kept for the cost chart (the newest ones).
MAX_PER_ITERATION = 200
# More iteration files than this are not read (a runaway folder must not stall a sync).
MAX_ITERATION_FILES = 5_000


@dataclass(frozen=True)
class IterationCost:
    iteration: int
    input: int
    output: int
    cost_usd: float
    at: datetime | None


def _iteration_of(name: str) -> int:
    digits = name.removeprefix("iteration-").removesuffix(".json")
    return int(digits) if digits.isdigit() else 0


def _number(value: Any) -> float:
    if isinstance(value, bool):
        return 0.0
    return float(value) if isinstance(value, (int, float)) else 0.0


def parse_iteration_cost(name: str, value: Any) -> IterationCost | None:
    """One `iteration-N.json`; None when it measured nothing."""
    data = as_dict(value)
    if not any(_number(data.get(key)) for key in _TOKEN_KEYS):
        return None
    number = data.get("iteration")
    if not isinstance(number, int) or isinstance(number, bool):
        number = _iteration_of(name)
    return IterationCost(
        iteration=number,
        input=int(_number(data.get("input_tokens"))),
        output=int(_number(data.get("output_tokens"))),
        cost_usd=_number(data.get("cost_usd")),
        at=parse_time(data.get("timestamp")),
    )


def read_iteration_costs(loki_dir: Path) -> list[IterationCost]:
    """Every measured iteration record on disk, whichever run wrote it (I/O: call off-loop)."""
    folder = loki_dir / "metrics" / "efficiency"
    found: list[IterationCost] = []
    rels = glob_files(loki_dir, "metrics/efficiency/iteration-*.json")  # no link followed
    for rel in rels[:MAX_ITERATION_FILES]:
        name = rel.rsplit("/", 1)[-1]
        if is_ignored_name(name):
            continue
        cost = parse_iteration_cost(name, read_json(folder / name, max_bytes=1 << 20).value)
        if cost is not None:
            found.append(cost)
    return found


def read_tracking(loki_dir: Path) -> dict[str, Any] | None:
    value = read_json(loki_dir / "context" / "tracking.json", max_bytes=8 << 20).value
    return value if isinstance(value, dict) else None


def token_totals(
    iterations: Sequence[IterationCost],
    tracking: dict[str, Any] | None,
    *,
    since: datetime | None,
) -> dict[str, Any] | None:
    """{input, output, cost_usd, iterations, per_iteration, source} of the iterations written
    since `since` (None: all), or None when nothing was measured. Pure."""
    measured = sorted(
        (c for c in iterations if since is None or (c.at is not None and c.at >= since)),
        key=lambda c: (c.iteration, c.at or datetime.min),
    )
    if measured:
        return {
            "input": sum(c.input for c in measured),
            "output": sum(c.output for c in measured),
            "cost_usd": round(sum(c.cost_usd for c in measured), 6),
            "iterations": len(measured),
            "per_iteration": [
                {
                    "iteration": c.iteration,
                    "input": c.input,
                    "output": c.output,
                    "cost_usd": round(c.cost_usd, 6),
                }
                for c in measured[-MAX_PER_ITERATION:]
            ],
            "source": "metrics/efficiency",
        }
    return _tracking_totals(tracking, since)


def _tracking_totals(
    tracking: dict[str, Any] | None, since: datetime | None
) -> dict[str, Any] | None:
    """context-tracker.py's totals (`total_input`, `total_output`, `total_cost_usd`; shorter
    names in older files), counted only when the tracker wrote them during this run."""
    if tracking is None:
        return None
    if since is not None:
        updated = parse_time(tracking.get("updated_at"))
        if updated is None or updated < since:
            return None
    totals = as_dict(tracking.get("totals"))
    tokens_in = _first(totals, "total_input", "input", "input_tokens")
    tokens_out = _first(totals, "total_output", "output", "output_tokens")
    if not (tokens_in or tokens_out):
        return None
    return {
        "input": int(tokens_in),
        "output": int(tokens_out),
        "cost_usd": round(_first(totals, "total_cost_usd", "cost_usd"), 6),
        "source": "context/tracking.json",
    }


def _first(data: dict[str, Any], *keys: str) -> float:
    """The first non-zero number among `keys`."""
    for key in keys:
        value = _number(data.get(key))
        if value:
            return value
    return 0.0
