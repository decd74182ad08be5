"""One scripted provider call, written the way run.sh records a real one.

run.sh tees the provider's stream-json into logs/agent.log and logs/autonomy-<date>.log after a
`=== Session started at ... ===` banner (one per call, not per run), prints a one-line summary of
each message on stdout, and its stream parser rewrites state/agents.json (the orchestrator plus
one entry per Task sub-agent), turns TodoWrite calls into queue/in-progress.json items and
writes metrics/result-cost-N.json from the final `result` line. A failed call leaves only the
banner.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from loki_dashboard.simulator import console, records
from loki_dashboard.simulator.files import append_line, write_in_place

FAILED_EXIT = 125  # what run.sh records for a failed call (its deadline wrapper's code)
_MODEL_ID = "claude-sonnet-4-5-20250929"


@dataclass(frozen=True)
class CallResult:
    exit_code: int
    duration_ms: int
    tokens: dict[str, int] | None  # None: the call failed and cost nothing


@dataclass
class ScriptedProvider:
    loki: Path
    project: Path
    prd: str | None
    session_id: str = ""

    def __post_init__(self) -> None:
        self.session_id = self.session_id or str(uuid.uuid4())

    def call(self, iteration: int, seconds: float, *, fail: bool) -> CallResult:
        began = time.monotonic()
        rarv = records.RARV_PHASES[iteration % len(records.RARV_PHASES)]
        for line in self._banner(rarv):
            self._log(line)
            console.plain(line)
        console.say("INFO", f"RARV Phase: {rarv} -> Tier: development (sonnet)")
        console.plain("[Orchestrator Active] Main agent started")
        if fail:
            time.sleep(min(seconds, 1.0) / 3)
            return self._end(began, None)
        steps = self._script(iteration)
        for step in steps:
            time.sleep(seconds / len(steps))
            message, summary, effect = step
            self._log(json.dumps(message, separators=(",", ":")))
            if summary:
                console.plain(summary)
            if effect:
                effect()
        tokens = records.usage(iteration)
        self._log(json.dumps(self._result(iteration, tokens), separators=(",", ":")))
        write_in_place(
            self.loki / "metrics" / f"result-cost-{iteration}.json", records.result_cost(tokens)
        )
        console.plain("[Session complete]")
        return self._end(began, tokens)

    def _end(self, began: float, tokens: dict[str, int] | None) -> CallResult:
        took = time.monotonic() - began
        code = 0 if tokens else FAILED_EXIT
        console.say("INFO", f"Claude Code exited with code {code} after {round(took)}s")
        return CallResult(code, int(took * 1000), tokens)

    # -- what gets written ---------------------------------------------------------------------
    def _banner(self, rarv: str) -> list[str]:
        now = datetime.now(UTC).strftime("%a %b %e %H:%M:%S UTC %Y")
        rule = "═" * 64
        spec = self.prd or "Codebase Analysis"
        return [
            "",
            rule,
            f"  NEW SESSION - {now}",
            rule,
            f"=== Session started at {now} ===",
            "=== Provider: claude ===",
            f"=== Prompt (truncated): <loki_system>\nLoki Mode with PRD at {spec}\n"
            "RALPH WIGGUM MODE ACTIVE. Use Reason-Act-Reflect-VERIFY cycle ... ===",
            f"=== RARV Phase: {rarv}, Tier: development (sonnet) ===",
        ]

    def _log(self, line: str) -> None:
        logs = self.loki / "logs"
        append_line(logs / "agent.log", line)
        append_line(logs / f"autonomy-{datetime.now().strftime('%Y%m%d')}.log", line)

    def _script(
        self, iteration: int
    ) -> list[tuple[dict[str, Any], str, Callable[[], None] | None]]:
        """The messages of one call: plan, read, delegate, edit, verify, report."""
        todo = f"Implement greet variant {iteration}"
        task_tool = f"toolu_01{uuid.uuid4().hex[:22]}"
        spec = str(self.project / (self.prd or "README.md"))
        orchestrator: dict[str, Any] = {
            "agent_id": "orchestrator-main",
            "tool_id": "orchestrator-main",
            "agent_type": "orchestrator",
            "model": records.MODEL,
            "current_task": "Starting...",
            "status": "active",
            "spawned_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            "tasks_completed": [],
            "tool_count": 0,
        }
        sub_agent = {
            "agent_id": f"agent-{task_tool[:8]}",
            "tool_id": task_tool,
            "agent_type": "general-purpose",
            "model": records.MODEL,
            "current_task": f"Draft variant {iteration}",
            "status": "active",
            "spawned_at": "",
            "tasks_completed": [],
        }

        tools = [0]

        def agents(task: str, *extra: dict[str, Any]) -> Callable[[], None]:
            def write() -> None:
                tools[0] += 1
                orchestrator.update(current_task=task, tool_count=tools[0])
                write_in_place(self.loki / "state" / "agents.json", [orchestrator, *extra])

            return write

        def todos(done: bool) -> Callable[[], None]:
            def write() -> None:
                items = [] if done else [self._todo(todo)]
                write_in_place(self.loki / "queue" / "in-progress.json", items)

            return write

        def spawn() -> None:
            sub_agent["spawned_at"] = datetime.now(UTC).isoformat().replace("+00:00", "Z")
            agents("Using Task...", sub_agent)()

        def finish_sub_agent() -> None:
            agents("Using Task...", {**sub_agent, "status": "completed"})()

        text = f"Iteration {iteration}: I will read the PRD, plan, delegate, edit and verify."
        return [
            (self._system(), "", None),
            (self._assistant_text(text), text, None),
            (
                self._tool("TodoWrite", {"todos": [{"content": todo}]}),
                "[Tool: TodoWrite] 1 items",
                todos(done=False),
            ),
            (self._tool("Read", {"file_path": spec}), "[Tool: Read]", agents(f"Read: {spec}")),
            (
                self._tool(
                    "Task",
                    {
                        "description": f"Draft variant {iteration}",
                        "subagent_type": "general-purpose",
                    },
                    task_tool,
                ),
                f"[Agent Spawned: general-purpose] Draft variant {iteration}",
                spawn,
            ),
            (
                self._tool_result(task_tool, "Sub-agent report: drafted; no blockers."),
                "[Result] [Agent Complete] ",
                finish_sub_agent,
            ),
            (
                self._tool("Edit", {"file_path": str(self.project / "src" / "app.py")}),
                "[Tool: Edit]",
                agents("Edit: src/app.py"),
            ),
            (
                self._tool("Bash", {"command": "python3 -m pytest -q"}),
                "[Tool: Bash]",
                agents("Bash: run the tests"),
            ),
            (
                self._tool("TodoWrite", {"todos": [{"content": todo, "status": "completed"}]}),
                "[Tool: TodoWrite] 1 items",
                todos(done=True),
            ),
        ]

    def _todo(self, title: str) -> dict[str, Any]:
        active = title.replace("Implement", "Implementing", 1)
        return {
            "id": "todo-0",
            "type": "todo",
            "title": title,
            "description": "Internal task tracked by the agent TodoWrite tool. This is LLM "
            "scratch, not a PRD-derived work item, so it has no acceptance criteria or user "
            f"story. Active form: {active}",
            "source": "claude_code_todowrite",
            "priority": "medium",
            "payload": {"action": title, "activeForm": active},
        }

    def _envelope(self, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        return {"type": kind, **body, "session_id": self.session_id, "uuid": str(uuid.uuid4())}

    def _system(self) -> dict[str, Any]:
        return self._envelope(
            "system",
            {
                "subtype": "init",
                "cwd": str(self.project),
                "model": _MODEL_ID,
                "tools": ["Task", "Bash", "Read", "Edit", "Write", "TodoWrite"],
            },
        )

    def _assistant(self, content: list[dict[str, Any]]) -> dict[str, Any]:
        message = {"type": "message", "role": "assistant", "model": _MODEL_ID, "content": content}
        return self._envelope("assistant", {"message": message, "parent_tool_use_id": None})

    def _assistant_text(self, text: str) -> dict[str, Any]:
        return self._assistant([{"type": "text", "text": text}])

    def _tool(self, name: str, arguments: dict[str, Any], tool_id: str = "") -> dict[str, Any]:
        use = {"type": "tool_use", "id": tool_id or f"toolu_01{uuid.uuid4().hex[:22]}"}
        return self._assistant([{**use, "name": name, "input": arguments}])

    def _tool_result(self, tool_id: str, text: str) -> dict[str, Any]:
        content = [
            {"tool_use_id": tool_id, "type": "tool_result", "content": text, "is_error": False}
        ]
        return self._envelope(
            "user", {"message": {"role": "user", "content": content}, "parent_tool_use_id": None}
        )

    def _result(self, iteration: int, tokens: dict[str, int]) -> dict[str, Any]:
        spent = records.cost(tokens)
        return self._envelope(
            "result",
            {
                "subtype": "success",
                "is_error": False,
                "num_turns": 9,
                "result": f"Iteration {iteration} done.",
                "total_cost_usd": spent,
                "usage": {
                    "input_tokens": tokens["input_tokens"],
                    "cache_creation_input_tokens": tokens["cache_creation_tokens"],
                    "cache_read_input_tokens": tokens["cache_read_tokens"],
                    "output_tokens": tokens["output_tokens"],
                },
            },
        )
