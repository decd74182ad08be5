"""Tokens and cost: `metrics/efficiency/iteration-N.json`, else `context/tracking.json` totals.

All-zero token counts mean "not measured", not "free": such iterations are left out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from loki_dashboard.loki.files import as_dict, is_ignored_name, read_json

_TOKEN_KEYS = ("input_tokens", "output_tokens", "cache_read_tokens", "cache_creation_tokens")


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
    totals = {"input": 0.0, "output": 0.0, "cost_usd": 0.0}
    measured = 0
    per_iteration: list[dict[str, Any]] = []
    folder = loki_dir / "metrics" / "efficiency"
    for path in sorted(folder.glob("iteration-*.json")) if folder.is_dir() else []:
        if is_ignored_name(path.name):
            continue
        data = as_dict(read_json(path, max_bytes=1 << 20).value)
        if not any(_number(data.get(key)) for key in _TOKEN_KEYS):
            continue
        measured += 1
        number = data.get("iteration")
        per_iteration.append(
            {
                "iteration": number if isinstance(number, int) else _iteration_of(path.name),
                "input": int(_number(data.get("input_tokens"))),
                "output": int(_number(data.get("output_tokens"))),
                "cost_usd": round(_number(data.get("cost_usd")), 6),
            }
        )
        totals["input"] += _number(data.get("input_tokens"))
        totals["output"] += _number(data.get("output_tokens"))
        totals["cost_usd"] += _number(data.get("cost_usd"))
    if measured:
        return {
            "input": int(totals["input"]),
            "output": int(totals["output"]),
            "cost_usd": round(totals["cost_usd"], 6),
            "iterations": measured,
            "per_iteration": sorted(per_iteration, key=lambda item: item["iteration"])[
                -MAX_PER_ITERATION:
            ],
            "source": "metrics/efficiency",
        }
    tracking = as_dict(
        as_dict(read_json(loki_dir / "context" / "tracking.json").value).get("totals")
    )
    tokens_in = _number(tracking.get("input") or tracking.get("input_tokens"))
    tokens_out = _number(tracking.get("output") or tracking.get("output_tokens"))
    if not (tokens_in or tokens_out):
        return None
    return {
        "input": int(tokens_in),
        "output": int(tokens_out),
        "cost_usd": round(_number(tracking.get("cost_usd")), 6),
        "source": "context/tracking.json",
    }
