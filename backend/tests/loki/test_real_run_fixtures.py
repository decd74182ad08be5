"""The recorded real runs load as written, and each manifest's facts agree with its own files.

The facts are what a correct dashboard must show; these checks re-read them from the files in
the simplest way, so a fixture whose manifest drifted from its files fails here, not in a
dashboard test that trusts it.
"""

from __future__ import annotations

import json
import os
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.real_runs import REAL_RUNS, RealRun, load_real_run, scenario

EXPECTED = {
    "budget-paused",
    "dashboard-stop",
    "failed-iteration",
    "human-input-accepted",
    "human-input-rejected",
    "killed",
    "max-iterations",
    "pause-requested",
    "paused",
    "perpetual",
    "running",
    "second-run-ended",
    "second-run-live",
    "stop-file",
    "stopped",
}
LIVE = {"budget-paused", "pause-requested", "paused", "perpetual", "running", "second-run-live"}


def _when(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def _json(path: Path) -> Any:
    return json.loads(path.read_text())


def _events(run: RealRun) -> list[dict[str, Any]]:
    lines = (run.loki_dir / "events.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.fixture(params=REAL_RUNS)
def run(request: pytest.FixtureRequest, tmp_path: Path) -> RealRun:
    return load_real_run(request.param, tmp_path / "project")


def test_every_scenario_is_recorded() -> None:
    assert set(REAL_RUNS) == EXPECTED


def test_files_are_copied_with_their_recorded_mtimes(run: RealRun) -> None:
    recorded = {
        name.removeprefix("loki/"): info
        for name, info in run.manifest["files"].items()
        if name.startswith("loki/")
    }
    copied = {
        str(path.relative_to(run.loki_dir)): path
        for path in run.loki_dir.rglob("*")
        if path.is_file()
    }
    assert set(copied) == set(recorded)
    for name, path in copied.items():
        status = path.stat()
        assert status.st_mtime_ns == recorded[name]["mtime_ns"], name
        assert status.st_size == recorded[name]["bytes"], name
    # Written by the run, before the snapshot: no copy time leaks through.
    taken = _when(run.manifest["snapshot"]["taken_at"]).timestamp()
    assert max(info["mtime_ns"] for info in recorded.values()) / 1e9 <= taken + 1


def test_liveness_and_pid_files(run: RealRun) -> None:
    assert run.alive == (run.name in LIVE)
    assert run.facts["runner_alive"] == run.alive
    if run.alive:
        assert (run.loki_dir / "loki.pid").read_text().strip() == str(run.pid)


def test_terminal_records_match_the_facts(run: RealRun) -> None:
    facts = run.facts
    state = _json(run.loki_dir / "autonomy-state.json")
    assert facts["autonomy_status"] == state["status"]
    assert facts["last_exit_code"] == state["lastExitCode"]
    assert facts["autonomy_iteration_count"] == state["iterationCount"]
    assert facts["iterations"]["max"] == int(run.manifest["env"]["LOKI_MAX_ITERATIONS"])
    completion = run.loki_dir / "COMPLETION.txt"
    text = completion.read_text() if completion.exists() else ""
    outcome = re.search(r"^Outcome:\s*(.+)$", text, re.M)
    assert facts["completion_outcome"] == (outcome.group(1).strip() if outcome else None)
    manifest = run.loki_dir / "loki-run.json"
    assert facts["loki_run_outcome"] == (_json(manifest)["outcome"] if manifest.exists() else None)
    assert facts["phase"] == _json(run.loki_dir / "state" / "orchestrator.json")["currentPhase"]
    for name, present in facts["files_present"].items():
        assert (run.loki_dir / name).exists() == present, name


def test_start_and_end_come_from_this_runs_events(run: RealRun) -> None:
    facts = run.facts
    events = _events(run)
    started = _when(facts["started_at"])
    starts = [e for e in events if e["type"] == "session" and e["data"].get("action") == "start"]
    assert facts["started_at"] in [e["timestamp"] for e in starts]
    assert not [e for e in starts if _when(e["timestamp"]) > started], "a later run started"
    mine = [e for e in events if _when(e["timestamp"]) >= started.replace(microsecond=0)]
    iterations = [e for e in mine if e["type"] == "iteration_start"]
    assert facts["iterations"]["count"] == len(iterations)
    ends = [e for e in mine if e["type"] == "session_end"]
    if ends:
        assert facts["ended_at"] == ends[-1]["timestamp"]
    if facts["ended_at"] is None:
        assert facts["duration_seconds"] is None
    else:
        duration = (_when(facts["ended_at"]) - started).total_seconds()
        assert facts["duration_seconds"] == pytest.approx(duration, abs=0.001)


def test_cost_and_tokens_are_this_runs_iterations(run: RealRun) -> None:
    facts = run.facts
    started = _when(facts["started_at"]).replace(microsecond=0)
    cost, tokens, mine = 0.0, 0, []
    for path in (run.loki_dir / "metrics" / "efficiency").glob("iteration-*.json"):
        record = _json(path)
        if _when(record["timestamp"]) >= started:
            mine.append(record["iteration"])
            cost += record["cost_usd"]
            tokens += record["input_tokens"] + record["output_tokens"]
    assert sorted(mine) == facts["iteration_files"]
    assert facts["cost_usd"] == pytest.approx(cost, abs=1e-6)
    assert facts["tokens"]["input"] + facts["tokens"]["output"] == tokens


def test_task_counts_per_queue_file(run: RealRun) -> None:
    for name, count in run.facts["tasks"].items():
        document = _json(run.loki_dir / "queue" / f"{name}.json")
        items = document.get("tasks", []) if isinstance(document, dict) else document
        if isinstance(document, dict) and "tasks" not in document:
            items = [document] if document else []
        assert len(items) == count, name


def test_a_live_snapshot_can_name_a_stand_in_runner(tmp_path: Path) -> None:
    recorded = scenario("paused")["snapshot"]["runner_pid"]
    run = load_real_run("paused", tmp_path, runner_pid=os.getpid())
    assert (run.loki_dir / "loki.pid").read_text().strip() == str(os.getpid())
    assert f"pgid={os.getpid()} " in (run.loki_dir / "loki.pgid").read_text()
    assert _json(run.loki_dir / "autonomy-state.json")["pid"] == os.getpid()
    record = run.loki_dir / "pids" / f"{os.getpid()}.json"
    assert _json(record)["pid"] == os.getpid()
    assert not (run.loki_dir / "pids" / f"{recorded}.json").exists()
    assert record.stat().st_mtime_ns == run.mtime_ns(f"pids/{recorded}.json")


def test_an_unknown_scenario_is_named_in_the_error(tmp_path: Path) -> None:
    with pytest.raises(KeyError, match="no recorded run 'nope'"):
        load_real_run("nope", tmp_path)
