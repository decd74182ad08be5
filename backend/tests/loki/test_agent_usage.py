"""Per-agent tokens and cost from the agent's stream-json (loki/agent_usage.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from loki_dashboard.loki.agent_usage import ORCHESTRATOR, CallUsage, merge, usage_of


def _assistant(message_id: str, parent: str | None, **usage: int) -> str:
    message = {"id": message_id, "role": "assistant", "usage": usage}
    return json.dumps(
        {"type": "assistant", "message": message, "parent_tool_use_id": parent},
        separators=(",", ":"),
    )


def _result(cost: Any) -> str:
    return json.dumps({"type": "result", "total_cost_usd": cost}, separators=(",", ":"))


def test_tokens_per_agent_and_the_calls_cost_shared_by_weighted_tokens() -> None:
    call = CallUsage()
    deltas = [
        *usage_of(_assistant("m1", None, input_tokens=10, output_tokens=100), call),
        # A message split over two lines repeats its usage: counted once.
        *usage_of(_assistant("m1", None, input_tokens=10, output_tokens=100), call),
        *usage_of(_assistant("m2", "toolu_A", input_tokens=10, output_tokens=100), call),
        *usage_of('{"type":"user","message":{}}', call),
        *usage_of(_result(1.2), call),
    ]
    totals = {d.agent: (d.tokens, d.cost_usd) for d in merge(deltas)}
    assert totals == {ORCHESTRATOR: (110, pytest.approx(0.6)), "toolu_A": (110, pytest.approx(0.6))}
    assert call.weights == {}  # the next call starts afresh


def test_lines_that_are_not_usage_or_are_broken_add_nothing() -> None:
    call = CallUsage()
    assert usage_of("[INFO] starting", call) == []
    assert usage_of('{"type":"assistant", broken', call) == []
    assert usage_of(_result(0.5), call) == []  # a cost with no tokens seen: nothing to share
    assert usage_of(_result(True), call) == []


def test_a_call_under_way_survives_a_restart() -> None:
    call = CallUsage()
    usage_of(_assistant("m1", None, input_tokens=1, output_tokens=1), call)
    resumed = CallUsage.from_json(json.loads(json.dumps(call.to_json())))
    (delta,) = usage_of(_result(0.3), resumed)
    assert (delta.agent, delta.cost_usd) == (ORCHESTRATOR, 0.3)
