"""Tokens and cost: `metrics/efficiency/iteration-N.json`, else `context/tracking.json` totals.

All-zero token counts mean "not measured", not "free": such iterations are left out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from loki_dashboard.loki.files import as_dict, is_ignored_name, read_json
from loki_dashboard.loki.safe_open import glob_files

_TOKEN_KEYS = ("input_tokens", "output_tokens", "cache_read_tokens", "cache_creation_tokens")
# Iterations kept for the cost chart (the newest ones).
MAX_PER_ITERATION = 200


def _iteration_of(name: str) -> int:
    digits = name.removeprefix("iteration-").removesuffix(".json")
    return int(digits) if digits.isdigit() else 0


def _number(value: Any) -> float:
    if isinstance(value, bool):
        return 0.0
    return float(value) if isinstance(value, (int, float)) else 0.0


def read_token_totals(loki_dir: Path) -> dict[str, Any] | None:
    """{input, output, cost_usd, iterations, per_iteration, source}, or None when nothing was
    measured; per_iteration (the newest MAX_PER_ITERATION) feeds the cost chart."""
    # (iteration, input, output, cost) of every measured iteration; the totals are their sums.
    measured: list[tuple[int, float, float, float]] = []
    folder = loki_dir / "metrics" / "efficiency"
    for rel in glob_files(loki_dir, "metrics/efficiency/iteration-*.json"):
        name = rel.rsplit("/", 1)[-1]
        if is_ignored_name(name):
            continue
        data = as_dict(read_json(folder / name, max_bytes=1 << 20).value)
        if not any(_number(data.get(key)) for key in _TOKEN_KEYS):
            continue
        number = data.get("iteration")
        if not isinstance(number, int) or isinstance(number, bool):
            number = _iteration_of(name)
        measured.append(
            (
                number,
                _number(data.get("input_tokens")),
                _number(data.get("output_tokens")),
                _number(data.get("cost_usd")),
            )
        )
    if measured:
        measured.sort()
        return {
            "input": int(sum(m[1] for m in measured)),
            "output": int(sum(m[2] for m in measured)),
            "cost_usd": round(sum(m[3] for m in measured), 6),
            "iterations": len(measured),
            "per_iteration": [
                {"iteration": n, "input": int(i), "output": int(o), "cost_usd": round(c, 6)}
                for n, i, o, c in measured[-MAX_PER_ITERATION:]
            ],
            "source": "metrics/efficiency",
        }
    totals = as_dict(as_dict(read_json(loki_dir / "context" / "tracking.json").value).get("totals"))
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
    """The first non-zero number among `keys`: context-tracker.py writes `total_input`,
    `total_output`, `total_cost_usd`; the shorter names are older or hand-written files."""
    for key in keys:
        value = _number(data.get(key))
        if value:
            return value
    return 0.0
