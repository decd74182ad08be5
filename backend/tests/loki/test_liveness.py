from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from loki_dashboard.loki.liveness import RunStatus, is_loki_process, run_status
from loki_dashboard.loki.run_state import parse_autonomy_state
from tests.loki.processes import wait_for_exec


@pytest.fixture
def loki_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "proj" / ".loki"
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
def loki_process() -> Iterator[int]:
    """A real process whose command line looks like a Loki run."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", "loki-run.sh"])
    wait_for_exec(proc.pid)
    yield proc.pid
    proc.kill()
    proc.wait()


@pytest.fixture
def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass", "loki"])
    proc.wait()
    return proc.pid


class TestLiveness:
    def test_live_pid_running_then_pause_then_stop(self, loki_dir: Path, loki_process: int) -> None:
        (loki_dir / "loki.pid").write_text(f"{loki_process}\n")
        status = run_status(loki_dir)
        assert (status.status, status.alive, status.pid) == ("running", True, loki_process)
        (loki_dir / "PAUSE").write_text("2026-01-01T00:00:00Z")
        assert run_status(loki_dir).status == "paused"
        (loki_dir / "STOP").touch()
        assert run_status(loki_dir).status == "stopping"

    def test_stale_pid_file_is_not_alive(self, loki_dir: Path, dead_pid: int) -> None:
        (loki_dir / "loki.pid").write_text(f"{dead_pid}\n")
        (loki_dir / "PAUSE").touch()
        status = run_status(loki_dir)
        assert (status.status, status.alive) == ("stopped", False)

    def test_reused_pid_of_another_program_is_not_alive(self, loki_dir: Path) -> None:
        proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
        try:
            (loki_dir / "loki.pid").write_text(str(proc.pid))
            assert not is_loki_process(proc.pid)
            assert run_status(loki_dir).alive is False
        finally:
            proc.kill()
            proc.wait()

    def test_completed_marker_and_final_statuses(self, loki_dir: Path) -> None:
        assert run_status(loki_dir).status == "stopped"
        exited = parse_autonomy_state({"status": "exited", "pid": 5})
        assert run_status(loki_dir, autonomy=exited).status == "stopped"
        limit = parse_autonomy_state({"status": "max_iterations_reached"})
        assert run_status(loki_dir, autonomy=limit).status == "completed"
        stuck = parse_autonomy_state({"status": "gate_stuck_static_analysis"})
        assert run_status(loki_dir, autonomy=stuck).status == "failed"
        (loki_dir / "COMPLETED").write_text("Session completed")
        assert run_status(loki_dir, autonomy=stuck).status == "completed"

    def test_pids_json_counts_only_wrapper_or_runner(
        self, loki_dir: Path, loki_process: int
    ) -> None:
        pids = loki_dir / "pids"
        pids.mkdir()
        (pids / f"{loki_process}.json").write_text(
            json.dumps({"pid": loki_process, "label": "dashboard"})
        )
        assert run_status(loki_dir).alive is False
        (pids / f"{loki_process}.json").write_text(
            json.dumps({"pid": loki_process, "kind": "runner"})
        )
        assert run_status(loki_dir).alive is True

    def test_sessions_and_legacy_pid_files(self, loki_dir: Path, loki_process: int) -> None:
        (loki_dir / "sessions" / "s1").mkdir(parents=True)
        (loki_dir / "sessions" / "s1" / "loki.pid").write_text(str(loki_process))
        assert run_status(loki_dir).pid == loki_process
        (loki_dir / "sessions" / "s1" / "loki.pid").unlink()
        (loki_dir / "run-abc.pid").write_text(f"{loki_process}\n")
        assert run_status(loki_dir).alive

    def test_garbage_pid_files(self, loki_dir: Path) -> None:
        (loki_dir / "loki.pid").write_text("not a pid")
        (loki_dir / "pids").mkdir()
        (loki_dir / "pids" / "x.json").write_text("{torn")
        assert run_status(loki_dir).alive is False

    def test_session_json_heartbeat_fresh_or_stale(self, loki_dir: Path) -> None:
        now = datetime(2026, 8, 10, 12, tzinfo=UTC)
        beat = {"status": "running", "updatedAt": (now - timedelta(minutes=1)).isoformat()}
        (loki_dir / "session.json").write_text(json.dumps(beat))
        assert run_status(loki_dir, now=now).status == "running"
        beat["updatedAt"] = (now - timedelta(minutes=10)).isoformat()
        (loki_dir / "session.json").write_text(json.dumps(beat))
        assert run_status(loki_dir, now=now).status == "stopped"

    def test_autonomy_paused_status_while_alive(self, loki_dir: Path, loki_process: int) -> None:
        (loki_dir / "loki.pid").write_text(str(loki_process))
        paused = parse_autonomy_state({"status": "paused"})
        assert run_status(loki_dir, autonomy=paused).status == "paused"


class TestWithKnownFiles:
    """The watcher passes the files its scan found; the answer must be the one a lookup of
    every file gives."""

    @staticmethod
    def present(loki_dir: Path) -> set[str]:
        return {p.relative_to(loki_dir).as_posix() for p in loki_dir.rglob("*") if p.is_file()}

    def test_same_answer_as_looking_each_file_up(
        self, loki_dir: Path, loki_process: int, dead_pid: int
    ) -> None:
        def both() -> tuple[RunStatus, RunStatus]:
            return run_status(loki_dir), run_status(loki_dir, present=self.present(loki_dir))

        (loki_dir / "sessions" / "s1").mkdir(parents=True)
        (loki_dir / "sessions" / "s1" / "loki.pid").write_text(str(dead_pid))
        first, second = both()
        assert first == second
        assert first.status == "stopped"
        (loki_dir / "pids").mkdir()
        (loki_dir / "pids" / "runner.json").write_text(
            json.dumps({"kind": "runner", "pid": loki_process})
        )
        (loki_dir / "PAUSE").touch()
        first, second = both()
        assert first == second
        assert first.status == "paused"
        (loki_dir / "STOP").touch()
        first, second = both()
        assert first == second
        assert first.status == "stopping"

    def test_a_file_missing_from_the_scan_is_not_looked_for(
        self, loki_dir: Path, loki_process: int
    ) -> None:
        (loki_dir / "loki.pid").write_text(str(loki_process))
        assert run_status(loki_dir, present=set()).alive is False
        assert run_status(loki_dir, present={"loki.pid"}).alive is True
