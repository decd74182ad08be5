"""Tokens and cost per agent, from the agent's stream-json in `logs/agent.log`.

`state/agents.json` names the agents (the iteration's `orchestrator-main`, and a sub-agent per
Task tool call, keyed by its `tool_id`) but carries no usage. The stream does: every assistant
message has `usage` and `parent_tool_use_id` (null for the orchestrator, the Task call's id for a
sub-agent's messages), and each provider call ends with a `result` line holding the call's
`total_cost_usd`. Tokens are counted per message (a message split into several lines repeats its
usage under one id: counted once); the call's cost is shared among its agents by their tokens,
weighted by Claude's relative prices (output 5x input, cache reads 0.1x, cache writes 1.25x), so
the agents' costs add up to what the run paid.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

ORCHESTRATOR = "orchestrator-main"
# Relative price of each kind of token to an input token (the same ratios for every Claude model).
_WEIGHTS = {
    "input_tokens": 1.0,
    "output_tokens": 5.0,
    "cache_read_input_tokens": 0.1,
    "cache_creation_input_tokens": 1.25,
}
# A call's message ids kept to drop repeated usage; a runaway call must not grow them for ever.
MAX_SEEN = 10_000


@dataclass(frozen=True)
class UsageDelta:
    """What to add to one agent: tokens (input + output) and cost in USD."""

    agent: str
    tokens: int = 0
    cost_usd: float = 0.0


@dataclass
class CallUsage:
    """The provider call under way: each agent's price-weighted tokens, and the messages seen."""

    weights: dict[str, float] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)

    def to_json(self) -> dict[str, Any]:
        return {"weights": self.weights}

    @classmethod
    def from_json(cls, value: Any) -> CallUsage:
        weights = value.get("weights") if isinstance(value, dict) else None
        if not isinstance(weights, dict):
            return cls()
        return cls(
            weights={
                str(k): float(v)
                for k, v in weights.items()
                if isinstance(v, (int, float)) and not isinstance(v, bool)
            }
        )


def usage_of(line: str, call: CallUsage) -> list[UsageDelta]:
    """What one log line adds to which agent (most lines: nothing). Updates `call`."""
    if not line.startswith('{"type":"assistant"') and not line.startswith('{"type":"result"'):
        return []
    try:
        value = json.loads(line)
    except (ValueError, RecursionError):
        return []
    if not isinstance(value, dict):
        return []
    if value.get("type") == "result":
        return _settle(value, call)
    message = value.get("message")
    usage = message.get("usage") if isinstance(message, dict) else None
    if not isinstance(usage, dict):
        return []
    message_id = message.get("id") if isinstance(message, dict) else None
    if isinstance(message_id, str):
        if message_id in call.seen:
            return []
        if len(call.seen) < MAX_SEEN:
            call.seen.add(message_id)
    parent = value.get("parent_tool_use_id")
    agent = parent if isinstance(parent, str) and parent else ORCHESTRATOR
    counts = {key: _count(usage.get(key)) for key in _WEIGHTS}
    call.weights[agent] = call.weights.get(agent, 0.0) + sum(
        counts[key] * weight for key, weight in _WEIGHTS.items()
    )
    tokens = counts["input_tokens"] + counts["output_tokens"]
    return [UsageDelta(agent[:255], tokens=tokens)] if tokens else []


def _settle(result: dict[str, Any], call: CallUsage) -> list[UsageDelta]:
    """The call ended: share its cost among its agents, and start the next call afresh."""
    cost = result.get("total_cost_usd")
    weights, total = call.weights, sum(call.weights.values())
    call.weights, call.seen = {}, set()
    if not isinstance(cost, (int, float)) or isinstance(cost, bool) or cost <= 0 or total <= 0:
        return []
    return [
        UsageDelta(agent[:255], cost_usd=round(cost * weight / total, 6))
        for agent, weight in weights.items()
        if weight > 0
    ]


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 0
    return max(0, int(value))


def merge(deltas: list[UsageDelta]) -> list[UsageDelta]:
    """One delta per agent."""
    by_agent: dict[str, UsageDelta] = {}
    for delta in deltas:
        found = by_agent.get(delta.agent)
        by_agent[delta.agent] = (
            delta
            if found is None
            else UsageDelta(
                delta.agent, found.tokens + delta.tokens, round(found.cost_usd + delta.cost_usd, 6)
            )
        )
    return list(by_agent.values())
